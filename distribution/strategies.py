"""Who is eligible for a lead right now, and the strategies that pick one of them.

A candidate is skipped when they are absent (a manager recorded it), away (they said so),
off shift (the dealership is closed: opening hours bound the shifts) or at their cap of open
leads. Each skip is reported with its reason, so the lead's timeline can say why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import Absence, Membership, Presence, Role, User
from dealers.models import Dealership, StockVehicle
from distribution import hours
from distribution.models import DistributionRule, Rotation
from leads.lifecycle import OPEN_STATUSES
from leads.models import Lead


class Plan(Protocol):
    """What a strategy asks of the routing in progress (distribution.plan.Plan answers it, for
    all the leads routed together): the rule's rotation, open-lead counts, and caps."""

    def rotation(self, rule: DistributionRule) -> Rotation: ...

    def at_cap(self, rule: DistributionRule, candidate: Candidate) -> bool: ...

    def open_counts(self, rule: DistributionRule, user_ids: list[int]) -> Counter: ...


ABSENT, AWAY, OFF_SHIFT, AT_CAP = "absent", "away", "off_shift", "at_cap"


@dataclass
class Candidate:
    user: User
    weight: int = 1
    cap: int | None = None
    absent: bool | None = None  # at the moment of the pick; None: not read yet


@dataclass
class Pick:
    user: User | None
    skipped: list[dict] = field(default_factory=list)
    note: str = ""


def team(rule: DistributionRule, at: datetime | None = None) -> list[Candidate]:
    """The rule's members who still sell at the dealership; all its salespeople when the
    rule names nobody. With `at`, whether each is absent then comes in the same query. A rule
    from distribution.setup carries its members (`kept_team`): only the people are read."""
    sellers = Membership.objects.filter(
        dealership_id=rule.dealership_id, role=Role.SALESPERSON, user__is_active=True
    ).values("user_id")
    kept = getattr(rule, "kept_team", None)
    if kept is None:
        # In the order they were added (TeamMember's own ordering would join the rule and its
        # dealership only to sort by columns that are the same for every row).
        members = rule.members.filter(user__in=sellers).select_related("user").order_by("pk")
        if at is not None:
            members = members.annotate(absent=_absent_at(at, "user_id"))
        if members := list(members):
            return [
                Candidate(m.user, m.weight, m.max_open_leads, getattr(m, "absent", None))
                for m in members
            ]
    elif kept:
        ids = [user_id for user_id, *_ in kept]
        people = _people(User.objects.filter(pk__in=ids).order_by(), at)  # team order: below
        found = {user.pk: user for user in people.filter(pk__in=sellers)}
        if found:
            return [
                Candidate(found[user_id], weight, cap, getattr(found[user_id], "absent", None))
                for user_id, weight, cap in kept
                if user_id in found
            ]
    # Whole rows: the chosen person's language, e-mail and notification choices are read next
    # (by the assignment's notification); deferred fields would cost a query each.
    users = _people(User.objects.filter(pk__in=sellers).order_by("pk"), at)
    return [Candidate(user, absent=getattr(user, "absent", None)) for user in users]


def _people(users: QuerySet[User], at: datetime | None) -> QuerySet[User]:
    return users if at is None else users.annotate(absent=_absent_at(at, "pk"))


def _absent_at(at: datetime, user_ref: str) -> Exists:
    return Exists(
        Absence.objects.filter(user_id=OuterRef(user_ref), starts_at__lte=at, ends_at__gt=at)
    )


def open_counts(dealership: Dealership, user_ids: list[int]) -> Counter:
    if not user_ids:
        return Counter()
    rows = (
        Lead.objects.filter(
            dealership=dealership, assigned_to_id__in=user_ids, status__in=OPEN_STATUSES
        )
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({row["assigned_to_id"]: row["n"] for row in rows})


def held(dealership: Dealership, user_id: int, cap: int) -> int:
    """The open leads the person holds at the dealership, counted no further than `cap`."""
    leads = Lead.objects.filter(
        dealership=dealership, assigned_to_id=user_id, status__in=OPEN_STATUSES
    ).order_by()
    return leads[:cap].count()


def skip_reasons(
    candidates: list[Candidate],
    dealership: Dealership,
    at: datetime,
    loads: Counter | None = None,
    *,
    caps: bool = True,
) -> dict[int, str]:
    """user id → why they cannot take a lead at `at` (absent, away, off shift, and — unless
    `caps` is off — at cap)."""
    unread = [c.user.pk for c in candidates if c.absent is None]
    absent = {c.user.pk for c in candidates if c.absent}
    if unread:
        absent |= set(
            Absence.objects.filter(
                user_id__in=unread, starts_at__lte=at, ends_at__gt=at
            ).values_list("user_id", flat=True)
        )
    is_open = hours.is_open(dealership, at)
    capped = [c.user.pk for c in candidates if c.cap is not None]
    if loads is None:
        loads = open_counts(dealership, capped) if caps else Counter()
    reasons: dict[int, str] = {}
    for c in candidates:
        if c.user.pk in absent:
            reasons[c.user.pk] = ABSENT
        elif c.user.presence == Presence.AWAY:
            reasons[c.user.pk] = AWAY
        elif not is_open:
            reasons[c.user.pk] = OFF_SHIFT
        elif caps and c.cap is not None and loads[c.user.pk] >= c.cap:
            reasons[c.user.pk] = AT_CAP
    return reasons


def _skipped(candidates: list[Candidate], reasons: dict[int, str]) -> list[dict]:
    return [
        {"user_id": c.user.pk, "name": str(c.user), "reason": reasons[c.user.pk]}
        for c in candidates
        if c.user.pk in reasons
    ]


def round_robin(
    rule: DistributionRule, candidates: list[Candidate], at: datetime, exclude: set[int], plan: Plan
) -> Pick:
    """Smooth weighted round-robin, its state in the rule's rotation row, locked for the pick
    (by the plan, once for all its picks): concurrent workers queue on the lock and produce the
    sequence a single worker would. The new credits are written with the plan's other writes.

    Absence, presence and shifts are read with the team; caps under the lock, and only for the
    member whose turn it is (one indexed count, not one over the whole team's open leads)."""
    reasons = skip_reasons(candidates, rule.dealership, at, caps=False)
    rotation = plan.rotation(rule)
    saved = {int(k): v for k, v in rotation.credits.items()}
    order = {c.user.pk: i for i, c in enumerate(candidates)}
    while True:
        eligible = [c for c in candidates if c.user.pk not in reasons and c.user.pk not in exclude]
        if not eligible:
            return Pick(None, _skipped(candidates, reasons))
        credits = dict(saved)
        earners = list(eligible)
        if rule.catch_up:  # the absent keep earning their turns, and get them back on return
            earners += [c for c in candidates if c.user.pk in reasons and c.user.pk not in exclude]
        for c in earners:
            credits[c.user.pk] = credits.get(c.user.pk, 0) + c.weight
        chosen = max(eligible, key=lambda c: (credits[c.user.pk], -order[c.user.pk]))
        if plan.at_cap(rule, chosen):
            reasons[chosen.user.pk] = AT_CAP
            continue
        break
    credits[chosen.user.pk] -= sum(c.weight for c in earners)
    rotation.credits = {str(k): v for k, v in credits.items()}
    rotation.picks += 1
    return Pick(chosen.user, _skipped(candidates, reasons))


def least_loaded(
    rule: DistributionRule, candidates: list[Candidate], at: datetime, exclude: set[int], plan: Plan
) -> Pick:
    loads = plan.open_counts(rule, [c.user.pk for c in candidates])
    reasons = skip_reasons(candidates, rule.dealership, at, loads)
    eligible = [c for c in candidates if c.user.pk not in reasons and c.user.pk not in exclude]
    skipped = _skipped(candidates, reasons)
    if not eligible:
        return Pick(None, skipped)
    order = {c.user.pk: i for i, c in enumerate(candidates)}
    chosen = min(eligible, key=lambda c: (loads[c.user.pk], order[c.user.pk]))
    return Pick(chosen.user, skipped)


def vehicle_owner(lead: Lead, at: datetime, exclude: set[int]) -> Pick:
    """The salesperson who owns the stock vehicle the lead asks about, when they can take it."""
    stock_id = lead.vehicle.stock_vehicle_id if lead.vehicle else None
    # Read here, for this strategy only (the lead's lock does not join the stock and its owner).
    stock = (
        StockVehicle.objects.select_related("owner").filter(pk=stock_id).first()
        if stock_id
        else None
    )
    owner = stock.owner if stock else None
    if owner is None:
        return Pick(None, note="no_owner")
    sells_here = Membership.objects.filter(
        user=owner, dealership_id=lead.dealership_id, role=Role.SALESPERSON, user__is_active=True
    ).exists()
    if not sells_here:
        return Pick(None, note="owner_not_selling")
    if owner.pk in exclude:
        return Pick(None, note="owner_tried")
    candidate = [Candidate(owner)]
    reasons = skip_reasons(candidate, lead.dealership, at)
    if reasons:
        return Pick(None, _skipped(candidate, reasons))
    return Pick(owner)
