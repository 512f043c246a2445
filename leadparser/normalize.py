"""Small value normalisers shared by all parsers: text, numbers, money, mileage, plates, e-mail."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

KM_PER_MILE = Decimal("1.609344")

# Regions whose odometers (and so their unlabelled mileages) count in miles.
MILE_REGIONS = frozenset({"GB", "US", "LR", "MM"})

_EURO_REGIONS = frozenset(
    [
        "AT",
        "BE",
        "CY",
        "DE",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PT",
        "SI",
        "SK",
        "MC",
        "SM",
        "VA",
        "AD",
        "ME",
        "XK",
    ]
)
_REGION_CURRENCY = {
    "GB": "GBP", "CH": "CHF", "LI": "CHF", "US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD",
    "DK": "DKK", "SE": "SEK", "NO": "NOK", "IS": "ISK", "PL": "PLN", "CZ": "CZK", "HU": "HUF",
    "RO": "RON", "BG": "BGN", "TR": "TRY", "JP": "JPY", "ZA": "ZAR",
}  # fmt: skip
# Longest first so "US$" wins over "$" and "EUR" is not read as a stray "E".
_CURRENCY_MARKERS = [
    ("us$", "USD"), ("€", "EUR"), ("eur", "EUR"), ("euro", "EUR"), ("£", "GBP"), ("gbp", "GBP"),
    ("chf", "CHF"), ("sfr", "CHF"), ("$", "USD"), ("usd", "USD"), ("zł", "PLN"), ("pln", "PLN"),
    ("kč", "CZK"), ("czk", "CZK"), ("sek", "SEK"), ("dkk", "DKK"), ("nok", "NOK"), ("huf", "HUF"),
]  # fmt: skip
_KR_BY_REGION = {"SE": "SEK", "DK": "DKK", "NO": "NOK", "IS": "ISK"}

_NUMBER_RE = re.compile(r"\d[\d.,'’\s\u00a0\u202f]*")


def clean(value: object) -> str | None:
    """A stripped string, or None for missing/blank values (the schema never holds '')."""
    if value is None:
        return None
    text = str(value).replace("\u00a0", " ").strip()
    return text or None


def collapse_ws(text: str | None) -> str | None:
    if text is None:
        return None
    return clean(" ".join(text.split()))


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Téléphone ' -> 'telephone'."""
    if text.isascii():  # nothing to decompose
        return " ".join(text.casefold().split())
    # Labels and short values come back message after message: fold them once.
    return _fold_short(text) if len(text) <= 80 else _fold(text)


@lru_cache(maxsize=8192)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def join_comments(pieces: list[str | None]) -> str | None:
    """Each piece whitespace-collapsed, pieces on their own line, duplicates dropped."""
    out: list[str] = []
    for piece in pieces:
        text = collapse_ws(piece)
        if text and text not in out:
            out.append(text)
    return "\n".join(out) or None


def parse_decimal(text: str | None) -> Decimal | None:
    """Read a number written the European or the English way.

    "45.000" -> 45000, "21.950,00" -> 21950.00, "18 990 €" -> 18990, "1,250.50" -> 1250.50,
    "12.500,-" -> 12500. A lone separator followed by exactly three digits is a thousands
    separator; that is how dealers write prices and mileages, never as 45.000 km meaning 45 km.
    """
    if not text:
        return None
    text = re.sub(r"[.,]\s*[-–—]+", "", str(text))  # "12.500,-" style: no cents
    match = _NUMBER_RE.search(text)
    if not match:
        return None
    raw = re.sub(r"[\s'’\u00a0\u202f]", "", match.group()).rstrip(".,")
    if "," in raw and "." in raw:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        raw = raw.replace(thousands, "").replace(decimal_sep, ".")
    else:
        for sep in ",.":
            if sep not in raw:
                continue
            groups = raw.split(sep)
            is_thousands = len(groups) > 2 or len(groups[-1]) == 3
            raw = raw.replace(sep, "") if is_thousands else raw.replace(sep, ".")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def format_amount(amount: Decimal) -> str:
    """'21950' for whole amounts, else two decimals: the schema pattern allows at most two."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return str(amount.quantize(Decimal("0.01")))


def region_currency(region: str) -> str:
    region = (region or "").upper()
    if region in _EURO_REGIONS:
        return "EUR"
    return _REGION_CURRENCY.get(region, "EUR")


def detect_currency(text: str, region: str) -> str | None:
    low = text.casefold()
    for marker, code in _CURRENCY_MARKERS:
        if marker.isalpha():
            if re.search(rf"(?<![a-z]){re.escape(marker)}(?![a-z])", low):
                return code
        elif marker in low:
            return code
    if re.search(r"(?<![a-z])kr\.?(?![a-z])", low):
        return _KR_BY_REGION.get(region.upper(), "SEK")
    if re.search(r"(?<![a-z])fr\.(?![a-z])", low):
        return "CHF"
    return None


def parse_price(text: object, *, currency: str | None = None, region: str = "NL") -> dict | None:
    raw = clean(text)
    if raw is None:
        return None
    amount = parse_decimal(raw)
    if amount is None or amount < 0:
        return None
    code = clean(currency)
    code = code.upper() if code and re.fullmatch(r"[A-Za-z]{3}", code) else None
    code = code or detect_currency(raw, region) or region_currency(region)
    return {"amount": format_amount(amount), "currency": code}


def parse_mileage(text: object, *, units: str | None = None, region: str = "NL") -> int | None:
    """Kilometres as an int; miles (by unit word or the region's habit) are converted."""
    raw = clean(text)
    if raw is None:
        return None
    value = parse_decimal(raw)
    if value is None:
        return None
    unit = fold(units or "")
    if not unit:
        if re.search(r"\b(mi|miles?|mijl|meilen|millas?)\b", fold(raw)):
            unit = "mi"
        elif re.search(r"km|kilom", fold(raw)):
            unit = "km"
        else:
            unit = "mi" if region.upper() in MILE_REGIONS else "km"
    if unit.startswith("mi"):
        value = value * KM_PER_MILE
    return int(value.quantize(Decimal("1"), rounding="ROUND_HALF_UP"))


def parse_year(text: object) -> int | None:
    raw = clean(text)
    if raw is None:
        return None
    match = re.search(r"(?<!\d)(19[0-9]{2}|20[0-9]{2}|2100)(?!\d)", raw)
    return int(match.group(1)) if match else None


def normalize_registration(text: object) -> str | None:
    raw = clean(text)
    if raw is None:
        return None
    plate = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKD", raw)).upper()
    return plate or None


_PLATE_WORDS = (
    r"kenteken|nummerplaat|immatriculation|plaque|kennzeichen|nummernschild|matr[ií]cula|"
    r"registration(?:\s+(?:no|number))?|reg(?:\.|istration)?(?:\s*(?:no|nr)\.?)?|license\s+plate|plate"
)
_PLATE_RE = re.compile(
    rf"\b(?:{_PLATE_WORDS})\b\s*[:=]?\s*(?P<plate>[A-Z0-9]{{1,4}}(?:[- ][A-Z0-9]{{1,4}}){{0,3}})",
    re.IGNORECASE,
)


def _plate_groups(text: str) -> str:
    """Keep hyphen-joined groups, and space-joined ones that look like plate parts (not 'en')."""
    groups = re.split(r"([- ])", text)
    kept = groups[0]
    for sep, group in zip(groups[1::2], groups[2::2], strict=False):
        if sep == " " and not (re.search(r"\d", group) or group.isupper()):
            break
        kept += sep + group
    return kept


def find_registration(text: str | None) -> str | None:
    """A licence plate named in prose ("Kenteken 12-DJK-3"), upper-cased without separators."""
    if not text:
        return None
    for match in _PLATE_RE.finditer(text):
        plate = normalize_registration(_plate_groups(match.group("plate")))
        if plate and 4 <= len(plate) <= 10 and re.search(r"\d", plate):
            return plate
    return None


def normalize_vin(text: object) -> str | None:
    raw = clean(text)
    if raw is None:
        return None
    return re.sub(r"[\s\-.]", "", raw).upper() or None


_EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


_OBFUSCATED_AT = re.compile(r"\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*", re.I)
_OBFUSCATED_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|punt|point|punkt|punto)\s*[\])}>]\s*", re.I)


def normalize_email(text: object) -> str | None:
    """Trimmed, domain lower-cased; the local part is kept as given (it may be case-sensitive)."""
    raw = clean(text)
    if raw is None:
        return None
    match = _EMAIL_RE.search(raw.replace("mailto:", " "))
    if not match:
        # "jan [at] ziggo.nl": forms and sites hide the address from harvesters in brackets.
        match = _EMAIL_RE.search(_OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", raw)))
    if not match:
        return None
    local, _, domain = match.group().rpartition("@")
    return f"{local}@{domain.lower()}"


# Country-code domains that are mostly bought for their letters, not by people living there.
_VANITY_TLDS = frozenset(
    [
        "io",
        "co",
        "me",
        "tv",
        "ai",
        "ly",
        "fm",
        "am",
        "to",
        "ws",
        "cc",
        "gg",
        "la",
        "vc",
        "app",
        "dev",
        "eu",
    ]
)


def region_from_email(address: str | None) -> str | None:
    """'helene@example.fr' -> 'FR': a hint for reading a national phone number."""
    if not address or "@" not in address:
        return None
    tld = address.rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in _VANITY_TLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


def normalize_country(text: object) -> str | None:
    raw = clean(text)
    if raw and re.fullmatch(r"[A-Za-z]{2}", raw):
        return "GB" if raw.upper() == "UK" else raw.upper()
    return _COUNTRY_NAMES.get(fold(raw)) if raw else None


_COUNTRY_NAMES = {
    "nederland": "NL", "netherlands": "NL", "the netherlands": "NL", "pays-bas": "NL",
    "niederlande": "NL", "paises bajos": "NL", "belgie": "BE", "belgium": "BE", "belgique": "BE",
    "belgien": "BE", "belgica": "BE", "france": "FR", "frankrijk": "FR", "frankreich": "FR",
    "francia": "FR", "duitsland": "DE", "germany": "DE", "allemagne": "DE", "deutschland": "DE",
    "alemania": "DE", "spanje": "ES", "spain": "ES", "espagne": "ES", "spanien": "ES",
    "espana": "ES", "luxembourg": "LU", "luxemburg": "LU", "oostenrijk": "AT", "austria": "AT",
    "autriche": "AT", "osterreich": "AT", "zwitserland": "CH", "switzerland": "CH",
    "suisse": "CH", "schweiz": "CH", "suiza": "CH", "united kingdom": "GB", "verenigd koninkrijk": "GB",
    "royaume-uni": "GB", "grossbritannien": "GB", "reino unido": "GB", "italie": "IT",
    "italy": "IT", "italien": "IT", "italia": "IT", "portugal": "PT",
}  # fmt: skip
