"""How the pages write phone numbers, money and moments: as the dealership's country and
locale write them, whatever language the reader chose (a Dutch store's dates are Dutch dates)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from django.utils import dateformat, formats, timezone, translation

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}
SYMBOL_AFTER = {"fr", "de", "es", "it"}  # languages that put the currency after the amount


def phone(number: str, region: str = "") -> str:
    """+31612345678 → "06 12345678" for a Dutch dealership; a foreign number in international
    form ("+33 6 12 34 56 78"); what does not parse, as it was."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return number
    if region and phonenumbers.region_code_for_number(parsed) == region.upper():
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def money(amount: Decimal | int | None, currency: str = "EUR", language: str = "") -> str:
    """€ 16.499,00 in Dutch, 16 499,00 € in French, €16,499.00 in English."""
    if amount is None or amount == "":
        return "—"
    language = (language or translation.get_language() or "en").split("-")[0]
    with translation.override(language):
        number = formats.number_format(
            Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True
        )
    symbol = SYMBOLS.get(currency or "EUR", currency)
    if language in SYMBOL_AFTER:
        return f"{number}\xa0{symbol}"
    if language == "en" and len(symbol) == 1:
        return f"{symbol}{number}"
    return f"{symbol}\xa0{number}"


def moment(
    value: datetime | date | None, dealership=None, kind: str = "SHORT_DATETIME_FORMAT"
) -> str:
    """A date or time in the dealership's zone and its locale's format (day, month and year in
    the order its country writes them); month names in the reader's language."""
    if value is None or value == "":
        return ""
    language = getattr(dealership, "language", None) or translation.get_language() or "en"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            zone_name = getattr(dealership, "time_zone", None)  # None, or a lazy None
            zone = ZoneInfo(zone_name) if zone_name else None
            value = timezone.localtime(value, zone)
    elif "TIME" in kind:
        kind = kind.replace("DATETIME", "DATE")
    return dateformat.format(value, formats.get_format(kind, lang=language))
