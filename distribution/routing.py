"""Routing: who gets a new lead. The lead's rule (the routing context's answer), its strategy
and then its fallback (pure decisions, distribution.strategies, over what distribution.candidates
read through the plan), and the result — an assignment with its first-contact deadline, or a
queue — written with distribution.plan. Assignee changes go through leads.services (one event
each); a queue is a DISTRIBUTION event, so the timeline says why a lead went where it went.
The assignee's notification is the automation app's: it reacts to the ASSIGNED event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from distribution import candidates, setup, strategies
from distribution.context import RoutingContext
from distribution.models import DistributionRule, Routing, Strategy
from distribution.plan import Plan, distribution_event
from distribution.strategies import Pick
from leads import services as lead_services
from leads.lifecycle import OPEN_STATUSES, Status
from leads.models import Lead

State = Routing.State
UNCONTACTED = (Status.NEW, Status.ASSIGNED)


def _reason_label(code: str) -> str:
    return {
        strategies.ABSENT: _("absent"),
        strategies.AWAY: _("away"),
        strategies.OFF_SHIFT: _("off shift"),
        strategies.AT_CAP: _("at cap"),
    }.get(code, code)


def _strategy_label(code: str) -> str:
    return str(dict(Strategy.choices).get(code, code))


# --- the lead's row --------------------------------------------------------------------------


def lock(lead_ids: list[int]) -> list[Lead]:
    """The leads, locked in id order (two batches sharing leads never wait for each other
    crosswise). With what the rules match on and the notes are written in (source, vehicle,
    dealership), and the stamp that says whether the dealership's routing context kept in
    memory is current (distribution.setup).

    And the customer, which distribution does not read: automation's notification of the
    assignee uses the event's lead as it comes when it carries the customer, and reads the lead
    again per event otherwise (automation.services._lead_of). Drop it once automation reads
    the leads of a batch of events in one query of its own."""
    return list(
        Lead.objects.select_for_update(of=("self",))
        .select_related("dealership__distribution_setup_stamp", "source", "vehicle", "customer")
        .filter(pk__in=lead_ids)
        .order_by("pk")
    )


def lock_one(lead_id: int) -> Lead | None:
    found = lock([lead_id])
    return found[0] if found else None


def context_of(lead: Lead) -> RoutingContext:
    return setup.context(lead.dealership)


def _routings_of(leads: list[Lead]) -> dict[int, Routing]:
    """The leads' routings, read after their locks are held: its own statement, so that it sees
    rows another worker committed while this one waited (a join in the locking query would
    read the older snapshot)."""
    if not leads:
        return {}
    return {r.lead_id: r for r in Routing.objects.filter(lead__in=leads)}


# --- deciding --------------------------------------------------------------------------------


@dataclass
class Decision:
    user: User | None
    state: str
    strategy: str
    skipped: list
    notes: list


def _round_robin(
    context: RoutingContext, rule: DistributionRule, exclude: set[int], plan: Plan
) -> Pick:
    """Round-robin, its state in the rule's rotation row, locked by the plan once for all its
    picks (concurrent workers queue on the lock and produce the sequence a single worker
    would); the new credits are written with the plan's other writes. Absence, presence and
    shifts are read with the team; caps under the lock, and only for the member whose turn it
    is (one indexed count, not one over the whole team's open leads)."""
    team = plan.team(context, rule)
    reasons = strategies.skip_reasons(team, is_open=context.is_open(plan.at))
    rotation = plan.rotation(rule)
    credits = {int(k): v for k, v in rotation.credits.items()}
    while True:
        turn = strategies.round_robin(team, credits, reasons, exclude, catch_up=rule.catch_up)
        if turn.chosen is None or not plan.at_cap(rule, turn.chosen):
            break
        reasons[turn.chosen.user.pk] = strategies.AT_CAP
    if turn.chosen is None:
        return Pick(None, strategies.skipped(team, reasons))
    rotation.credits = {str(k): v for k, v in turn.credits.items()}
    rotation.picks += 1
    return Pick(turn.chosen.user, strategies.skipped(team, reasons))


def _least_loaded(
    context: RoutingContext, rule: DistributionRule, exclude: set[int], plan: Plan
) -> Pick:
    team = plan.team(context, rule)
    loads = plan.open_counts(rule, [c.user.pk for c in team])
    reasons = strategies.skip_reasons(team, is_open=context.is_open(plan.at), loads=loads)
    return strategies.least_loaded(team, loads, reasons, exclude)


def _vehicle_owner(context: RoutingContext, lead: Lead, exclude: set[int], at: datetime) -> Pick:
    owner = candidates.vehicle_owner(lead, at)
    return strategies.vehicle_owner(
        owner.candidate if owner else None,
        sells_here=bool(owner and owner.sells_here),
        is_open=context.is_open(at),
        exclude=exclude,
    )


def _pick(
    strategy: str,
    context: RoutingContext,
    lead: Lead,
    rule: DistributionRule,
    exclude: set[int],
    plan: Plan,
) -> Pick:
    if strategy == Strategy.BDC_QUEUE:
        return strategies.bdc_queue()
    if strategy == Strategy.MANUAL:
        return strategies.manual()
    if strategy == Strategy.VEHICLE_OWNER:
        return _vehicle_owner(context, lead, exclude, plan.at)
    if strategy == Strategy.ROUND_ROBIN:
        return _round_robin(context, rule, exclude, plan)
    return _least_loaded(context, rule, exclude, plan)


def decide(
    context: RoutingContext, lead: Lead, rule: DistributionRule, exclude: set[int], plan: Plan
) -> Decision:
    """Run the rule's strategy, then its fallback; nobody at all: the lead waits. The plan
    reads what the strategies decide from, and remembers the picks of the leads before this
    one."""
    skipped: list[dict] = []
    notes: list[str] = []
    tried = [rule.strategy] if rule.fallback == rule.strategy else [rule.strategy, rule.fallback]
    for strategy in tried:
        pick = _pick(strategy, context, lead, rule, exclude, plan)
        if pick.queue:
            return Decision(None, pick.queue, strategy, skipped, notes)
        known = {s["user_id"] for s in skipped}
        skipped += [s for s in pick.skipped if s["user_id"] not in known]
        if pick.note:
            notes.append(pick.note)
        if pick.user is not None:
            return Decision(pick.user, State.ASSIGNED, strategy, skipped, notes)
    return Decision(None, State.WAITING, rule.fallback, skipped, notes)


def _note(lead: Lead, rule: DistributionRule, decision: Decision, prefix: str = "") -> str:
    with override(lead.dealership.language):
        parts = [prefix] if prefix else []
        parts.append(
            _("%(strategy)s, rule “%(rule)s”")
            % {"strategy": _strategy_label(decision.strategy), "rule": rule.name}
        )
        if "no_owner" in decision.notes:
            parts.append(_("the vehicle has no owner in stock"))
        if "owner_not_selling" in decision.notes:
            parts.append(_("the vehicle's owner does not sell here"))
        if decision.skipped:
            parts.append(
                _("skipped: %(list)s")
                % {
                    "list": ", ".join(
                        f"{s['name']} ({_reason_label(s['reason'])})" for s in decision.skipped
                    )
                }
            )
        if decision.state == State.WAITING:
            parts.append(_("nobody available: waiting in the unassigned queue"))
        elif decision.state == State.MANAGER_QUEUE:
            parts.append(_("waiting in the manager's unassigned queue"))
        elif decision.state == State.BDC_QUEUE:
            parts.append(_("waiting in the BDC queue"))
        return " · ".join(str(p) for p in parts)


def apply(
    context: RoutingContext,
    plan: Plan,
    lead: Lead,
    rule: DistributionRule,
    decision: Decision,
    routing: Routing | None,
    *,
    prefix: str = "",
    extra: dict | None = None,
) -> Routing:
    """Put the decision in the plan: the assignment with its deadline (in the same UPDATE), or
    the queue event and the deadline; the routing row. Written by plan.write()."""
    at = plan.at
    data = {
        "rule_id": rule.pk,
        "rule": rule.name,
        "strategy": decision.strategy,
        "state": decision.state,
        "skipped": decision.skipped,
        **(extra or {}),
    }
    note = _note(lead, rule, decision, prefix)
    deadline = context.deadline(rule, at)
    if decision.user is not None:
        # The caller locked the lead (lock()): assigned in place, the deadline in the same UPDATE.
        plan.assign(
            lead_services.Assignment(
                lead, decision.user, note, data, {"contact_deadline_at": deadline}
            )
        )
    else:
        lead.contact_deadline_at = deadline
        plan.queue(lead, distribution_event(lead, note, data, at))
    routing = routing or Routing(lead=lead)
    routing.rule = rule
    routing.state = decision.state
    routing.routed_at = at
    if decision.user is not None and decision.user.pk not in routing.tried_user_ids:
        routing.tried_user_ids = [*routing.tried_user_ids, decision.user.pk]
    plan.routings.append(routing)
    return routing


# --- routing ---------------------------------------------------------------------------------


def route_lead(*, lead_id: int, at: datetime | None = None) -> Routing | None:
    """Route a new lead by its dealership's rules (see route_leads)."""
    return route_leads(lead_ids=[lead_id], at=at).get(lead_id)


@transaction.atomic
def route_leads(*, lead_ids: list[int], at: datetime | None = None) -> dict[int, Routing]:
    """Route new leads by their dealerships' rules: lead id → its routing (none for a lead
    that is gone or closed). Idempotent: a lead routed once (or given to someone by hand
    meanwhile) is left alone, so a job run twice never assigns twice.

    Leads that arrived together (an inbound batch) are routed in one transaction, in the order
    they came, as one after the other would be: locked and read in one statement, what they
    share read once and their writes made together (distribution.plan). Under a loaded database
    each round trip costs more than holding the rotation lock a little longer
    (bench/distribution_bench.py)."""
    at = at or timezone.now()
    leads = lock(lead_ids)
    routings = _routings_of(leads)
    plan = Plan(at)
    for lead in leads:
        if lead.status not in OPEN_STATUSES or lead.pk in routings:
            continue
        if lead.assigned_to_id is not None:
            routing = Routing(lead=lead, state=State.ASSIGNED, tried_user_ids=[lead.assigned_to_id])
            plan.routings.append(routing)
        else:
            context = context_of(lead)
            rule = context.rule_for(lead, at)
            decision = decide(context, lead, rule, set(), plan)
            routing = apply(context, plan, lead, rule, decision, None)
        routings[lead.pk] = routing
    plan.write()
    return routings


@transaction.atomic
def retry_waiting_lead(*, lead_id: int, at: datetime | None = None) -> Routing | None:
    """A lead that found nobody available (all away, absent, at cap, or the dealership closed)
    tries again; while it still finds nobody it writes nothing."""
    at = at or timezone.now()
    lead = lock_one(lead_id)
    routing = Routing.objects.filter(lead_id=lead_id, state=State.WAITING).first()
    if lead is None or routing is None or lead.assigned_to_id or not lead.is_open:
        return None
    context = context_of(lead)
    rule = routing.rule or context.rule_for(lead, at)
    plan = Plan(at)
    decision = decide(context, lead, rule, set(), plan)
    if decision.user is None:
        return routing
    routing = apply(context, plan, lead, rule, decision, routing)
    plan.write()
    return routing


def retry_waiting(*, at: datetime | None = None, limit: int = 500) -> int:
    ids = list(
        Routing.objects.filter(
            state=State.WAITING, lead__assigned_to__isnull=True, lead__status__in=UNCONTACTED
        ).values_list("lead_id", flat=True)[:limit]
    )
    done = 0
    for lead_id in ids:
        routing = retry_waiting_lead(lead_id=lead_id, at=at)
        done += bool(routing and routing.state == State.ASSIGNED)
    return done
