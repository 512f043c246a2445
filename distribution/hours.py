"""Opening-hours arithmetic: a deadline of "5 minutes in opening hours" for a lead that arrives
at 17:58 falls at 09:03 the next opening day.

Pure: the opening intervals (weekday → sorted (opens, closes), as by_weekday gives them) and
the dealership's time zone are arguments; distribution.setup reads them once and keeps them in
the routing context."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta, tzinfo

HORIZON_DAYS = 15  # a dealership closed longer than two weeks counts the wall clock instead

Intervals = Mapping[int, list[tuple[time, time]]]


def by_weekday(rows: Iterable[tuple]) -> dict[int, list[tuple[time, time]]]:
    """(weekday, opens, closes) rows → weekday → sorted (opens, closes)."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in rows:
        by_day.setdefault(weekday, []).append((opens, closes))
    for day in by_day.values():
        day.sort()
    return by_day


def is_open(intervals: Intervals, tz: tzinfo, moment: datetime) -> bool:
    """Open at `moment`; a dealership without opening hours is always open."""
    if not intervals:
        return True
    local = moment.astimezone(tz)
    return any(o <= local.time() < c for o, c in intervals.get(local.weekday(), []))


def add_open_minutes(intervals: Intervals, tz: tzinfo, start: datetime, minutes: int) -> datetime:
    """`start` plus `minutes` of the dealership's opening time."""
    if not intervals:
        return start + timedelta(minutes=minutes)
    local_start = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    for offset in range(HORIZON_DAYS):
        day = local_start.date() + timedelta(days=offset)
        for opens, closes in intervals.get(day.weekday(), []):
            begin = max(datetime.combine(day, opens, tzinfo=tz), local_start)
            end = datetime.combine(day, closes, tzinfo=tz)
            if end <= begin:
                continue
            if begin + remaining <= end:
                return begin + remaining
            remaining -= end - begin
    return start + timedelta(minutes=minutes)
