"""Which placeholders a template uses, and which of them would come out empty for a lead: a
"Bel {{ salesperson_phone }}." with no phone must not go out as "Bel ." unnoticed."""

from __future__ import annotations

import re

from automation.render import PLACEHOLDERS

_VARIABLE = re.compile(r"{{\s*([A-Za-z_][\w]*)")


def used(*sources: str) -> list[str]:
    """The variable names the sources print, in order, once each."""
    seen: dict[str, None] = {}
    for source in sources:
        for name in _VARIABLE.findall(source or ""):
            seen.setdefault(name, None)
    return list(seen)


def unknown(*sources: str) -> list[str]:
    return [name for name in used(*sources) if name not in PLACEHOLDERS]


def empty(context: dict[str, str], *sources: str) -> list[str]:
    """Placeholders the sources print that have no value in `context`."""
    return [name for name in used(*sources) if not str(context.get(name) or "").strip()]
