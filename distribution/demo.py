"""Distribution in the demo: rules and weighted teams for both dealerships, someone on holiday
and someone away, and the demo's still-unrouted leads routed by those rules (so the lead
timelines, the queues and the fairness page have something to show)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from accounts.models import Absence, Presence, User
from dealers.models import Dealership
from distribution import routing
from distribution.models import (
    DeadlineClock,
    DistributionRule,
    DistributionSettings,
    OnDeadline,
    Strategy,
)
from distribution.rules import ensure_defaults, save_rule
from leads.lifecycle import OPEN_STATUSES
from leads.models import Lead, LeadType, Source


def _rule(dealership: Dealership, team: list[tuple[User, int, int | None]], **fields) -> None:
    save_rule(rule=DistributionRule(dealership=dealership, **fields), team=team)


def rules(*, dealerships: dict[str, Dealership], users: dict[str, User]) -> None:
    """The demo's rules and teams, made before its leads so that their history is routed."""
    doesburg, lyon = dealerships["doesburg"], dealerships["lyon"]
    sanne, daan, lotte = users["sanne"], users["daan"], users["lotte"]
    camille, hugo = users["camille"], users["hugo"]
    for dealership in (doesburg, lyon):
        ensure_defaults(dealership)
    _rule(
        doesburg,
        [(sanne, 1, None), (daan, 1, None), (lotte, 1, None)],
        name="Occasions op voorraad → eigenaar",
        condition="used",
        strategy=Strategy.VEHICLE_OWNER,
        fallback=Strategy.ROUND_ROBIN,
        on_deadline=OnDeadline.BOTH,
    )
    _rule(
        doesburg,
        [(sanne, 2, 40), (daan, 1, 25), (lotte, 1, 25)],
        name="Portalen",
        source_kind=Source.Kind.PORTAL,
        strategy=Strategy.ROUND_ROBIN,
        fallback=Strategy.LEAST_LOADED,
        on_deadline=OnDeadline.NEXT,
    )
    _rule(
        doesburg,
        [],
        name="Telefoon → minst belast",
        source_kind=Source.Kind.PHONE,
        strategy=Strategy.LEAST_LOADED,
        contact_minutes=2,
        deadline_clock=DeadlineClock.WALL_CLOCK,
    )
    _rule(
        doesburg,
        [],
        name="Financiering → verkoopleider",
        lead_type=LeadType.FINANCE,
        strategy=Strategy.MANUAL,
        fallback=Strategy.MANUAL,
        contact_minutes=30,
    )
    _rule(
        doesburg,
        [],
        # The importer's leads, not the website's: `scripts/send-demo-lead` sends a website lead
        # and the README promises it reaches a salesperson whatever the hour.
        name="Importeur 's avonds → wie wil",
        source_kind=Source.Kind.IMPORTER,
        time_from=time(18),
        time_until=time(9),
        strategy=Strategy.MANUAL,
        fallback=Strategy.MANUAL,
        allow_take=True,
        contact_minutes=15,
    )
    _rule(
        lyon,
        [(camille, 1, None), (hugo, 1, None)],
        name="Portails",
        source_kind=Source.Kind.PORTAL,
        strategy=Strategy.ROUND_ROBIN,
        on_deadline=OnDeadline.BOTH,
        allow_take=True,
    )
    DistributionSettings.objects.create(
        dealership=doesburg, max_failed_attempts=5, reactivation_days=45
    )
    DistributionSettings.objects.create(
        dealership=lyon, max_failed_attempts=4, reactivation_days=60
    )


def build(*, dealerships: dict[str, Dealership], users: dict[str, User], now: datetime) -> None:
    """Who is away now, and the demo's leads that still wait routed by the rules."""
    doesburg, lyon = dealerships["doesburg"], dealerships["lyon"]
    lotte, daan, hugo = users["lotte"], users["daan"], users["hugo"]
    if not DistributionRule.objects.filter(dealership=doesburg, is_default=False).exists():
        rules(dealerships=dealerships, users=users)
    boss = users["manager"]
    Absence.objects.create(
        user=lotte,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=4),
        reason=Absence.Reason.HOLIDAY,
        note="Texel",
        created_by=boss,
    )
    Absence.objects.create(
        user=daan,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=9),
        reason=Absence.Reason.TRAINING,
        note="Ligier academy",
        created_by=boss,
    )
    hugo.presence = Presence.AWAY
    hugo.presence_changed_at = now
    hugo.save(update_fields=["presence", "presence_changed_at"])
    # The demo's leads that nobody holds yet go by the rules, as of when they arrived.
    waiting = Lead.objects.filter(
        dealership__in=[doesburg, lyon], assigned_to__isnull=True, status__in=OPEN_STATUSES
    ).order_by("received_at")
    for lead in waiting:
        routing.route_lead(lead_id=lead.pk, at=lead.received_at)
