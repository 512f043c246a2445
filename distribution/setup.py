"""A dealership's routing set-up — its rules in order, each rule's team, its opening hours —
kept in each process between leads instead of read for every lead (three queries, and most of
a routing's Python time).

It is checked before every use against the dealership's SetupStamp, which the lead's lock reads
in the same statement (distribution.routing.lock). Every save or delete of a rule, a team
member or an opening interval gives the stamp a new value in the same transaction (the signal
receivers below), so the next lead routed, in whichever process, sees the edit. A dealership
without a stamp yet is read afresh, and given one. Writes that skip model signals
(bulk_create, QuerySet.update) must call changed() themselves.

What it keeps is a RoutingContext (distribution.context), handed to each caller with the
caller's own dealership row in it.

What people can change at any moment — who sells where, presence, absences, open leads — is not
kept: the team query reads it for every lead."""

from __future__ import annotations

import dataclasses
import uuid

from django.db.models import QuerySet

from dealers.models import Dealership, OpeningHours
from distribution import hours
from distribution.context import Member, RoutingContext
from distribution.models import DistributionRule, SetupStamp, TeamMember
from distribution.rules import rules_of

# dealership id → (the stamp it was read under, its context); the context's dealership is
# replaced by the caller's own row on every use.
_kept: dict[int, tuple[uuid.UUID, RoutingContext]] = {}


def context(dealership: Dealership) -> RoutingContext:
    """The dealership's routing context, from memory when its stamp still says so."""
    stamp = _stamp(dealership)
    kept = _kept.get(dealership.pk)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return dataclasses.replace(kept[1], dealership=dealership)
    found = _read(dealership)
    if stamp is not None:
        _kept[dealership.pk] = (stamp, found)
    else:  # the next lead can keep it (only a stamp read before the set-up is trusted)
        SetupStamp.objects.bulk_create([SetupStamp(dealership=dealership)], ignore_conflicts=True)
    return found


def forget() -> None:
    """Drop what this process keeps (tests compare with reading everything afresh)."""
    _kept.clear()


def changed(dealership_id: int) -> None:
    """The dealership's set-up changed in this transaction: a new stamp (made if missing)."""
    SetupStamp.objects.bulk_create(
        [SetupStamp(dealership_id=dealership_id, value=uuid.uuid4())],
        update_conflicts=True,
        unique_fields=["dealership"],
        update_fields=["value"],
    )


def _stamp(dealership: Dealership) -> uuid.UUID | None:
    if Dealership.distribution_setup_stamp.is_cached(dealership):  # read with the lead's lock
        try:
            return dealership.distribution_setup_stamp.value
        except SetupStamp.DoesNotExist:  # read, and there is none
            return None
    return SetupStamp.objects.filter(dealership=dealership).values_list("value", flat=True).first()


def _read(dealership: Dealership) -> RoutingContext:
    rules = rules_of(dealership)
    teams: dict[int, list[Member]] = {}
    for rule_id, *member in (
        TeamMember.objects.filter(rule__in=[r.pk for r in rules])
        .order_by("pk")
        .values_list("rule_id", "user_id", "weight", "max_open_leads")
    ):
        teams.setdefault(rule_id, []).append(tuple(member))
    opening = OpeningHours.objects.filter(dealership=dealership).order_by()
    return RoutingContext(
        dealership=dealership,
        rules=tuple(rules),
        teams={rule_id: tuple(members) for rule_id, members in teams.items()},
        intervals=hours.by_weekday(opening.values_list("weekday", "opens", "closes")),
    )


# --- every change of a rule, a team member or an opening interval changes the stamp ------------


def _dealership_going(origin: object) -> bool:
    """Deleted with its dealership: no stamp to change (it goes too)."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Dealership


def on_rule_or_hours(sender, instance, origin=None, **kwargs) -> None:
    if not _dealership_going(origin):
        changed(instance.dealership_id)


def on_team_member(sender, instance, origin=None, **kwargs) -> None:
    if _dealership_going(origin):
        return
    dealership_id = (
        DistributionRule.objects.filter(pk=instance.rule_id)
        .values_list("dealership_id", flat=True)
        .first()
    )
    if dealership_id is not None:
        changed(dealership_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model, receiver in (
        (DistributionRule, on_rule_or_hours),
        (OpeningHours, on_rule_or_hours),
        (TeamMember, on_team_member),
    ):
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"setup.{model.__name__}")
