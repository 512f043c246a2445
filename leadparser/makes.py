"""The make/model catalogue, and reading a vehicle from free text ("Peugeot 308 1.2 PureTech 130
Allure", an ad title, a subject line "Anfrage zu Ihrem Inserat: VW Golf 1.5 TSI, 2021").

Makes are spelled as their makers spell them (SEAT, ŠKODA, MINI, CUPRA, DS): what a salesperson
reads in the lead is what stands on the car. Lookups go through a folded key (case, accents,
hyphens and "&" ignored): one dict access per token. The catalogue is plain data below.
"""

from __future__ import annotations

import re

from leadparser.normalize import fold

# Canonical spelling of makes sold in Europe, the US and Asia, including micro-car (licence-free)
# brands that our dealerships sell. Order does not matter; matching is case/accent-insensitive.
MAKES: tuple[str, ...] = (
    "Abarth", "AC", "Acura", "Aiways", "Aixam", "Alfa Romeo", "Alpina", "Alpine", "Ariel",
    "Aston Martin", "Audi", "Austin", "Autobianchi", "BAIC", "Bellier", "Bentley", "BMW",
    "Borgward", "Brilliance", "Bugatti", "Buick", "BYD", "Cadillac", "Casalini", "Caterham",
    "Changan", "Chatenet", "Chery", "Chevrolet", "Chrysler", "Citroën", "CUPRA", "Dacia",
    "Daewoo", "DAF", "Daihatsu", "Datsun", "Dodge", "Donkervoort", "DR", "DS", "Elaris",
    "Estrima", "Ferrari", "Fiat", "Fisker", "Ford", "Geely", "Genesis", "GMC", "Great Wall",
    "Grecav", "Hongqi", "Honda", "Hummer", "Hyundai", "Ineos", "Infiniti", "Isuzu", "Iveco",
    "JAC", "Jaguar", "Jeep", "Kia", "KGM", "Koenigsegg", "Lada", "Lamborghini", "Lancia",
    "Land Rover", "Leapmotor", "Lexus", "Ligier", "Lincoln", "Lotus", "Lucid", "Lynk & Co",
    "MAN", "Maserati", "Maxus", "Maybach", "Mazda", "McLaren", "Mercedes-Benz", "Mercury",
    "MG", "Microcar", "Micro", "MINI", "Mitsubishi", "Morgan", "NIO", "Nissan", "Opel", "ORA",
    "Peugeot", "Piaggio", "Plymouth", "Polestar", "Pontiac", "Porsche", "Proton", "RAM",
    "Renault", "Rivian", "Rolls-Royce", "Rover", "Saab", "SEAT", "Seres", "ŠKODA", "smart",
    "SsangYong", "Subaru", "Suzuki", "Tata", "Tazzari", "Tesla", "Toyota", "Triumph", "TVR",
    "Vauxhall", "VinFast", "Volkswagen", "Volvo", "Wiesmann", "XPeng", "Zeekr", "Zhidou",
    "Birò", "Club Car", "Goupil", "Mega", "Renault Trucks", "Omoda", "Jaecoo", "Morris",
    "Trabant", "Wartburg", "Simca", "Talbot", "Innocenti", "Carver", "Sono", "e.GO",
    "Microlino", "XEV", "Silence", "BYD", "Skywell", "Smart",
)  # fmt: skip

# Other spellings people and portals use, mapped to the canonical make.
ALIASES: dict[str, str] = {
    "vw": "Volkswagen", "volkswagen vw": "Volkswagen", "mercedes": "Mercedes-Benz",
    "mercedes benz": "Mercedes-Benz", "mb": "Mercedes-Benz", "citroen": "Citroën",
    "alfa": "Alfa Romeo", "landrover": "Land Rover", "range rover": "Land Rover",
    "rolls royce": "Rolls-Royce", "ds automobiles": "DS",
    "ssang yong": "SsangYong", "lynk co": "Lynk & Co", "lynk&co": "Lynk & Co", "chevy": "Chevrolet",
    "bmw i": "BMW", "smart fortwo": "smart", "micro car": "Microcar", "mg motor": "MG",
    "cupra seat": "CUPRA", "seat cupra": "CUPRA", "vw nutzfahrzeuge": "Volkswagen",
    "volkswagen nutzfahrzeuge": "Volkswagen", "vw commercial vehicles": "Volkswagen",
    "mercedes amg": "Mercedes-Benz", "mercedes-amg": "Mercedes-Benz", "kia motors": "Kia",
}  # fmt: skip
_SPELLING = {"smart": "smart"}  # the catalogue names the brand twice; the maker writes "smart"

# Models per make, as the maker writes them. A model of several words ("Range Rover Sport",
# "Model 3", "ID. Buzz") is matched whole; the longest model that fits wins.
MODELS: dict[str, tuple[str, ...]] = {
    "Abarth": ("500", "595", "695", "500e", "600e"),
    "Alfa Romeo": ("Giulia", "Giulietta", "Stelvio", "Tonale", "Junior", "MiTo", "Brera", "159"),
    "Audi": ("A1", "A3", "A4", "A4 Allroad", "A5", "A6", "A6 Allroad", "A7", "A8", "Q2", "Q3",
             "Q4 e-tron", "Q5", "Q6 e-tron", "Q7", "Q8", "Q8 e-tron", "e-tron", "e-tron GT", "TT",
             "R8", "RS3", "RS4", "RS6", "S3", "S4"),
    "BMW": ("1er", "2er", "3er", "4er", "5er", "7er", "X1", "X2", "X3", "X4", "X5", "X6", "X7",
            "iX", "iX1", "iX3", "i3", "i4", "i5", "i7", "Z4", "M2", "M3", "M4", "116i", "118i",
            "120i", "218i", "318i", "320i", "320d", "330e", "520d", "530e"),
    "BYD": ("Atto 3", "Dolphin", "Seal", "Seal U", "Han", "Tang", "Sealion 7"),
    "Citroën": ("C1", "C3", "C3 Aircross", "C4", "C4 X", "C4 Cactus", "C4 Picasso",
                "Grand C4 Picasso", "Grand C4 SpaceTourer", "C5", "C5 Aircross", "C5 X",
                "Berlingo", "SpaceTourer", "Jumpy", "Jumper", "Ami", "ë-C4", "ë-C3", "DS3"),
    "CUPRA": ("Born", "Formentor", "Leon", "Ateca", "Tavascan", "Terramar"),
    "Dacia": ("Sandero", "Sandero Stepway", "Duster", "Jogger", "Spring", "Logan", "Bigster"),
    "DS": ("3", "3 Crossback", "4", "7", "7 Crossback", "9", "N°4", "N°8"),
    "Fiat": ("500", "500e", "500X", "500L", "600", "Panda", "Tipo", "Punto", "Doblò", "Ducato",
             "Grande Panda", "Fiorino", "Qubo"),
    "Ford": ("Fiesta", "Focus", "Puma", "Kuga", "Mondeo", "Mustang", "Mustang Mach-E",
             "Explorer", "EcoSport", "S-Max", "Galaxy", "Ranger", "Transit", "Transit Custom",
             "Tourneo Connect", "Tourneo Custom", "Ka", "C-Max", "B-Max"),
    "Honda": ("Jazz", "Civic", "HR-V", "CR-V", "ZR-V", "e:Ny1", "e"),
    "Hyundai": ("i10", "i20", "i30", "Kona", "Tucson", "Santa Fe", "Ioniq", "Ioniq 5",
                "Ioniq 6", "Bayon", "ix35", "Inster"),
    "Jaguar": ("E-Pace", "F-Pace", "I-Pace", "XE", "XF", "F-Type"),
    "Jeep": ("Renegade", "Compass", "Avenger", "Wrangler", "Cherokee", "Grand Cherokee"),
    "Kia": ("Picanto", "Rio", "Stonic", "Ceed", "Ceed SW", "ProCeed", "XCeed", "Niro", "e-Niro",
            "Sportage", "Sorento", "EV3", "EV6", "EV9", "Soul", "e-Soul"),
    "Land Rover": ("Range Rover", "Range Rover Sport", "Range Rover Evoque", "Range Rover Velar",
                   "Defender", "Discovery", "Discovery Sport", "Freelander"),
    "Lexus": ("CT", "UX", "NX", "RX", "ES", "IS", "LBX", "RZ"),
    "Ligier": ("JS50", "JS60", "Pulse 4"),  # "Myli G.4": the whole name is the model
    "Lynk & Co": ("01", "02", "08"),
    "Mazda": ("2", "3", "6", "CX-3", "CX-30", "CX-5", "CX-60", "CX-80", "MX-5", "MX-30"),
    "Mercedes-Benz": ("A-Klasse", "B-Klasse", "C-Klasse", "E-Klasse", "S-Klasse", "A-Class",
                      "B-Class", "C-Class", "E-Class", "S-Class", "CLA", "CLA Shooting Brake",
                      "CLS", "GLA", "GLB", "GLC", "GLC Coupé", "GLE", "GLS", "G-Klasse", "EQA",
                      "EQB", "EQC", "EQE", "EQS", "Vito", "V-Klasse", "Sprinter", "Citan", "SL",
                      "AMG GT"),
    "MG": ("MG4", "MG5", "ZS", "ZS EV", "HS", "EHS", "Marvel R", "Cyberster", "MG3"),
    "MINI": ("Cooper", "Cooper S", "Cooper SE", "One", "Countryman", "Clubman", "Paceman",
             "Aceman", "Cabrio", "John Cooper Works"),
    "Mitsubishi": ("Space Star", "ASX", "Eclipse Cross", "Outlander", "Colt", "L200"),
    "Nissan": ("Micra", "Juke", "Qashqai", "X-Trail", "Leaf", "Ariya", "Note", "Navara"),
    "Opel": ("Corsa", "Corsa-e", "Astra", "Astra Sports Tourer", "Mokka", "Mokka-e", "Crossland",
             "Crossland X", "Grandland", "Grandland X", "Insignia", "Zafira", "Combo", "Vivaro",
             "Movano", "Adam", "Karl", "Meriva", "Frontera"),
    "Peugeot": ("108", "208", "e-208", "2008", "e-2008", "308", "308 SW", "e-308", "3008",
                "e-3008", "408", "508", "508 SW", "5008", "Rifter", "Partner", "Expert",
                "Boxer", "Traveller", "107", "207", "307"),
    "Polestar": ("2", "3", "4"),
    "Porsche": ("911", "718 Cayman", "718 Boxster", "Cayenne", "Macan", "Panamera", "Taycan"),
    "Renault": ("Twingo", "Clio", "Captur", "Mégane", "Mégane E-Tech", "Arkana",
                "Austral", "Espace", "Kadjar", "Koleos", "Scénic", "Grand Scénic", "ZOE", "Kangoo", "Trafic", "Master", "Talisman", "Symbioz", "Rafale",
                "R5", "5 E-Tech"),
    "SEAT": ("Ibiza", "Arona", "León", "Ateca", "Tarraco", "Mii", "Alhambra", "Toledo"),
    "ŠKODA": ("Fabia", "Scala", "Octavia", "Octavia Combi", "Superb", "Kamiq", "Karoq", "Kodiaq",
              "Enyaq", "Elroq", "Citigo", "Rapid", "Yeti"),
    "smart": ("fortwo", "forfour", "#1", "#3"),
    "Subaru": ("Impreza", "XV", "Forester", "Outback", "Solterra", "Crosstrek"),
    "Suzuki": ("Swift", "Ignis", "Vitara", "S-Cross", "Jimny", "Across", "Swace", "Baleno"),
    "Tesla": ("Model 3", "Model S", "Model X", "Model Y", "Cybertruck"),
    "Toyota": ("Aygo", "Aygo X", "Yaris", "Yaris Cross", "Corolla", "Corolla Cross",
               "Corolla Touring Sports", "C-HR", "RAV4", "Prius", "bZ4X", "Land Cruiser",
               "Hilux", "Proace", "Proace City", "Camry", "Auris", "Supra", "GR86"),
    "Volkswagen": ("Polo", "Golf", "Golf Variant", "Golf GTI", "Golf GTE", "Golf Plus",
                   "T-Roc", "T-Cross", "Taigo", "Tiguan", "Tiguan Allspace", "Touareg", "Passat",
                   "Passat Variant", "Arteon", "Touran", "Sharan", "up!", "e-up!",
                   "ID.3", "ID.4", "ID.5", "ID.7", "ID. Buzz", "ID.Buzz", "Caddy", "Transporter",
                   "Multivan", "California", "Crafter", "Amarok", "Scirocco", "Beetle",
                   "New Beetle", "Caravelle"),
    "Volvo": ("XC40", "XC60", "XC90", "EX30", "EX40", "EX90", "C40", "V40", "V60", "V90", "S60",
              "S90"),
}  # fmt: skip

# Models of more than one word not in a make's list (the make is unknown or absent).
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
    return " ".join(fold(text.replace("-", " ").replace("&", " ")).split())


_MAKE_INDEX: dict[str, str] = {_key(m): m for m in MAKES}
_MAKE_INDEX.update({_key(alias): make for alias, make in ALIASES.items()})
_MAKE_INDEX.update({_key(k): v for k, v in _SPELLING.items()})
_MAX_MAKE_WORDS = max(len(k.split()) for k in _MAKE_INDEX)
# make -> first word of a model's key -> the model keys starting with it, longest first.
_MODEL_INDEX: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
for _make, _models in MODELS.items():
    _by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for _model in _models:
        _words = tuple(_key(_model).split())
        _by_first.setdefault(_words[0], []).append((_words, _model))
    for _entries in _by_first.values():
        _entries.sort(key=lambda entry: -len(entry[0]))
    _MODEL_INDEX[_make] = _by_first
_WORDS_TOO = frozenset({
    "ac", "dr", "ds", "mg", "man", "mega", "micro", "mini", "ram", "seat", "smart", "sono",
    "silence", "genesis", "mercury", "alpine", "triumph", "carver", "ora", "tata", "lotus", "mb",
    "jac", "club car", "alfa", "chevy", "micro car",
})  # fmt: skip
_YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?![\d.,])")
# Where a headline's vehicle ends: "| AutoScout24", " - 18.990 €", "(2021)", ", 54.300 km".
_HEADLINE_END = re.compile(r"\s+[|–—-]\s+|\s*[|(\[]|,\s+(?=\d)|\s+(?=\d[\d.\s]*\s?(?:km|€|eur)\b)")


def canonical_make(text: str | None) -> str | None:
    """The maker's spelling of a known make, else the text as given."""
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


def catalogue_model(make: str | None, text: str) -> tuple[str, str | None] | None:
    """(model as the maker writes it, the rest) when ``text`` starts with a catalogued model."""
    index = _MODEL_INDEX.get(make or "")
    tokens = text.split()
    if not index or not tokens:
        return None
    keys = _key(text).split()
    for words, model in index.get(keys[0], ()):
        if tuple(keys[: len(words)]) == words:
            # The text's own tokens may hold a hyphen the key split: count by the key's words.
            taken, used = 0, 0
            while taken < len(words) and used < len(tokens):
                taken += len(_key(tokens[used]).split()) or 1
                used += 1
            return model, (" ".join(tokens[used:]) or None)
    return None


def split_model(text: str, make: str | None = None) -> tuple[str | None, str | None]:
    """'308 1.2 PureTech 130 Allure' -> ('308', '1.2 PureTech 130 Allure'); 'Myli G.4' stays whole.

    A model from the make's catalogue wins (in the maker's spelling); else the trim starts at the first token that reads
    as engine, power, fuel or equipment line; without one a short text (two words) is all model
    and a longer one is model + trim.
    """
    tokens = text.split()
    if not tokens:
        return None, None
    known = catalogue_model(make, text)
    if known:
        return known
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
    elif result["make"] is None:
        result["make"] = make_of_model(rest)  # "kona electric": only Hyundai builds a Kona
    if rest:
        result["model"], result["trim"] = split_model(rest, result["make"])
    return result


def vehicle_in_text(text: str | None) -> dict | None:
    """Make, model, trim and year named somewhere in a headline, ad title or subject line.

    "Anfrage zu Ihrem Inserat: VW Golf 1.5 TSI Life, 2021" -> Volkswagen / Golf / 1.5 TSI Life /
    2021. The vehicle starts at the first known make (one dict lookup per token and window size)
    and ends at a separator, a price or a mileage. None when no known make is named.
    """
    if not text:
        return None
    tokens = text.split()
    for start in range(len(tokens)):
        for size in range(min(_MAX_MAKE_WORDS, len(tokens) - start), 0, -1):
            window = " ".join(tokens[start : start + size]).strip(":,;\"'«»()")
            key = _key(window)
            # "a mini van", "smart choice": a make in prose is capitalised, a few are words too.
            if key in _MAKE_INDEX and (window[:1].isupper() or key not in _WORDS_TOO):
                found = _from_make_on(" ".join(tokens[start:]), text)
                if found:
                    return found
    return None


def _from_make_on(tail: str, whole: str) -> dict | None:
    tail = tail.strip(":,;\"'«» ")
    cut = _HEADLINE_END.search(tail)
    head = tail[: cut.start()] if cut else tail
    # 'Anzeige "BMW 118i Advantage" (Anzeigennr. …)': the closing quote is no part of the trim.
    found = split_vehicle(" ".join(head.split()).strip("\"'«»“”„‘’‹› "))
    if not found["make"]:
        return None
    # A year in the trim ("Golf 1.5 TSI 2021"), never the model ("Peugeot 2008"), else one
    # anywhere in the text ("2021 MINI Cooper S", "BMW 320d, 2020").
    trim = found["trim"] or ""
    in_trim = _YEAR.search(trim)
    if in_trim:
        found["trim"] = (trim[: in_trim.start()] + trim[in_trim.end() :]).strip(" ,-/") or None
        return {**found, "year": int(in_trim.group(1))}
    model_year = _YEAR.fullmatch(found["model"] or "")
    for match in _YEAR.finditer(whole):
        if not (model_year and match.group(1) == model_year.group(1)):
            return {**found, "year": int(match.group(1))}
    return {**found, "year": None}


def _model_makes() -> dict[str, str]:
    """Folded first word of a model -> its make, for the models only one make builds and whose
    name is a word ("Austral", "Golf"), not a number that other makes' models also are."""
    seen: dict[str, set[str]] = {}
    for make, models in MODELS.items():
        for model in models:
            key = _key(model.split()[0])
            if len(key) >= 3 and re.search(r"[a-z]", key):
                seen.setdefault(key, set()).add(make)
    return {key: next(iter(makes)) for key, makes in seen.items() if len(makes) == 1}


_MODEL_MAKES = _model_makes()


def make_of_model(text: str | None) -> str | None:
    """The make of a model named alone ("Austral E-Tech full hybrid" -> Renault), if only one
    make builds a model of that name."""
    words = (text or "").split()
    return _MODEL_MAKES.get(_key(words[0])) if words else None
