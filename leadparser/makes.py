"""Known car makes, and splitting a free-text vehicle ("Peugeot 308 1.2 PureTech 130 Allure")."""

from __future__ import annotations

import re

from leadparser.normalize import fold

# Canonical spelling of makes sold in Europe, the US and Asia, including micro-car (licence-free)
# brands that our dealerships sell. Order does not matter; matching is case/accent-insensitive.
MAKES: tuple[str, ...] = (
    "Abarth", "AC", "Acura", "Aiways", "Aixam", "Alfa Romeo", "Alpina", "Alpine", "Ariel",
    "Aston Martin", "Audi", "Austin", "Autobianchi", "BAIC", "Bellier", "Bentley", "BMW",
    "Borgward", "Brilliance", "Bugatti", "Buick", "BYD", "Cadillac", "Casalini", "Caterham",
    "Changan", "Chatenet", "Chery", "Chevrolet", "Chrysler", "Citroën", "Cupra", "Dacia",
    "Daewoo", "DAF", "Daihatsu", "Datsun", "Dodge", "Donkervoort", "DR", "DS", "Elaris",
    "Estrima", "Ferrari", "Fiat", "Fisker", "Ford", "Geely", "Genesis", "GMC", "Great Wall",
    "Grecav", "Hongqi", "Honda", "Hummer", "Hyundai", "Ineos", "Infiniti", "Isuzu", "Iveco",
    "JAC", "Jaguar", "Jeep", "Kia", "KGM", "Koenigsegg", "Lada", "Lamborghini", "Lancia",
    "Land Rover", "Leapmotor", "Lexus", "Ligier", "Lincoln", "Lotus", "Lucid", "Lynk & Co",
    "MAN", "Maserati", "Maxus", "Maybach", "Mazda", "McLaren", "Mercedes-Benz", "Mercury",
    "MG", "Microcar", "Micro", "Mini", "Mitsubishi", "Morgan", "NIO", "Nissan", "Opel", "ORA",
    "Peugeot", "Piaggio", "Plymouth", "Polestar", "Pontiac", "Porsche", "Proton", "RAM",
    "Renault", "Rivian", "Rolls-Royce", "Rover", "Saab", "Seat", "Seres", "Skoda", "Smart",
    "SsangYong", "Subaru", "Suzuki", "Tata", "Tazzari", "Tesla", "Toyota", "Triumph", "TVR",
    "Vauxhall", "VinFast", "Volkswagen", "Volvo", "Wiesmann", "XPeng", "Zeekr", "Zhidou",
    "Birò", "Club Car", "Goupil", "Mega", "Renault Trucks", "Aiways", "Omoda", "Jaecoo",
    "Lynk&Co", "Morris", "Triumph", "Trabant", "Wartburg", "Simca", "Talbot", "Innocenti",
    "Carver", "Sono", "e.GO", "Microlino", "XEV", "Silence",
)  # fmt: skip

# Other spellings people and portals use, mapped to the canonical make.
ALIASES: dict[str, str] = {
    "vw": "Volkswagen", "volkswagen vw": "Volkswagen", "mercedes": "Mercedes-Benz",
    "mercedes benz": "Mercedes-Benz", "mb": "Mercedes-Benz", "citroen": "Citroën",
    "škoda": "Skoda", "alfa": "Alfa Romeo", "landrover": "Land Rover", "range rover": "Land Rover",
    "rolls royce": "Rolls-Royce", "ds automobiles": "DS", "mini cooper": "Mini",
    "ssang yong": "SsangYong", "lynk co": "Lynk & Co", "lynk&co": "Lynk & Co", "chevy": "Chevrolet",
    "bmw i": "BMW", "smart fortwo": "Smart", "micro car": "Microcar", "mg motor": "MG",
}  # fmt: skip

# Models of more than one word, so "Range Rover Sport HSE" keeps its model whole.
MULTIWORD_MODELS: tuple[str, ...] = (
    "range rover sport", "range rover evoque", "range rover velar", "range rover",
    "model 3", "model s", "model x", "model y", "grand cherokee", "grand c4 picasso",
    "grand c4 spacetourer", "grand scenic", "c4 picasso", "grand vitara", "grand santa fe",
    "santa fe", "land cruiser", "rav 4", "cx 5", "id. 3", "id. 4", "e up!", "up!",
    "new beetle", "c4 cactus", "c5 aircross", "c3 aircross", "discovery sport",
)  # fmt: skip

# A token that starts the trim: engine size, power, fuel/engine codes, equipment lines.
_TRIM_START = re.compile(
    r"^(?:\d\.\d|\d{2,3}(?:pk|cv|ps|hp|kw)|(?:pk|cv|ps|hp|kw)$|"
    r"tdi|tsi|etsi|tfsi|tce|dci|hdi|bluehdi|puretech|thp|vti|cdi|crdi|gdi|t-gdi|mpi|ecoboost|"
    r"multijet|jtd|jtdm|d4d|skyactiv|hybrid|phev|hev|mhev|ev|e-tech|automaat|automatic|aut|"
    r"elegance|allure|active|style|comfort|business|premium|luxury|sport|sportline|gt|gti|gtd|"
    r"line|edition|limited|titanium|trend|ambiente|ambition|highline|comfortline|trendline|"
    r"intens|zen|life|techno|iconic|shine|feel|shine|exclusive|platinum|advance|dynamic|"
    r"executive|lounge|pop|young|initiale|r-line|amg|m-sport|s-line|st-line|xdrive|quattro|4x4|"
    r"awd|4wd|sw|break|estate|kombi|avant|touring|sportback|variant|berline|cabrio|cabriolet|"
    r"coupe|hatchback|sedan|limousine|van|\d-?deurs|\d-?portes|\d-?turer)$",
    re.IGNORECASE,
)


def _key(text: str) -> str:
    return fold(text.replace("-", " ").replace("&", " ")).replace("  ", " ").strip()


_MAKE_INDEX: dict[str, str] = {_key(m): m for m in MAKES}
_MAKE_INDEX.update({_key(alias): make for alias, make in ALIASES.items()})
_MAX_MAKE_WORDS = max(len(k.split()) for k in _MAKE_INDEX)


def canonical_make(text: str | None) -> str | None:
    """The canonical spelling of a known make, else the text as given."""
    if not text:
        return None
    return _MAKE_INDEX.get(_key(text), text.strip())


def is_known_make(text: str) -> bool:
    return _key(text) in _MAKE_INDEX


def split_make(text: str) -> tuple[str | None, str]:
    """('Peugeot', '308 1.2 PureTech') when the text starts with a known make, else (None, text)."""
    tokens = text.split()
    for size in range(min(_MAX_MAKE_WORDS, len(tokens)), 0, -1):
        make = _MAKE_INDEX.get(_key(" ".join(tokens[:size])))
        if make:
            rest = " ".join(tokens[size:])
            # "Range Rover Evoque": the alias names the make, the words stay the model.
            if make == "Land Rover" and _key(tokens[0]) == "range":
                rest = text.strip()
            return make, rest
    return None, text.strip()


def split_model(text: str) -> tuple[str | None, str | None]:
    """'308 1.2 PureTech 130 Allure' -> ('308', '1.2 PureTech 130 Allure'); 'Myli G.4' stays whole.

    The trim starts at the first token that reads as engine, power, fuel or equipment line; without
    such a token a short text (two words) is all model and a longer one is model + trim.
    """
    tokens = text.split()
    if not tokens:
        return None, None
    folded = _key(text)
    for model in MULTIWORD_MODELS:
        if folded == model or folded.startswith(model + " "):
            size = len(model.split())
            return " ".join(tokens[:size]), (" ".join(tokens[size:]) or None)
    for index, token in enumerate(tokens[1:], start=1):
        if _TRIM_START.match(token.strip(",;")):
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    if len(tokens) <= 2:
        return text.strip(), None
    return tokens[0], " ".join(tokens[1:])


def split_vehicle(text: str | None, make: str | None = None) -> dict:
    """Make/model/trim from free text; a separately given make is stripped off the text's front."""
    result: dict = {"make": canonical_make(make), "model": None, "trim": None}
    if not text or not text.strip():
        return result
    rest = text.strip()
    found, after = split_make(rest)
    if found and (result["make"] is None or _key(found) == _key(result["make"])):
        result["make"], rest = found, after
    if rest:
        result["model"], result["trim"] = split_model(rest)
    return result
