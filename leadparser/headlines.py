"""The vehicle and the reference a lead e-mail names without a label: in its subject, or in the
short headline lines above its first field ("Volkswagen Golf 1.5 TSI Life" under "…interest in
the following car:"). Portal templates and the generic label reader both fall back on these."""

from __future__ import annotations

import re

from leadparser.builder import LeadBuilder
from leadparser.html_text import html_to_text
from leadparser.makes import vehicle_in_text
from leadparser.message import Message
from leadparser.normalize import clean

HEADLINE_SCAN_CHARS = 4000
_MAX_HEADLINE = 120  # "…a répondu à votre annonce « Renault Clio V 1.0 TCe » publiée sur …"
_FIELD_LINE = re.compile(r"^[^:：]{1,60}[:：]\s*\S")  # "Naam: Jan"; not "…the following car:"
# "réf. 1245879632", "(ref. 7731042)", "(Anzeigennr.: 2618345571)": an id the subject alone
# carries. The id holds a digit, so "Ref: your enquiry" is none.
_SUBJECT_REFERENCE = re.compile(
    r"\b(?:r[ée]f(?:[ée]rence|erentie|erencia|erenz)?|anzeigen-?nr|anzeigennummer|inserat-?nr|"
    r"advertentie(?:nummer|-?id)|annonce n[°o]|ad id|listing id|anuncio)\.?\s*[:#]?\s*"
    r"(?:n[°ºo]\.?\s*)?([A-Za-z0-9][A-Za-z0-9-]{2,30})",
    re.IGNORECASE,
)


def headlines(message: Message) -> list[str]:
    """The short lines above the first field line: a portal's headline ("CUPRA Born 58 kWh
    204 CV") sits there, between the greeting and the fields. A line ending in a colon ("…about
    the following car:") introduces the headline and does not end the search."""
    if message.texts:
        text = message.texts[0]
    else:
        text = html_to_text(message.htmls[0]) if message.htmls else ""
    lines = []
    for line in text[:HEADLINE_SCAN_CHARS].splitlines()[:20]:
        line = line.strip()
        if _FIELD_LINE.match(line):
            break
        if 3 < len(line) <= _MAX_HEADLINE:
            lines.append(line)
    return lines


def vehicle_from_title(
    builder: LeadBuilder, title: str | None, subject: str | None, lines: list[str]
) -> None:
    """Make, model, trim and year from the ad title, else the subject, else a headline in the
    body, when no label gave them."""
    wanted = builder.vehicles["vehicle"]
    if wanted.get("make") or wanted.get("model"):
        return
    found = None
    for text in (title, wanted.get("description"), subject, *lines):
        found = vehicle_in_text(text)
        if found:
            break
    if found is None:
        if title:
            builder.set("vehicle.description", title)
        return
    prose = wanted.pop("description", None)
    if prose:
        wanted.setdefault("prose", prose)  # its price and mileage are still the car's
    for key in ("make", "model", "trim", "year"):
        if found.get(key) is not None:
            wanted.setdefault(key, str(found[key]))


def reference_in_subject(subject: str | None) -> str | None:
    """The ad or enquiry reference written in the subject only, if it holds a digit."""
    for match in _SUBJECT_REFERENCE.finditer(subject or ""):
        found = match.group(1).strip("-")
        if any(c.isdigit() for c in found):
            return clean(found)
    return None


# "12.900 € VB", "£7,495", "€ 8.950,-", "11 200 € négociable": a price alone on its line.
_PRICE_LINE = re.compile(
    r"^\s*(?:[€£$]|EUR|CHF)?\s?\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})*(?:[.,]\d{2}|,-)?\s?"
    r"(?:€|EUR|euros?|£|CHF)?\s*(?:VB|VHB|Festpreis|n\.?o\.?t\.?k\.?|o\.?n\.?o\.?|"
    r"negociable|n[ée]gociable|negotiable|bespreekbaar|trattabile|o\.?b\.?o\.?)?\s*$",
    re.IGNORECASE,
)


_TITLE_SEPARATOR = re.compile(r"\s[-–|·]\s")
_CURRENCY = r"[€£$]|EUR|CHF|euro"


def price_below_title(builder: LeadBuilder, lines: list[str]) -> None:
    """A classified ad's card: its title, and on the next line its price ("BMW 118i Advantage" /
    "12.900 € VB"), or the price last on the title's own line. Only there: a bid or an offer
    stands elsewhere in the mail."""
    if builder.vehicles["vehicle"].get("price"):
        return
    for index, line in enumerate(lines):
        if vehicle_in_text(line) is None:
            continue
        # "Volkswagen Golf 1.5 TSI | 2020 - € 18.950,-": the card on one line, price last.
        last = _TITLE_SEPARATOR.split(line)[-1]
        if last != line and re.search(_CURRENCY, last, re.I) and _PRICE_LINE.match(last):
            builder.set("vehicle.price", last)
            return
        if index + 1 >= len(lines):
            return
        below = lines[index + 1]
        has_currency = re.search(_CURRENCY, below, re.IGNORECASE)
        if has_currency and _PRICE_LINE.match(below):
            builder.set("vehicle.price", below)
        elif has_currency:
            _card_line(builder, below)
        return


def _card_line(builder: LeadBuilder, line: str) -> None:
    """The card's facts on one line: "23.500 € · 2019 · 54.000 km · Híbrido". Read only when
    every part is a price, a year, a mileage or a word or two (fuel, gearbox)."""
    parts = [p for p in _CARD_SEPARATOR.split(line.strip()) if p]
    if len(parts) < 2:
        return
    facts: dict[str, str] = {}
    for part in parts:
        kind = next((k for k, pattern in _CARD_PARTS if pattern.match(part)), None)
        if kind is None and (re.search(r"\d", part) or len(part.split()) > 2):
            return
        if kind:
            facts.setdefault(kind, part)
    if "price" in facts:
        for kind, value in facts.items():
            builder.set(f"vehicle.{kind}", value)


_CARD_SEPARATOR = re.compile(r"\s+[·•|–-]\s+|\s*[·•|]\s*")
_CARD_PARTS = (
    ("price", _PRICE_LINE),
    ("year", re.compile(r"^(?:\d{2}/)?(?:19[5-9]\d|20[0-4]\d)$")),
    ("mileage", re.compile(r"^\d{1,3}(?:[.,\s\u00a0\u202f']\d{3})*\s?(?:km|mi|miles)$", re.I)),
)
