"""Money as the reader's locale writes it: € 12.500,00 in Dutch, 12 500,00 € in French."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, translation

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}
# Languages that put the currency after the amount.
SYMBOL_AFTER = {"fr", "de", "es", "it"}


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    language = (translation.get_language() or "en").split("-")[0]
    if language in SYMBOL_AFTER:
        return f"{number}\xa0{symbol}"
    if language == "en" and len(symbol) == 1:
        return f"{symbol}{number}"
    return f"{symbol}\xa0{number}"
