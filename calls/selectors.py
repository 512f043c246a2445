"""Reads of calls: who sees which calls, and the speed-to-lead figures measured from real calls
next to the self-logged ones."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Membership, Role, User
from accounts.selectors import MANAGING_ROLES, dealerships_for
from calls.models import Call, Direction, MarkedOutcome, Outcome
from dealers.models import Dealership
from leads.models import Lead
from leads.selectors import visible_leads

TALK_BUCKETS = (
    (0, 30, "< 0:30"),
    (30, 120, "0:30–2:00"),
    (120, 300, "2:00–5:00"),
    (300, None, "≥ 5:00"),
)
CONNECT_BUCKETS = ((0, 90, "≤ 90 s"), (90, 300, "90 s – 5 min"), (300, None, "> 5 min"))


def managed(user: User) -> QuerySet[Dealership]:
    return dealerships_for(user, MANAGING_ROLES)


def dealership_for(user: User, wanted: str | None) -> Dealership | None:
    mine = managed(user).order_by("name")
    if wanted and wanted.isdigit():
        return mine.filter(pk=int(wanted)).first()
    return mine.first()


def days_param(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 1 <= int(value) <= 366 else 30


def calls_for(user: User) -> QuerySet[Call]:
    """A manager sees their dealerships' calls; anyone else the calls they made or took, and
    those of the leads they hold."""
    calls = Call.objects.select_related("lead__customer", "agent", "dealership", "tracking_number")
    if user.is_superuser:
        return calls
    managed_ids = list(
        Membership.objects.filter(user=user, role__in=MANAGING_ROLES).values_list(
            "dealership_id", flat=True
        )
    )
    return calls.filter(
        Q(dealership_id__in=managed_ids) | Q(agent=user) | Q(lead__assigned_to=user)
    )


def leads_callable_by(user: User) -> QuerySet[Lead]:
    """Click-to-call: the leads the person sees, at a dealership where they sell or manage."""
    allowed = Membership.objects.filter(
        user=user, role__in=[Role.SALESPERSON, Role.BDC_AGENT, *MANAGING_ROLES]
    ).values("dealership_id")
    leads = visible_leads(user).select_related("customer", "dealership")
    return leads if user.is_superuser else leads.filter(dealership_id__in=allowed)


def lead_calls(lead: Lead) -> list[Call]:
    return list(lead.calls.select_related("agent").order_by("-created_at")[:20])


def _percentile(values: list[int], share: float) -> float | None:
    """The median as statistics has it; other shares by nearest rank (p90 of 10 leads: the 9th)."""
    if not values:
        return None
    if share == 0.5:
        middle = statistics.median(values)
        return int(middle) if middle == int(middle) else middle
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _within(values: list[int], seconds: int) -> int | None:
    if not values:
        return None
    return round(100 * sum(v <= seconds for v in values) / len(values))


@dataclass
class Figures:
    label: str
    leads: int = 0
    to_dial: list[int] = field(default_factory=list)
    to_agent: list[int] = field(default_factory=list)
    to_customer: list[int] = field(default_factory=list)
    self_logged: list[int] = field(default_factory=list)

    def stats(self, values: list[int]) -> dict:
        return {
            "n": len(values),
            "median": _percentile(values, 0.5),
            "p90": _percentile(values, 0.9),
            "within_2": _within(values, 120),
            "within_5": _within(values, 300),
        }

    @property
    def dial(self) -> dict:
        return self.stats(self.to_dial)

    @property
    def agent(self) -> dict:
        return self.stats(self.to_agent)

    @property
    def customer(self) -> dict:
        return self.stats(self.to_customer)

    @property
    def logged(self) -> dict:
        return self.stats(self.self_logged)


def _bucket(value: int, buckets) -> str:
    for low, high, label in buckets:
        if value >= low and (high is None or value < high):
            return label
    return buckets[-1][2]


def speed_report(dealership: Dealership, *, days: int = 30, now=None) -> dict:
    """Per lead, its first bridge/click call's times from receipt: to the first dial, to the
    salesperson answering, to the customer answering; grouped per source and per salesperson,
    with the self-logged first attempt (Lead.first_attempt_at) of the same leads beside them."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    calls = (
        Call.objects.filter(
            dealership=dealership,
            lead__isnull=False,
            lead_received_at__gte=since,
            direction__in=(Direction.BRIDGE, Direction.CLICK),
        )
        .exclude(dialed_at=None)
        .select_related("lead__source", "agent", "lead")
        .order_by("lead_id", "dialed_at")
    )
    first: dict[int, dict] = {}
    talk: list[int] = []
    for call in calls:
        if call.talk_seconds is not None:
            talk.append(call.talk_seconds)
        row = first.setdefault(
            call.lead_id,
            {"lead": call.lead, "dial": None, "agent": None, "customer": None, "who": call.agent},
        )
        received = call.lead_received_at
        if row["dial"] is None and call.dialed_at:
            row["dial"] = call.seconds_between(received, call.dialed_at)
        if row["agent"] is None and call.agent_answered_at:
            row["agent"] = call.seconds_between(received, call.agent_answered_at)
            row["who"] = call.agent
        if row["customer"] is None and call.customer_answered_at:
            row["customer"] = call.seconds_between(received, call.customer_answered_at)
    # Leads whose call a salesperson or manager marked "appointment set".
    marked = set(
        Call.objects.filter(
            lead_id__in=list(first), marked_outcome=MarkedOutcome.APPOINTMENT
        ).values_list("lead_id", flat=True)
    )
    per_source: dict[str, Figures] = {}
    per_person: dict[str, Figures] = {}
    total = Figures(gettext("All sources"))
    connect_rows: dict[str, list[int]] = {label: [0, 0] for _l, _h, label in CONNECT_BUCKETS}
    for row in first.values():
        lead = row["lead"]
        groups = [
            total,
            per_source.setdefault(
                lead.source.name if lead.source else "–",
                Figures(lead.source.name if lead.source else "–"),
            ),
            per_person.setdefault(str(row["who"] or "–"), Figures(str(row["who"] or "–"))),
        ]
        logged = (
            int((lead.first_attempt_at - lead.received_at).total_seconds())
            if lead.first_attempt_at
            else None
        )
        for group in groups:
            group.leads += 1
            for key, target in (
                ("dial", group.to_dial),
                ("agent", group.to_agent),
                ("customer", group.to_customer),
            ):
                if row[key] is not None:
                    target.append(row[key])
            if logged is not None:
                group.self_logged.append(max(0, logged))
        if row["customer"] is not None:
            bucket = connect_rows[_bucket(row["customer"], CONNECT_BUCKETS)]
            bucket[0] += 1
            bucket[1] += int(
                lead.appointment_set_at is not None
                or lead.appointment_at is not None
                or lead.pk in marked
            )
    talk_rows = {label: 0 for _l, _h, label in TALK_BUCKETS}
    for seconds in talk:
        talk_rows[_bucket(seconds, TALK_BUCKETS)] += 1
    inbound = Call.objects.filter(
        dealership=dealership, direction=Direction.INBOUND, created_at__gte=since
    )
    return {
        "total": total,
        "sources": sorted(per_source.values(), key=lambda f: f.label),
        "people": sorted(per_person.values(), key=lambda f: f.label),
        "talk": [{"label": k, "calls": v} for k, v in talk_rows.items()],
        "connect": [
            {
                "label": label,
                "leads": leads,
                "appointments": appointments,
                "rate": round(100 * appointments / leads) if leads else None,
            }
            for label, (leads, appointments) in connect_rows.items()
        ],
        "inbound": inbound.count(),
        "missed": inbound.filter(outcome=Outcome.MISSED).count(),
    }
