"""Text as the database takes it. PostgreSQL refuses NUL in text and JSON, and no UTF-8 database
stores a lone surrogate; both arrive in e-mails and JSON from the outside world (a NUL in a
subject, "\\u0000" in a website's JSON, an unpaired surrogate escape). They carry no meaning for
a person, so they are removed where untrusted text enters (inbound), not refused."""

from __future__ import annotations

import re
from typing import Any

# NUL, and the UTF-16 surrogate range that only appears unpaired in a decoded Python str.
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def db_text(value: str) -> str:
    return _REFUSED.sub("", value) if _REFUSED.search(value) else value


def db_safe(value: Any) -> Any:
    """`value` with every string in it (dict keys and values, list items) made db_text."""
    if isinstance(value, str):
        return db_text(value)
    if isinstance(value, dict):
        return {db_safe(k): db_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [db_safe(v) for v in value]
    return value
