"""The trade-in a customer describes in their own words, when no field names one.

"Est-il possible de faire reprendre ma Renault Twingo de 2014 (98 000 km) ?", "cuánto me
daríais por mi coche actual: un Seat Ibiza 1.0 TSI de 2018, 78.000 km", "would you take a 161
Golf as a trade in?": a sentence with a trade-in word and a car that is not the one asked about.
The car right after the word is the trade-in, else the nearest one before it; a model named
without its make ("ma Mégane", "a Golf") is read when only one make builds it.
"""

from __future__ import annotations

import re

from leadparser.builder import LeadBuilder
from leadparser.makes import make_of_model, split_make, split_vehicle, vehicle_in_text
from leadparser.normalize import fold

_CUE = re.compile(
    r"\b(?:reprise|reprend\w*|repris\w*|part[- ]?ex\w*|trade[- ]?in|trade it in|"
    r"tasa\w*|tasen|tasar\w*|dar[ií]a\w* por|dar[ií]an por|permuta\w*|retoma\w*|inruil\w*|"
    r"in ?zahlung\w*|inzahlungnahme|valuation|value my)\b",
    re.IGNORECASE,
)
# The little words between a car and the cue after it ("a 161 Golf as a trade in", "une Mégane
# à faire reprendre"): not part of the car's trim.
_CONNECTIVES_AT_END = re.compile(
    r"(?:\s+(?:as|a|an|for|in|to|als|en|te|zur|zum|für|comme|à|pour|faire|de|como|"
    r"para|por|un|une|una|een|ein|eine))+\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý¿¡])|\n\s*\n|[?!]")
_MAX_TEXT = 3000


def _cars(text: str) -> list[tuple[int, dict, str]]:
    """(position, make/model/trim, the words from the car on) of every car the text names."""
    found = []
    for match in re.finditer(r"\S+", text):
        word = match.group().strip("(),;:«»\"'")
        tail = text[match.start() :]
        if split_make(word)[0] and (word[:1].isupper() or len(word) > 3):
            car = vehicle_in_text(tail)
            if car and car.get("model"):
                found.append((match.start(), car, tail))
        elif word[:1].isupper() and make_of_model(word):
            make = make_of_model(word)
            car = split_vehicle(tail, make)
            if car.get("model"):
                found.append((match.start(), car, f"{make} {tail}"))
    return found


def _same(car: dict, wanted: dict) -> bool:
    model = fold(wanted.get("model") or wanted.get("description") or "")
    return bool(model) and fold(car["model"]) in model


def trade_in_in_words(builder: LeadBuilder) -> None:
    """Fill the trade-in from the comments when a sentence there offers the customer's car."""
    if builder.vehicles["trade_in"]:
        return
    wanted = builder.vehicles["vehicle"]
    for text in builder.comments:
        for sentence in _SENTENCE_END.split(text[:_MAX_TEXT]):
            cue = _CUE.search(sentence or "")
            if cue is None:
                continue
            cars = [c for c in _cars(sentence) if not _same(c[1], wanted)]
            after = [c for c in cars if c[0] >= cue.end()]
            before = [c for c in cars if c[0] < cue.start()]
            chosen = after[0] if after else (before[-1] if before else None)
            if chosen is not None:
                position, _car, words = chosen
                if position < cue.start():  # "une Mégane de 2017 à faire reprendre"
                    words = words[: len(words) - (len(sentence) - cue.start())]
                    words = _CONNECTIVES_AT_END.sub("", words)
                builder.vehicles["trade_in"] = {"description": words.strip(" .,;:")}
                return
