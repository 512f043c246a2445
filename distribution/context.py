"""The routing context: what routing a lead reads about its dealership besides the people —
its rules in the order they are tried, each rule's team, its opening hours. distribution.setup
builds it (and keeps its parts in memory between leads); routing, escalation and the queues
take it as an argument, and ask it for the rule a lead falls under, whether the dealership is
open, and a rule's first-contact deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dealers.models import Dealership
from distribution import hours
from distribution.models import Activity, DeadlineClock, DistributionRule
from leads.models import Lead

Member = tuple[int, int, int | None]  # user id, weight, cap


@dataclass(frozen=True)
class RoutingContext:
    dealership: Dealership
    rules: tuple[DistributionRule, ...]  # enabled or not, the defaults last
    teams: Mapping[int, tuple[Member, ...]]  # rule id → members in the order they were added
    intervals: hours.Intervals  # weekday → opening intervals

    def rule_for(self, lead: Lead, at: datetime) -> DistributionRule:
        """The first enabled rule that matches; the default rule of the lead's kind otherwise."""
        for rule in self.rules:
            if rule.matches(lead, at):
                return rule
        activity = Activity.PASSIVE if lead.is_passive else Activity.ACTIVE
        return next(r for r in self.rules if r.is_default and r.activity == activity)

    def team_of(self, rule: DistributionRule) -> tuple[Member, ...]:
        """The rule's members; none: the rule is everyone's."""
        return self.teams.get(rule.pk, ())

    def is_open(self, at: datetime) -> bool:
        return hours.is_open(self.intervals, self.dealership.tz, at)

    def deadline(self, rule: DistributionRule | None, start: datetime) -> datetime | None:
        """When a lead the rule routes at `start` must have been contacted; None: no deadline."""
        if rule is None or not rule.contact_minutes:
            return None
        if rule.deadline_clock == DeadlineClock.WALL_CLOCK:
            return start + timedelta(minutes=rule.contact_minutes)
        return hours.add_open_minutes(
            self.intervals, self.dealership.tz, start, rule.contact_minutes
        )
