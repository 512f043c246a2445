"""Opening-hours arithmetic: a deadline of "5 minutes in opening hours" for a lead that arrives
at 17:58 falls at 09:03 the next opening day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from dealers.models import Dealership

HORIZON_DAYS = 15  # a dealership closed longer than two weeks counts the wall clock instead


def intervals(dealership: Dealership) -> dict[int, list[tuple]]:
    """weekday → sorted (opens, closes); distribution.setup sets them on the dealership."""
    kept = getattr(dealership, "opening_intervals", None)
    if kept is not None:
        return kept
    return by_weekday((h.weekday, h.opens, h.closes) for h in dealership.opening_hours.all())


def by_weekday(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    by_day: dict[int, list[tuple]] = {}
    for weekday, opens, closes in rows:
        by_day.setdefault(weekday, []).append((opens, closes))
    for day in by_day.values():
        day.sort()
    return by_day


def is_open(dealership: Dealership, moment: datetime) -> bool:
    """Open at `moment`; a dealership without opening hours is always open."""
    by_day = intervals(dealership)
    if not by_day:
        return True
    local = moment.astimezone(dealership.tz)
    return any(o <= local.time() < c for o, c in by_day.get(local.weekday(), []))


def add_open_minutes(dealership: Dealership, start: datetime, minutes: int) -> datetime:
    """`start` plus `minutes` of the dealership's opening time."""
    by_day = intervals(dealership)
    if not by_day:
        return start + timedelta(minutes=minutes)
    tz = dealership.tz
    local_start = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    for offset in range(HORIZON_DAYS):
        day = local_start.date() + timedelta(days=offset)
        for opens, closes in by_day.get(day.weekday(), []):
            begin = max(datetime.combine(day, opens, tzinfo=tz), local_start)
            end = datetime.combine(day, closes, tzinfo=tz)
            if end <= begin:
                continue
            if begin + remaining <= end:
                return begin + remaining
            remaining -= end - begin
    return start + timedelta(minutes=minutes)
