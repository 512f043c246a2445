"""Dates and times in the many ways lead providers write them, to ISO 8601 with an offset."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadparser.normalize import fold

_REGION_ZONES = {
    "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg",
    "FR": "Europe/Paris", "DE": "Europe/Berlin", "AT": "Europe/Vienna", "CH": "Europe/Zurich",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "IT": "Europe/Rome", "GB": "Europe/London",
    "IE": "Europe/Dublin", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo", "FI": "Europe/Helsinki", "PL": "Europe/Warsaw", "CZ": "Europe/Prague",
}  # fmt: skip

_MONTHS = {
    # nl, fr, de, es, en (accents folded away); prefixes of 3+ letters are accepted too
    "januari": 1, "janvier": 1, "januar": 1, "enero": 1, "january": 1, "janner": 1,
    "februari": 2, "fevrier": 2, "februar": 2, "febrero": 2, "february": 2,
    "maart": 3, "mars": 3, "marz": 3, "marzo": 3, "march": 3,
    "april": 4, "avril": 4, "abril": 4,
    "mei": 5, "mai": 5, "mayo": 5, "may": 5,
    "juni": 6, "juin": 6, "junio": 6, "june": 6,
    "juli": 7, "juillet": 7, "julio": 7, "july": 7,
    "augustus": 8, "aout": 8, "august": 8, "agosto": 8,
    "september": 9, "septembre": 9, "septiembre": 9, "setiembre": 9,
    "oktober": 10, "octobre": 10, "octubre": 10, "october": 10,
    "november": 11, "novembre": 11, "noviembre": 11,
    "december": 12, "decembre": 12, "dezember": 12, "diciembre": 12,
}  # fmt: skip

_TIME = (
    r"(?:\D{0,12}?(?<!\d)(?P<hh>[01]?\d|2[0-3])\s*(?:[:h.]\s*(?P<mm>[0-5]\d)(?::(?P<ss>[0-5]\d))?"
    r"|\s*(?:uur|uhr|h)\b))?"
)
_NUMERIC_DMY = re.compile(
    r"(?<!\d)(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?!\d)" + _TIME
)
_NUMERIC_YMD = re.compile(
    r"(?<!\d)(?P<y>\d{4})[-/.](?P<b>\d{1,2})[-/.](?P<a>\d{1,2})(?!\d)" + _TIME
)
_NAMED_DMY = re.compile(
    r"(?<!\d)(?P<a>\d{1,2})(?:e|er|st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<m>[a-z]{3,10})\.?\s+"
    r"(?:de\s+)?(?P<y>\d{4})" + _TIME
)
_NAMED_MDY = re.compile(
    r"(?P<m>[a-z]{3,10})\.?\s+(?P<a>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME
)


def zone_for(region: str, fallback: tzinfo | None = None) -> tzinfo:
    """The dealership's zone (so DST is right for later dates), else the e-mail's offset, else UTC."""
    name = _REGION_ZONES.get((region or "").upper())
    if name:
        try:
            return ZoneInfo(name)
        except ZoneInfoNotFoundError:
            pass
    return fallback or UTC


def iso(value: datetime) -> str:
    return value.isoformat()


def parse_email_date(text: str | None) -> datetime | None:
    """An RFC 5322 Date header, always aware (a '-0000' date is read as UTC)."""
    if not text:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(text))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _month(word: str) -> int | None:
    word = fold(word)
    if word in _MONTHS:
        return _MONTHS[word]
    matches = {num for name, num in _MONTHS.items() if len(word) >= 3 and name.startswith(word)}
    return matches.pop() if len(matches) == 1 else None


# "10:30am - Saturday, December 12, 2026" (Calendly): the time written before the date.
_CLOCK_BEFORE = re.compile(r"(?<![\d.:])(?P<hh>[01]?\d|2[0-3])[:h](?P<mm>[0-5]\d)(?![\d.])")


def _build(
    y: str, m: int, d: int, hh: str | None, mm: str | None, ss: str | None = None
) -> tuple[date, time | None]:
    year = int(y)
    if year < 100:
        year += 2000
    day = date(year, m, d)
    return day, (time(int(hh), int(mm or 0), int(ss or 0)) if hh is not None else None)


def parse_when(
    text: str | None, *, region: str = "NL", default_tz: tzinfo | None = None
) -> tuple[datetime | None, date | None]:
    """(aware datetime, None) when a time is given, (None, date) for a bare date, else (None, None).

    Numeric dates are read day-first as everywhere in Europe, month-first only for the US.
    A naive value is placed in the dealership's zone: that is where the appointment happens.
    """
    if not text:
        return None, None
    raw = str(text).strip()
    tz = zone_for(region, default_tz)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        parsed = parse_email_date(raw) if re.search(r"[A-Za-z]{3},", raw) else None
    if parsed is not None:
        if len(raw) <= 10 and parsed.time() == time(0):
            return None, parsed.date()
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)), None
    folded = fold(raw)
    us = (region or "").upper() == "US"
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY, _NAMED_DMY, _NAMED_MDY):
        match = pattern.search(folded)
        if not match:
            continue
        groups = match.groupdict()
        if "m" in groups:
            month = _month(groups["m"])
            if month is None:
                continue
            day = int(groups["a"])
        elif pattern is _NUMERIC_DMY and us:
            month, day = int(groups["a"]), int(groups["b"])
        else:
            day, month = int(groups["a"]), int(groups["b"])
        try:
            the_date, the_time = _build(
                groups["y"], month, day, groups["hh"], groups["mm"], groups.get("ss")
            )
        except ValueError:
            continue
        before = _CLOCK_BEFORE.search(folded, 0, match.start())
        if the_time is None and before:
            the_time = time(int(before.group("hh")), int(before.group("mm")))
        if the_time is None:
            return None, the_date
        return datetime.combine(the_date, the_time, tzinfo=tz), None
    return None, None
