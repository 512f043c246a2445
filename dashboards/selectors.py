"""The dashboard's reads: a few grouped queries, every figure a conditional aggregate over Lead
columns (see dashboards.definitions), so the cost grows with the leads of the period, not with
their events or the size of the table. On PostgreSQL one statement gives several groupings from
one scan (GROUPING SETS, see grouping_sets)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)

from accounts.models import Team, User
from core import db
from dashboards.definitions import FIGURES
from leads.models import Lead
from leads.selectors import visible_leads


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    def previous(self) -> Period:
        return Period(self.start - (self.end - self.start), self.start)


def scoped_leads(
    user: User,
    *,
    dealership_ids: Iterable[int],
    salesperson_id: int | None = None,
    team_id: int | None = None,
) -> QuerySet[Lead]:
    """The leads `user` may see (leads.selectors.visible_leads), narrowed by the filters. A team's
    leads are those assigned to its members at the team's dealership."""
    leads = visible_leads(user).filter(dealership_id__in=list(dealership_ids))
    if salesperson_id is not None:
        leads = leads.filter(assigned_to_id=salesperson_id)
    if team_id is not None:
        team = Team.objects.get(pk=team_id)
        members = list(team.members.values_list("pk", flat=True))
        leads = leads.filter(dealership_id=team.dealership_id, assigned_to_id__in=members)
    return leads


@contextmanager
def planned_for_reports() -> Iterator[None]:
    """Run the dashboard's reads in one transaction with planner settings made for them, on
    PostgreSQL. Sorts for percentiles stay in memory. Every join in these reads looks up a lead's
    source or vehicle by primary key, so nested loops over the key's index are the right plan; left
    to itself the planner hashes the whole vehicle table (every vehicle ever recorded) to match one
    period's leads, several times slower. Counts alone are grouped in hash tables, but the
    planner cannot know how few sources × weeks × … a period holds: it guesses about a group per
    lead, and for a long period finds the hash tables too big for work_mem × hash_mem_multiplier
    and sorts every lead twice instead, about three times slower; a multiplier of 8 lets it hash.
    Figures: docs/benchmarks.md, "Figures from code comments". SET LOCAL ends with the
    transaction."""
    with db.planner_settings(
        work_mem="32MB", hash_mem_multiplier=8, enable_hashjoin="off", enable_mergejoin="off"
    ):
        yield


def received_in(leads: QuerySet[Lead], period: Period) -> QuerySet[Lead]:
    return leads.filter(received_at__gte=period.start, received_at__lt=period.end)


RESPONSE_SECONDS = Func(
    F("first_attempt_at") - F("received_at"),
    template="EXTRACT(EPOCH FROM %(expressions)s)",
    output_field=FloatField(),
)
PERCENTILES = {"p50": 0.5, "p90": 0.9}


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """The same answer as PostgreSQL's percentile_cont, for databases without it."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def drill_down(leads: QuerySet[Lead], figure: str, group: Q) -> QuerySet[Lead]:
    """The leads behind one number: the group's leads that count for `figure`."""
    return leads.filter(group).filter(FIGURES[figure])


def grouped(
    leads: QuerySet[Lead],
    keys: dict[str, object],
    *,
    percentiles: bool = False,
) -> list[dict]:
    """One row per distinct value of `keys` (name → field path or expression) with every figure.
    With `percentiles`, also p50/p90 of the response time in seconds."""
    return grouping_sets(leads, keys, [tuple(keys)], percentiles=percentiles)[0]


def grouping_sets(
    leads: QuerySet[Lead],
    keys: dict[str, object],
    sets: Sequence[tuple[str, ...]],
    *,
    figures: bool = True,
    percentiles: bool = False,
    in_sql: bool | None = None,
) -> list[list[dict]]:
    """Several groupings of the same leads at once: one list of rows per tuple of key names in
    `sets`, each row with the keys of its own set (() is one row for all the leads, even none).
    With `figures`, every countable figure of dashboards.definitions and the attempts that
    averages need; with `percentiles`, p50/p90 of the response time in seconds (PostgreSQL's
    percentile_cont). Rows come in the order of their keys, "none" last.

    The ORM writes the rows read: one per lead, with its keys and, for each figure, whether the
    lead counts for it (the figure's condition as a column), so the conditions stay written once.
    On PostgreSQL one statement groups them (GROUP BY GROUPING SETS): one scan of the leads
    for every grouping. Elsewhere (SQLite, a first run with few leads) Python groups them."""
    if in_sql is None:
        in_sql = db.is_postgresql()
    columns: dict[str, object] = {
        f"by_{name}": F(expr) if isinstance(expr, str) else expr for name, expr in keys.items()
    }
    if figures:
        columns |= {
            f"is_{figure}": ExpressionWrapper(condition, output_field=BooleanField())
            for figure, condition in FIGURES.items()
            if condition
        }
        columns["n_attempts"] = F("attempts_until_contact")
    if percentiles and in_sql:
        columns["response"] = RESPONSE_SECONDS
    rows_of = leads.order_by().annotate(**columns)
    if in_sql:
        found = _grouped_in_sql(rows_of.values(*columns), list(keys), sets, figures, percentiles)
    else:
        times = ("received_at", "first_attempt_at") if percentiles else ()
        rows = list(rows_of.values(*columns, *times))
        found = [_grouped_in_python(rows, names, figures, percentiles) for names in sets]
    if figures:  # a group without contacted leads sums no attempts: 0 on every database
        for row in (row for rows in found for row in rows):
            row["attempts"] = row["attempts"] or 0
    return [
        sorted(rows, key=lambda row, names=names: _key_order(row, names))
        for rows, names in zip(found, sets, strict=True)
    ]


def _key_order(row: dict, names: tuple[str, ...]) -> tuple:
    # PostgreSQL's ascending order, NULLS LAST, whatever the database.
    return tuple((row[name] is None, row[name]) for name in names)


def _grouped_in_sql(
    rows_of: QuerySet[Lead],
    names: list[str],
    sets: Sequence[tuple[str, ...]],
    figures: bool,
    percentiles: bool,
) -> list[list[dict]]:
    inner, params = rows_of.query.sql_with_params()
    aggregates = []
    if figures:
        aggregates += [
            f'COUNT(*) FILTER (WHERE l."is_{figure}") AS "{figure}"'
            if condition
            else f'COUNT(*) AS "{figure}"'
            for figure, condition in FIGURES.items()
        ]
        aggregates.append('SUM(l."n_attempts") FILTER (WHERE l."is_contacted") AS "attempts"')
    if percentiles:
        aggregates += [
            f'PERCENTILE_CONT({float(fraction)}) WITHIN GROUP (ORDER BY l."response") AS "{name}"'
            for name, fraction in PERCENTILES.items()
        ]
    keys = [f'l."by_{name}"' for name in names]
    if names:
        # Which set a row belongs to: a key outside the row's set reads NULL, as "no source" does.
        aggregates.append(f"GROUPING({', '.join(keys)}) AS grouping_")
    group_by = ", ".join("(" + ", ".join(f'l."by_{name}"' for name in s) + ")" for s in sets)
    # Only names written in this module go into the text; every value is a parameter.
    sql = (
        f"SELECT {', '.join(keys + aggregates)} FROM ({inner}) AS l "  # noqa: S608
        f"GROUP BY GROUPING SETS ({group_by})"
    )
    # The keys as the ORM would return them: a week truncated in a time zone, for one, comes
    # back as an aware datetime.
    annotations = rows_of.query.annotations
    converters = {
        name: [
            *connection.ops.get_db_converters(annotations[f"by_{name}"]),
            *annotations[f"by_{name}"].get_db_converters(connection),
        ]
        for name in names
    }
    set_of = {
        sum(1 << (len(names) - 1 - i) for i, name in enumerate(names) if name not in s): n
        for n, s in enumerate(sets)
    }
    found: list[list[dict]] = [[] for _ in sets]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fields = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(fields, values, strict=True))
            n = set_of[row.pop("grouping_", 0)]
            for name in names:
                value = row.pop(f"by_{name}")
                if name in sets[n]:
                    for convert in converters[name]:
                        value = convert(value, annotations[f"by_{name}"], connection)
                    row[name] = value
            found[n].append(row)
    return found


def _grouped_in_python(
    rows: list[dict], names: tuple[str, ...], figures: bool, percentiles: bool
) -> list[dict]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[f"by_{name}"] for name in names)].append(row)
    if not names and not groups:
        groups[()] = []  # all the leads: one row, even for none, as in SQL
    found = []
    for key, members in groups.items():
        row: dict = dict(zip(names, key, strict=True))
        if figures:
            row["leads"] = len(members)
            for figure, condition in FIGURES.items():
                if condition:
                    row[figure] = sum(1 for m in members if m[f"is_{figure}"])
            row["attempts"] = sum(m["n_attempts"] for m in members if m["is_contacted"])
        if percentiles:
            seconds = [
                (m["first_attempt_at"] - m["received_at"]).total_seconds()
                for m in members
                if m["first_attempt_at"] is not None
            ]
            row |= {name: percentile_cont(seconds, f) for name, f in PERCENTILES.items()}
        found.append(row)
    return found
