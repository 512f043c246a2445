"""The dashboard's reads: a few grouped queries, every figure a conditional aggregate over Lead
columns (see dashboards.definitions), so the cost grows with the leads of the period, not with
their events or the size of the table."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
)

from accounts.models import Team, User
from dashboards.definitions import ATTEMPTED, CONTACTED, FIGURES
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
    period's leads, several times slower (measured in bench/dashboard_bench.py). SET LOCAL ends
    with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '32MB'")
                cursor.execute("SET LOCAL enable_hashjoin = off")
                cursor.execute("SET LOCAL enable_mergejoin = off")
        yield


def received_in(leads: QuerySet[Lead], period: Period) -> QuerySet[Lead]:
    return leads.filter(received_at__gte=period.start, received_at__lt=period.end)


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the continuous percentile (linear interpolation)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: object, fraction: float, **extra: object) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


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


def counts() -> dict[str, Aggregate]:
    """Every countable figure as one conditional aggregate, plus what averages need."""
    aggregates: dict[str, Aggregate] = {
        key: Count("pk", filter=condition) if condition else Count("pk")
        for key, condition in FIGURES.items()
    }
    aggregates["attempts"] = Sum("attempts_until_contact", filter=CONTACTED)
    return aggregates


def grouped(
    leads: QuerySet[Lead],
    keys: dict[str, object],
    *,
    percentiles: bool = False,
) -> list[dict]:
    """One row per distinct value of `keys` (name → field path or expression) with every figure.
    With `percentiles`, also p50/p90 of the response time in seconds."""
    # Grouping columns get a prefix: "source" or "lead_type" would clash with the model's fields.
    names = [f"by_{name}" for name in keys]
    keyed = leads.annotate(
        **{f"by_{name}": F(expr) if isinstance(expr, str) else expr for name, expr in keys.items()}
    )
    aggregates = counts()
    on_postgres = connection.vendor == "postgresql"
    if percentiles and on_postgres:
        aggregates |= {k: Percentile(RESPONSE_SECONDS, f) for k, f in PERCENTILES.items()}
    rows = list(keyed.values(*names).annotate(**aggregates).order_by(*names))
    if percentiles and not on_postgres:
        _percentiles_in_python(keyed, names, rows)
    for row in rows:
        for name in keys:
            row[name] = row.pop(f"by_{name}")
    return rows


def _percentiles_in_python(keyed: QuerySet[Lead], names: list[str], rows: list[dict]) -> None:
    seconds: dict[tuple, list[float]] = defaultdict(list)
    for *key, received, attempted in keyed.filter(ATTEMPTED).values_list(
        *names, "received_at", "first_attempt_at"
    ):
        seconds[tuple(key)].append((attempted - received).total_seconds())
    for row in rows:
        values = seconds.get(tuple(row[n] for n in names), [])
        for name, fraction in PERCENTILES.items():
            row[name] = percentile_cont(values, fraction)


def drill_down(leads: QuerySet[Lead], figure: str, group: Q) -> QuerySet[Lead]:
    """The leads behind one number: the group's leads that count for `figure`."""
    return leads.filter(group).filter(FIGURES[figure])
