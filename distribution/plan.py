"""One transaction's routing work, for one lead or a batch that arrived together.

A Plan reads what the strategies decide from (through distribution.candidates) — each rule's
team (with absences), its rotation row (locked once, for every pick the plan makes), how many
open leads a capped person holds — and remembers the picks it made, so the second lead of a batch sees the first one's assignee as a
strategy would after the first one's commit. It collects the writes (assignments with their
deadlines, queue events, routing rows, rotation credits) and makes them together in write():
a batch of fifty leads costs a handful of statements instead of a dozen each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from core.db import update_rows
from distribution import candidates
from distribution.context import RoutingContext
from distribution.models import DistributionRule, Rotation, Routing
from distribution.strategies import Candidate
from leads import services as lead_services
from leads.models import EventKind, Lead, LeadEvent


@dataclass
class Queued:
    """A lead the plan leaves unassigned (its new deadline set on it), and the event saying so."""

    lead: Lead
    event: LeadEvent


class Plan:
    def __init__(self, at: datetime) -> None:
        self.at = at
        self._teams: dict[int, list[Candidate]] = {}
        self._rotations: dict[int, Rotation] = {}
        # Keyed by (dealership id, user id): a plan may route for several dealerships, and a
        # person's open leads and caps are per dealership.
        self._capped: dict[tuple, int] = {}  # (…, cap) → open leads held, read once (≤ cap)
        self._loads: dict[tuple, int] = {}  # → open leads held, read once
        self._gained: Counter = Counter()  # → leads this plan gave them
        self.assignments: list[lead_services.Assignment] = []
        self.queued: list[Queued] = []
        self.routings: list[Routing] = []

    # --- what the strategies decide from ----------------------------------------------------
    def team(self, context: RoutingContext, rule: DistributionRule) -> list[Candidate]:
        """The rule's team as candidates at the plan's moment, read once a plan."""
        if rule.pk not in self._teams:
            self._teams[rule.pk] = candidates.team(
                rule.dealership_id, context.team_of(rule), self.at
            )
        return self._teams[rule.pk]

    def rotation(self, rule: DistributionRule) -> Rotation:
        """The rule's rotation row, locked for the rest of the transaction (concurrent workers
        queue on it and produce the sequence a single worker would)."""
        if rule.pk not in self._rotations:
            try:
                rotation = Rotation.objects.select_for_update().get(rule=rule)
            except Rotation.DoesNotExist:  # rules made outside save_rule (admin, migrations)
                Rotation.objects.get_or_create(rule=rule)
                rotation = Rotation.objects.select_for_update().get(rule=rule)
            self._rotations[rule.pk] = rotation
        return self._rotations[rule.pk]

    def at_cap(self, rule: DistributionRule, candidate: Candidate) -> bool:
        """Whether the candidate holds their cap of open leads, this plan's picks included."""
        if candidate.cap is None:
            return False
        key = (rule.dealership_id, candidate.user.pk)
        if (*key, candidate.cap) not in self._capped:
            self._capped[*key, candidate.cap] = candidates.held(
                rule.dealership_id, candidate.user.pk, candidate.cap
            )
        return self._capped[*key, candidate.cap] + self._gained[key] >= candidate.cap

    def open_counts(self, rule: DistributionRule, user_ids: list[int]) -> Counter:
        """Open leads each person holds, this plan's picks included (read once a plan)."""
        dealership = rule.dealership_id
        unread = [pk for pk in user_ids if (dealership, pk) not in self._loads]
        if unread:
            counts = candidates.open_counts(dealership, unread)
            self._loads.update(((dealership, pk), counts[pk]) for pk in unread)
        return Counter(
            {pk: self._loads[dealership, pk] + self._gained[dealership, pk] for pk in user_ids}
        )

    # --- what it decided ---------------------------------------------------------------------
    def assign(self, assignment: lead_services.Assignment) -> None:
        self.assignments.append(assignment)
        if assignment.to is not None:
            self._gained[assignment.lead.dealership_id, assignment.to.pk] += 1

    def queue(self, lead: Lead, event: LeadEvent) -> None:
        self.queued.append(Queued(lead, event))

    def write(self) -> None:
        """Every write the plan collected, in the caller's transaction; empties it."""
        for rotation in self._rotations.values():
            rotation.save(update_fields=["credits", "picks"])
        lead_services.assign_leads(assignments=self.assignments, at=self.at)
        lead_services.record_events(events=[q.event for q in self.queued])
        update_rows([q.lead for q in self.queued], ["contact_deadline_at"])
        known = [r for r in self.routings if r.pk is not None]
        Routing.objects.bulk_create([r for r in self.routings if r.pk is None])
        for routing in known:
            routing.save()
        self._rotations, self.assignments, self.queued, self.routings = {}, [], [], []


def distribution_event(lead: Lead, note: str, data: dict, at: datetime) -> LeadEvent:
    return LeadEvent(lead=lead, kind=EventKind.DISTRIBUTION, note=note, data=data, occurred_at=at)
