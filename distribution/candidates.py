"""Who may get a lead: the reads behind the strategies. A rule's team as candidates (with
whether each is absent, in the same query), the owner of the stock vehicle a lead asks about,
and how many open leads people hold. The strategies (distribution.strategies) decide from
these; nothing here decides."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import Absence, Membership, Role, User
from dealers.models import StockVehicle
from distribution.context import Member
from distribution.models import DistributionRule, TeamMember
from distribution.strategies import Candidate
from leads.lifecycle import OPEN_STATUSES
from leads.models import Lead


def _sellers(dealership_id: int) -> QuerySet:
    return Membership.objects.filter(
        dealership_id=dealership_id, role=Role.SALESPERSON, user__is_active=True
    ).values("user_id")


def _absent_at(at: datetime, user_ref: str) -> Exists:
    return Exists(
        Absence.objects.filter(user_id=OuterRef(user_ref), starts_at__lte=at, ends_at__gt=at)
    )


def members_of(rule: DistributionRule) -> tuple[Member, ...]:
    """The rule's team as distribution.setup keeps it: (user id, weight, cap), in the order
    they were added."""
    return tuple(
        TeamMember.objects.filter(rule=rule)
        .order_by("pk")
        .values_list("user_id", "weight", "max_open_leads")
    )


def team(
    dealership_id: int, members: tuple[Member, ...], at: datetime | None = None
) -> list[Candidate]:
    """The members who still sell at the dealership, in the order given; all its salespeople
    when none does (a rule that names nobody is everyone's). With `at`, whether each is absent
    then is read in the same query; without, nobody counts as absent."""
    sellers = _sellers(dealership_id)
    if members:
        ids = [user_id for user_id, *_ in members]
        people = _people(User.objects.filter(pk__in=ids).order_by(), at)  # team order: below
        found = {user.pk: user for user in people.filter(pk__in=sellers)}
        if found:
            return [
                Candidate(found[user_id], weight, cap, _absent(found[user_id], at))
                for user_id, weight, cap in members
                if user_id in found
            ]
    # Whole rows: the chosen person's language, e-mail and notification choices are read next
    # (by the assignment's notification); deferred fields would cost a query each.
    users = _people(User.objects.filter(pk__in=sellers).order_by("pk"), at)
    return [Candidate(user, absent=_absent(user, at)) for user in users]


def _people(users: QuerySet[User], at: datetime | None) -> QuerySet[User]:
    return users if at is None else users.annotate(absent_now=_absent_at(at, "pk"))


def _absent(user: User, at: datetime | None) -> bool:
    return at is not None and user.absent_now


@dataclass
class Owner:
    """The owner of the stock vehicle a lead asks about, as a candidate, and whether they sell
    at the lead's dealership."""

    candidate: Candidate
    sells_here: bool


def vehicle_owner(lead: Lead, at: datetime) -> Owner | None:
    """The stock vehicle's owner (None: no stock vehicle, or nobody owns it), with whether they
    sell at the lead's dealership and are absent at `at`, in one query. Read for this strategy
    only: the lead's lock does not join the stock and its owner."""
    stock_id = lead.vehicle.stock_vehicle_id if lead.vehicle else None
    if not stock_id:
        return None
    sells_here = Membership.objects.filter(
        user_id=OuterRef("owner_id"),
        dealership_id=lead.dealership_id,
        role=Role.SALESPERSON,
        user__is_active=True,
    )
    stock = (
        StockVehicle.objects.select_related("owner")
        .annotate(owner_sells_here=Exists(sells_here), owner_absent=_absent_at(at, "owner_id"))
        .filter(pk=stock_id)
        .first()
    )
    if stock is None or stock.owner is None:
        return None
    return Owner(Candidate(stock.owner, absent=stock.owner_absent), stock.owner_sells_here)


def open_counts(dealership_id: int, user_ids: list[int]) -> Counter:
    """Open leads each person holds at the dealership."""
    if not user_ids:
        return Counter()
    rows = (
        Lead.objects.filter(
            dealership_id=dealership_id, assigned_to_id__in=user_ids, status__in=OPEN_STATUSES
        )
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({row["assigned_to_id"]: row["n"] for row in rows})


def held(dealership_id: int, user_id: int, cap: int) -> int:
    """The open leads the person holds at the dealership, counted no further than `cap`."""
    leads = Lead.objects.filter(
        dealership_id=dealership_id, assigned_to_id=user_id, status__in=OPEN_STATUSES
    ).order_by()
    return leads[:cap].count()
