"""Phone numbers to E.164 with a kind, read with phonenumbers in the dealership's region."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

KINDS = ("mobile", "landline", "fax", "unknown")

_TYPE_KIND = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
}
# Extensions are dropped; phonenumbers knows "ext."/"x" but not the European words for them.
_EXTENSION_RE = re.compile(
    r"\s*(?:ext\.?|extension|toestel|tst\.?|poste|durchwahl|dw\.?|nebenstelle|ext|x)\s*\d{1,6}\s*$",
    re.IGNORECASE,
)
# A word in brackets beside a number says which it is: "(mobiel)", "(privé)", "(abends)".
_NOTE_RE = re.compile(r"\([^\d()]{1,30}\)")
_MAX_PHONE_TEXT = 200  # a phone field longer than this is prose, not a number
_ONLY_NUMBER_RE = re.compile(r"\+?[\d\s().\-/]{6,30}")


def _kind_of(number: phonenumbers.PhoneNumber, hint: str | None) -> str:
    number_type = phonenumbers.number_type(number)
    kind = _TYPE_KIND.get(number_type)
    if kind is None and number_type == PhoneNumberType.FIXED_LINE_OR_MOBILE and hint == "mobile":
        kind = "mobile"
    return kind or "unknown"


def _parse_one(text: str, regions: list[str]) -> phonenumbers.PhoneNumber | None:
    text = _EXTENSION_RE.sub("", text).strip()
    compact = re.sub(r"[\s().\-/]", "", text)
    if compact.startswith("00"):
        text = "+" + compact[2:]
    if text.startswith("+"):
        regions = regions[:1]  # the number carries its own country code
    parsed = []
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
        parsed.append(number)
    if _ONLY_NUMBER_RE.fullmatch(text):
        # phonenumbers knows only ranges allocated when its metadata was cut (and not the
        # UK's 07700 900xxx at all): a field holding nothing but a number the country's
        # plan can hold is the customer's number.
        return next((n for n in parsed if _fits_plan(n)), None)
    return None


def _fits_plan(number: phonenumbers.PhoneNumber) -> bool:
    if not phonenumbers.is_possible_number(number):
        return False
    national = phonenumbers.national_significant_number(number)
    for region in phonenumbers.region_codes_for_country_code(number.country_code):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        pattern = metadata and metadata.general_desc.national_number_pattern
        if pattern and re.fullmatch(pattern, national):
            return True
    return False


def parse_phones(
    text: object,
    region: str,
    *,
    hints: list[str] | tuple[str, ...] = (),
    kind: str | None = None,
    kind_is_certain: bool = False,
) -> list[dict]:
    """All valid numbers in ``text`` as ``{"number": "+31...", "kind": ...}``; [] when unreadable.

    A nationally written number ("06 11 22 33 44") is read first in the ``hints`` regions (the
    customer's country, their e-mail's country domain) and only then in the dealership's
    ``region``: a French customer writes French numbers even to a Dutch dealer.
    ``kind`` comes from the source (ADF cellphone/fax); when it is certain it wins over the
    number's own type.
    """
    if text is None:
        return []
    raw = str(text).strip()
    if not raw or len(raw) > _MAX_PHONE_TEXT:
        return []
    regions: list[str] = []
    for candidate in [*hints, region]:
        code = (candidate or "").upper()
        if code in phonenumbers.SUPPORTED_REGIONS and code not in regions:
            regions.append(code)
    if not regions:
        regions = ["NL"]
    numbers: list[phonenumbers.PhoneNumber] = []
    single = _parse_one(raw, regions)
    if single is not None:
        numbers.append(single)
    else:
        # Several numbers in one field ("06-12345678 / 0313-472210").
        for part in re.split(r"\s*(?:[/;,|]|\bof\b|\bou\b|\boder\b|\bor\b|\bo\b)\s*", raw):
            part = _NOTE_RE.sub(" ", part)  # "038-4221133 (vast)": the note is no digit of it
            if len(re.sub(r"\D", "", part)) >= 6:
                number = _parse_one(part, regions)
                if number is not None:
                    numbers.append(number)
    out = []
    for number in numbers:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        number_kind = kind if (kind_is_certain and kind in KINDS) else _kind_of(number, kind)
        out.append({"number": e164, "kind": number_kind})
    return out
