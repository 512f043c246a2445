"""Reads behind the distribution pages: the queues, the people one may give a lead to, and the
fairness figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from accounts.selectors import MANAGING_ROLES, dealerships_for
from dealers.models import Dealership
from distribution.candidates import members_of, team
from distribution.models import DistributionRule, Routing, Strategy
from leads.lifecycle import CLOSED_STATUSES, OPEN_STATUSES
from leads.models import EventKind, Lead, LeadEvent

BDC_ROLES = (Role.BDC_AGENT, Role.MANAGER, Role.ADMIN)


def _leads() -> QuerySet[Lead]:
    return Lead.objects.select_related(
        "customer", "source", "vehicle", "dealership", "assigned_to", "routing__rule"
    )


def unassigned_queue(user: User) -> QuerySet[Lead]:
    """A manager's unassigned active leads, oldest first: the ones nobody has."""
    return (
        _leads()
        .filter(
            dealership__in=dealerships_for(user, MANAGING_ROLES),
            assigned_to__isnull=True,
            is_passive=False,
            status__in=OPEN_STATUSES,
        )
        .order_by("received_at")
    )


def takeable(user: User) -> QuerySet[Lead]:
    """The unassigned active leads a salesperson may take: their rule allows it, and they are
    in its team (a rule without a team is everyone's)."""
    dealerships = dealerships_for(user, [Role.SALESPERSON])
    rules = DistributionRule.objects.filter(dealership__in=dealerships, allow_take=True).filter(
        Q(members__isnull=True) | Q(members__user=user)
    )
    return (
        _leads()
        .filter(
            dealership__in=dealerships,
            assigned_to__isnull=True,
            is_passive=False,
            status__in=OPEN_STATUSES,
            routing__rule__in=rules,
        )
        .order_by("received_at")
    )


def bdc_queue(user: User) -> QuerySet[Lead]:
    return (
        _leads()
        .filter(
            dealership__in=dealerships_for(user, BDC_ROLES),
            assigned_to__isnull=True,
            is_passive=True,
            status__in=OPEN_STATUSES,
        )
        .order_by("received_at")
    )


def bdc_mine(user: User) -> QuerySet[Lead]:
    return (
        _leads()
        .filter(
            dealership__in=dealerships_for(user, BDC_ROLES),
            assigned_to=user,
            is_passive=True,
            status__in=OPEN_STATUSES,
        )
        .order_by("contact_deadline_at", "received_at")
    )


def reactivation_queue(user: User) -> QuerySet[Lead]:
    return (
        _leads()
        .filter(
            dealership__in=dealerships_for(user, BDC_ROLES),
            status__in=CLOSED_STATUSES,
            routing__state=Routing.State.REACTIVATION,
        )
        .order_by("closed_at")
    )


def people_to_give_to(user: User) -> QuerySet[User]:
    """Salespeople and BDC agents of the dealerships `user` manages."""
    return User.objects.filter(
        is_active=True,
        memberships__dealership__in=dealerships_for(user, MANAGING_ROLES),
        memberships__role__in=[Role.SALESPERSON, Role.BDC_AGENT],
    ).distinct()


def salespeople_of(dealerships: QuerySet[Dealership] | list) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__dealership__in=dealerships,
        memberships__role=Role.SALESPERSON,
    ).distinct()


def team_presence(dealership: Dealership, at: datetime) -> list[dict]:
    """Everyone who sells at the dealership, with their presence and current absence."""
    people = list(
        User.objects.filter(
            memberships__dealership=dealership,
            memberships__role__in=[Role.SALESPERSON, Role.BDC_AGENT],
            is_active=True,
        ).prefetch_related("absences")
    )
    rows = []
    for person in people:
        absence = next((a for a in person.absences.all() if a.starts_at <= at < a.ends_at), None)
        rows.append({"user": person, "absence": absence})
    return rows


@dataclass
class FairnessRow:
    user: User
    weight: int
    by_source: dict = field(default_factory=dict)
    total: int = 0
    share: float = 0.0
    expected: float = 0.0
    skips: Counter = field(default_factory=Counter)
    cells: list[int] = field(default_factory=list)  # leads per source, in the table's order
    skip_cells: list[int] = field(default_factory=list)  # skips per reason, in its order


@dataclass
class FairnessTable:
    rule: DistributionRule
    sources: list
    rows: list
    total: int
    skip_reasons: list


def fairness(dealership: Dealership, start: datetime, end: datetime) -> list[FairnessTable]:
    """Per round-robin rule: leads each member received from distribution in the period, per
    source, against their weight, with how often and why they were skipped."""
    events = LeadEvent.objects.filter(
        dealership=dealership,
        kind__in=[EventKind.ASSIGNED, EventKind.REASSIGNED, EventKind.DISTRIBUTION],
        occurred_at__gte=start,
        occurred_at__lt=end,
        actor__isnull=True,  # distribution's own decisions, not hand moves
    )
    tables = []
    rules = DistributionRule.objects.filter(
        dealership=dealership, strategy=Strategy.ROUND_ROBIN
    ).order_by("is_default", "position")
    for rule in rules:
        rule_events = events.filter(data__rule_id=rule.pk)
        counts = (
            rule_events.filter(assignee__isnull=False)
            .values("assignee_id", "lead__source__name")
            .annotate(n=Count("id"))
            .order_by()
        )
        members = {c.user.pk: c for c in team(rule.dealership_id, members_of(rule))}
        rows: dict[int, FairnessRow] = {
            pk: FairnessRow(user=c.user, weight=c.weight) for pk, c in members.items()
        }
        sources: set[str] = set()
        for row in counts:
            fr = rows.get(row["assignee_id"])
            if fr is None:  # no longer in the team: still shown, weight unknown
                user = User.objects.get(pk=row["assignee_id"])
                fr = rows[user.pk] = FairnessRow(user=user, weight=0)
            name = row["lead__source__name"] or "—"
            sources.add(name)
            fr.by_source[name] = fr.by_source.get(name, 0) + row["n"]
            fr.total += row["n"]
        reasons: set[str] = set()
        for data in rule_events.values_list("data", flat=True).iterator(chunk_size=2000):
            for skip in data.get("skipped") or []:
                fr = rows.get(skip.get("user_id"))
                if fr is not None:
                    fr.skips[skip.get("reason")] += 1
                    reasons.add(skip.get("reason"))
        total = sum(r.total for r in rows.values())
        weights = sum(r.weight for r in rows.values())
        for fr in rows.values():
            fr.share = fr.total / total if total else 0.0
            fr.expected = fr.weight / weights if weights else 0.0
            fr.cells = [fr.by_source.get(s, 0) for s in sorted(sources)]
            fr.skip_cells = [fr.skips.get(r, 0) for r in sorted(reasons)]
        tables.append(
            FairnessTable(
                rule=rule,
                sources=sorted(sources),
                rows=sorted(rows.values(), key=lambda r: str(r.user)),
                total=total,
                skip_reasons=sorted(reasons),
            )
        )
    return tables


def managed(user: User) -> QuerySet[Dealership]:
    return dealerships_for(user, MANAGING_ROLES)


def forgotten_lead_ids(
    *, now: datetime, older_than: timedelta, within: timedelta, limit: int = 500
) -> list[int]:
    """Open leads that arrived between `within` and `older_than` ago and have no routing outcome:
    their routing job was lost (a broker restart, a worker killed). Oldest first."""
    return list(
        Lead.objects.open()
        .filter(
            routing__isnull=True,
            received_at__lt=now - older_than,
            received_at__gte=now - within,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
