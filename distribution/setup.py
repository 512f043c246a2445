"""A dealership's routing set-up — its rules in order, each rule's team, its opening hours —
kept in each process between leads instead of read for every lead (three queries, and most of
a routing's Python time).

It is checked before every use against the dealership's SetupStamp, which the lead's lock reads
in the same statement (distribution.services._lock). Every save or delete of a rule, a team
member or an opening interval gives the stamp a new value in the same transaction (the signal
receivers below), so the next lead routed, in whichever process, sees the edit. A dealership
without a stamp yet is read afresh, and given one. Writes that skip model signals
(bulk_create, QuerySet.update) must call changed() themselves.

What people can change at any moment — who sells where, presence, absences, open leads — is not
kept: the team query reads it for every lead."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from dealers.models import Dealership, OpeningHours
from distribution import hours as hours_module
from distribution.models import Activity, DistributionRule, SetupStamp, TeamMember
from distribution.rules import rules_of
from leads.models import Lead

Member = tuple[int, int, int | None]  # user id, weight, cap


@dataclass(frozen=True)
class Setup:
    stamp: uuid.UUID | None
    rules: tuple[DistributionRule, ...]
    teams: dict[int, tuple[Member, ...]]  # rule id → members in the order they were added
    intervals: dict[int, list[tuple]]  # weekday → opening intervals, as hours.intervals

    def rules_for(self, dealership: Dealership) -> list[DistributionRule]:
        """Copies of the rules (callers set attributes on them), each sharing `dealership` and
        carrying its team as `kept_team`, for strategies.team."""
        rules = []
        for kept in self.rules:
            rule = copy.copy(kept)
            rule.dealership = dealership
            rule.kept_team = self.teams.get(rule.pk, ())
            rules.append(rule)
        return rules


_kept: dict[int, Setup] = {}


def of(dealership: Dealership) -> Setup:
    """The dealership's set-up, from memory when its stamp still says so. The dealership's
    opening intervals are set on it (hours.intervals reads them there)."""
    stamp = _stamp(dealership)
    setup = _kept.get(dealership.pk)
    if stamp is None or setup is None or setup.stamp != stamp:
        setup = _read(dealership, stamp)
        if stamp is not None:
            _kept[dealership.pk] = setup
        else:  # the next lead can keep it (only a stamp read before the set-up is trusted)
            SetupStamp.objects.bulk_create(
                [SetupStamp(dealership=dealership)], ignore_conflicts=True
            )
    dealership.opening_intervals = setup.intervals
    return setup


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
    descriptor = Dealership.distribution_setup_stamp
    if descriptor.is_cached(dealership):  # read with the lead's lock
        stamp = getattr(dealership, "distribution_setup_stamp", None)  # None: no row
    else:
        stamp = SetupStamp.objects.filter(dealership=dealership).first()
    return stamp.value if stamp is not None else None


def _read(dealership: Dealership, stamp: uuid.UUID | None) -> Setup:
    rules = rules_of(dealership)
    teams: dict[int, list[Member]] = {}
    for rule_id, *member in (
        TeamMember.objects.filter(rule__in=[r.pk for r in rules])
        .order_by("pk")
        .values_list("rule_id", "user_id", "weight", "max_open_leads")
    ):
        teams.setdefault(rule_id, []).append(tuple(member))
    opening = OpeningHours.objects.filter(dealership=dealership).order_by()
    return Setup(
        stamp=stamp,
        rules=tuple(rules),
        teams={rule_id: tuple(members) for rule_id, members in teams.items()},
        intervals=hours_module.by_weekday(opening.values_list("weekday", "opens", "closes")),
    )


def match_rule(lead: Lead, at: datetime) -> DistributionRule:
    """The first enabled rule that matches; the default rule of the lead's kind otherwise."""
    rules = of(lead.dealership).rules_for(lead.dealership)
    for rule in rules:
        if rule.matches(lead, at):
            return rule
    activity = Activity.PASSIVE if lead.is_passive else Activity.ACTIVE
    return next(r for r in rules if r.is_default and r.activity == activity)


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
