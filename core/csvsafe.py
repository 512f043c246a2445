"""CSV that opens safely in a spreadsheet: a cell that starts like a formula (=, +, -, @, a tab
or a carriage return; a customer typed "=HYPERLINK(…)" in a portal form) is written with a
leading apostrophe, so Excel shows it as text instead of running it; and the file starts with a
byte-order mark, so Excel reads UTF-8 names (Škoda, Çelik) as they are."""

from __future__ import annotations

from typing import Any

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def row(values: list[Any]) -> list[Any]:
    return [cell(v) for v in values]
