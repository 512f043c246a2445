"""Distribution's writes: route a new lead, escalate a missed deadline, move leads between
people and queues. Assignee changes go through leads.services.assign_lead (one event each);
queue moves and skips are DISTRIBUTION events, escalations ESCALATED events, so the timeline
says why a lead went where it went. Notifications are the automation app's: it reacts to the
ASSIGNED/REASSIGNED events (notifying the assignee) and to ESCALATED events
(data["notify_user_ids"])."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Membership, Role, User
from accounts.selectors import people_at
from dealers.models import Dealership
from distribution import hours, strategies
from distribution.models import (
    DeadlineClock,
    DistributionRule,
    OnDeadline,
    Routing,
    Strategy,
    TeamMember,
)
from distribution.plan import Plan, distribution_event
from distribution.rules import next_position, settings_of
from distribution.setup import match_rule
from leads import services as lead_services
from leads.lifecycle import CLOSED_STATUSES, OPEN_STATUSES, Status
from leads.models import EventKind, Lead

State = Routing.State
UNCONTACTED = (Status.NEW, Status.ASSIGNED)


class DistributionError(Exception):
    """A request the lead's state or the person's role does not allow; the message says why."""


def _reason_label(code: str) -> str:
    return {
        strategies.ABSENT: _("absent"),
        strategies.AWAY: _("away"),
        strategies.OFF_SHIFT: _("off shift"),
        strategies.AT_CAP: _("at cap"),
    }.get(code, code)


def _strategy_label(code: str) -> str:
    return str(dict(Strategy.choices).get(code, code))


def deadline_for(rule: DistributionRule | None, start: datetime) -> datetime | None:
    if rule is None or not rule.contact_minutes:
        return None
    if rule.deadline_clock == DeadlineClock.WALL_CLOCK:
        return start + timedelta(minutes=rule.contact_minutes)
    return hours.add_open_minutes(rule.dealership, start, rule.contact_minutes)


def _set_deadline(lead: Lead, deadline: datetime | None) -> None:
    # Not a status or assignee change: a plain field distribution owns the value of.
    Lead.all_objects.filter(pk=lead.pk).update(contact_deadline_at=deadline)
    lead.contact_deadline_at = deadline


def managers_of(dealership: Dealership) -> list[int]:
    """Whom an escalation alerts: the dealership's managers, else its admins."""
    return list(people_at(dealership, [Role.MANAGER]).values_list("pk", flat=True)) or list(
        people_at(dealership, [Role.ADMIN]).values_list("pk", flat=True)
    )


@dataclass
class Decision:
    user: User | None
    state: str
    strategy: str
    skipped: list
    notes: list


def decide(
    lead: Lead, rule: DistributionRule, at: datetime, exclude: set[int], plan: Plan
) -> Decision:
    """Run the rule's strategy, then its fallback; nobody at all: the lead waits. The plan
    answers what the strategies read, and remembers the picks of the leads before this one."""
    skipped: list[dict] = []
    notes: list[str] = []
    tried = [rule.strategy] if rule.fallback == rule.strategy else [rule.strategy, rule.fallback]
    for strategy in tried:
        if strategy == Strategy.BDC_QUEUE:
            return Decision(None, State.BDC_QUEUE, strategy, skipped, notes)
        if strategy == Strategy.MANUAL:
            return Decision(None, State.MANAGER_QUEUE, strategy, skipped, notes)
        if strategy == Strategy.VEHICLE_OWNER:
            pick = strategies.vehicle_owner(lead, at, exclude)
        else:
            picker = (
                strategies.round_robin
                if strategy == Strategy.ROUND_ROBIN
                else strategies.least_loaded
            )
            pick = picker(rule, plan.team(rule), at, exclude, plan)
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


def _apply(
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
    deadline = deadline_for(rule, at)
    if decision.user is not None:
        # The caller locked the lead (_lock): assigned in place, the deadline in the same UPDATE.
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


def _lock(lead_ids: list[int]) -> list[Lead]:
    """The leads, locked in id order (two batches sharing leads never wait for each other
    crosswise). With what the rules match on, what the assignee's notification reads (the
    customer: the automation receivers use this row as the event carries it), and the stamp
    that says whether the dealership's rules, teams and hours kept in memory are current."""
    return list(
        Lead.objects.select_for_update(of=("self",))
        .select_related("dealership__distribution_setup_stamp", "source", "customer", "vehicle")
        .filter(pk__in=lead_ids)
        .order_by("pk")
    )


def _lock_one(lead_id: int) -> Lead | None:
    found = _lock([lead_id])
    return found[0] if found else None


def _routings_of(leads: list[Lead]) -> dict[int, Routing]:
    """The leads' routings, read after their locks are held: its own statement, so that it sees
    rows another worker committed while this one waited (a join in the locking query would
    read the older snapshot)."""
    if not leads:
        return {}
    return {r.lead_id: r for r in Routing.objects.filter(lead__in=leads)}


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
    leads = _lock(lead_ids)
    routings = _routings_of(leads)
    plan = Plan(at)
    for lead in leads:
        if lead.status not in OPEN_STATUSES or lead.pk in routings:
            continue
        if lead.assigned_to_id is not None:
            routing = Routing(lead=lead, state=State.ASSIGNED, tried_user_ids=[lead.assigned_to_id])
            plan.routings.append(routing)
        else:
            rule = match_rule(lead, at)
            routing = _apply(plan, lead, rule, decide(lead, rule, at, set(), plan), None)
        routings[lead.pk] = routing
    plan.write()
    return routings


@transaction.atomic
def retry_waiting_lead(*, lead_id: int, at: datetime | None = None) -> Routing | None:
    """A lead that found nobody available (all away, absent, at cap, or the dealership closed)
    tries again; while it still finds nobody it writes nothing."""
    at = at or timezone.now()
    lead = _lock_one(lead_id)
    routing = Routing.objects.filter(lead_id=lead_id, state=State.WAITING).first()
    if lead is None or routing is None or lead.assigned_to_id or not lead.is_open:
        return None
    rule = routing.rule or match_rule(lead, at)
    plan = Plan(at)
    decision = decide(lead, rule, at, set(), plan)
    if decision.user is None:
        return routing
    routing = _apply(plan, lead, rule, decision, routing)
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


# --- speed to lead -------------------------------------------------------------------------


def overdue_lead_ids(now: datetime, limit: int = 500) -> list[int]:
    return list(
        Lead.objects.filter(
            contact_deadline_at__lte=now,
            first_attempt_at__isnull=True,
            status__in=UNCONTACTED,
        )
        .exclude(
            Q(routing__escalated_deadline_at__isnull=False)
            & Q(routing__escalated_deadline_at__gte=F("contact_deadline_at"))
        )
        .order_by("contact_deadline_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def escalate_lead(*, lead_id: int, now: datetime | None = None) -> list[str]:
    """The lead's first-contact deadline passed with no attempt: alert the managers and/or move
    it to the next person, as its rule says. A deadline is escalated once, however often this
    runs; the next person's new deadline can be escalated in its turn."""
    now = now or timezone.now()
    lead = _lock_one(lead_id)
    if (
        lead is None
        or lead.contact_deadline_at is None
        or lead.contact_deadline_at > now
        or lead.first_attempt_at is not None
        or lead.status not in UNCONTACTED
    ):
        return []
    routing, _created = Routing.objects.get_or_create(
        lead=lead, defaults={"state": State.ASSIGNED if lead.assigned_to_id else State.WAITING}
    )
    deadline = lead.contact_deadline_at
    if routing.escalated_deadline_at is not None and routing.escalated_deadline_at >= deadline:
        return []
    routing.escalated_deadline_at = deadline
    routing.save(update_fields=["escalated_deadline_at"])
    rule = routing.rule or match_rule(lead, now)
    done: list[str] = []
    queue_only = rule.strategy in (Strategy.MANUAL, Strategy.BDC_QUEUE) or lead.is_passive
    if rule.on_deadline in (OnDeadline.NEXT, OnDeadline.BOTH) and not queue_only:
        exclude = set(routing.tried_user_ids)
        if lead.assigned_to_id:
            exclude.add(lead.assigned_to_id)
        plan = Plan(now)
        decision = decide(lead, rule, now, exclude, plan)
        if decision.user is not None:
            with override(lead.dealership.language):
                prefix = _("First-contact deadline passed: moved to the next person")
            _apply(
                plan,
                lead,
                rule,
                decision,
                routing,
                prefix=prefix,
                extra={"escalation": True, "deadline": deadline.isoformat()},
            )
            plan.write()
            done.append("moved")
    if rule.on_deadline in (OnDeadline.ALERT, OnDeadline.BOTH) or not done:
        with override(lead.dealership.language):
            if done:
                reason = _("First-contact deadline passed; the lead moved to the next person.")
            elif rule.on_deadline == OnDeadline.ALERT:
                reason = _("First-contact deadline passed without a contact attempt.")
            else:
                reason = _("First-contact deadline passed and nobody else is available.")
        lead_services.record_event(
            lead=lead,
            kind=EventKind.ESCALATED,
            occurred_at=now,
            assignee=lead.assigned_to if not done else None,
            note=reason,
            data={
                "notify_user_ids": managers_of(lead.dealership),
                "reason": reason,
                "deadline": deadline.isoformat(),
                "rule_id": rule.pk,
                "assignee_id": Lead.all_objects.values_list("assigned_to_id", flat=True).get(
                    pk=lead.pk
                ),
            },
        )
        done.append("alerted")
    return done


def escalate_overdue(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(bool(escalate_lead(lead_id=pk, now=now)) for pk in overdue_lead_ids(now))


@transaction.atomic
def move_to_bdc_after_failed_attempts(*, lead_id: int) -> bool:
    """N contact attempts and the customer never reached: the BDC takes the lead over."""
    lead = _lock_one(lead_id)
    if lead is None or lead.is_passive or not lead.is_open or lead.first_contact_at:
        return False
    limit = settings_of(lead.dealership).max_failed_attempts
    if lead.attempts_until_contact < limit:
        return False
    Lead.all_objects.filter(pk=lead.pk).update(is_passive=True, contact_deadline_at=None)
    lead.is_passive = True
    with override(lead.dealership.language):
        note = _(
            "%(n)s contact attempts without reaching the customer: moved to the BDC queue."
        ) % {"n": lead.attempts_until_contact}
    data = {"state": State.BDC_QUEUE, "attempts": lead.attempts_until_contact}
    if lead.assigned_to_id:
        lead_services.assign_lead(lead=lead, to=None, reason=note, data=data)
    else:
        lead_services.record_event(lead=lead, kind=EventKind.DISTRIBUTION, note=note, data=data)
    Routing.objects.update_or_create(
        lead=lead, defaults={"state": State.BDC_QUEUE, "moved_to_bdc_at": timezone.now()}
    )
    return True


def reactivation_due_ids(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    now = now or timezone.now()
    ids: list[int] = []
    for dealership in Dealership.objects.all():
        days = settings_of(dealership).reactivation_days
        if not days:
            continue
        ids += list(
            Lead.objects.filter(
                dealership=dealership,
                status__in=[Status.LOST, Status.UNREACHABLE],
                closed_at__lte=now - timedelta(days=days),
            )
            .exclude(routing__reactivated_for_closed_at=F("closed_at"))
            .values_list("pk", flat=True)[: limit - len(ids)]
        )
    return ids


@transaction.atomic
def queue_for_reactivation(*, lead_id: int, now: datetime | None = None) -> bool:
    """A lead closed as lost or unreachable long enough ago joins the BDC re-activation queue.
    It stays closed (the figures do not change) until a BDC agent takes it up."""
    now = now or timezone.now()
    lead = _lock_one(lead_id)
    if lead is None or lead.status not in (Status.LOST, Status.UNREACHABLE):
        return False
    routing = Routing.objects.filter(lead=lead).first()
    if routing and routing.reactivated_for_closed_at == lead.closed_at:
        return False  # this closing was queued already
    days = settings_of(lead.dealership).reactivation_days
    if not days or lead.closed_at is None or lead.closed_at > now - timedelta(days=days):
        return False
    with override(lead.dealership.language):
        note = _("Closed %(days)s days ago: in the BDC re-activation queue.") % {"days": days}
    lead_services.record_event(
        lead=lead,
        kind=EventKind.DISTRIBUTION,
        note=note,
        occurred_at=now,
        data={"state": State.REACTIVATION, "closed_at": lead.closed_at.isoformat()},
    )
    Routing.objects.update_or_create(
        lead=lead,
        defaults={"state": State.REACTIVATION, "reactivated_for_closed_at": lead.closed_at},
    )
    return True


def queue_reactivations(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(queue_for_reactivation(lead_id=pk, now=now) for pk in reactivation_due_ids(now=now))


# --- by hand ---------------------------------------------------------------------------------


def _role_at(user: User, dealership_id: int) -> str | None:
    if user.is_superuser:
        return Role.ADMIN
    return (
        Membership.objects.filter(user=user, dealership_id=dealership_id)
        .values_list("role", flat=True)
        .first()
    )


def can_receive(user: User, dealership_id: int) -> bool:
    return user.is_active and _role_at(user, dealership_id) in (Role.SALESPERSON, Role.BDC_AGENT)


def _rule_for(lead: Lead, at: datetime) -> DistributionRule:
    routing = Routing.objects.filter(lead=lead).select_related("rule__dealership").first()
    if routing and routing.rule:
        return routing.rule
    return match_rule(lead, at)


def _after_hand_assignment(lead: Lead, to: User | None, at: datetime) -> None:
    rule = _rule_for(lead, at) if to is not None else None
    if to is not None and lead.first_attempt_at is None:
        _set_deadline(lead, deadline_for(rule, at))
    state = State.ASSIGNED if to else (State.BDC_QUEUE if lead.is_passive else State.MANAGER_QUEUE)
    routing, _created = Routing.objects.get_or_create(lead=lead, defaults={"state": state})
    routing.state = state
    if to is not None and to.pk not in routing.tried_user_ids:
        routing.tried_user_ids = [*routing.tried_user_ids, to.pk]
    if rule is not None and routing.rule_id is None:
        routing.rule = rule
    routing.save()


def reassign(*, lead_ids: list[int], to: User | None, by: User) -> tuple[list[Lead], list[str]]:
    """A manager gives leads to a salesperson (or back to the unassigned queue). Each lead on
    its own: a lead the manager may not touch, or the person does not work at, is reported and
    the others still move."""
    done: list[Lead] = []
    errors: list[str] = []
    at = timezone.now()
    for lead_id in lead_ids:
        with transaction.atomic():
            lead = _lock_one(lead_id)
            if lead is None or _role_at(by, lead.dealership_id) not in (Role.MANAGER, Role.ADMIN):
                errors.append(
                    _("Lead #%(id)s: not one of your dealerships' leads.") % {"id": lead_id}
                )
                continue
            if to is not None and not can_receive(to, lead.dealership_id):
                errors.append(
                    _("Lead #%(id)s: %(who)s does not work at %(where)s.")
                    % {"id": lead_id, "who": to, "where": lead.dealership}
                )
                continue
            if to is None and lead.assigned_to_id is None:
                continue
            with override(lead.dealership.language):
                reason = _("By hand, by %(who)s") % {"who": by}
            lead = lead_services.assign_lead(
                lead=lead, to=to, by=by, reason=reason, data={"by_hand": True}, at=at
            )
            _after_hand_assignment(lead, to, at)
            done.append(lead)
    return done, errors


def may_take(user: User, lead: Lead) -> bool:
    """A salesperson may take an unassigned active lead when its rule allows it and they are
    in its team (or the team is everyone)."""
    if lead.assigned_to_id or lead.is_passive or not lead.is_open:
        return False
    if _role_at(user, lead.dealership_id) != Role.SALESPERSON:
        return False
    rule = _rule_for(lead, timezone.now())
    if not rule.allow_take:
        return False
    members = set(rule.members.values_list("user_id", flat=True))
    return not members or user.pk in members


@transaction.atomic
def take_lead(*, lead_id: int, user: User) -> Lead:
    lead = _lock_one(lead_id)
    if lead is None:
        raise DistributionError(_("That lead does not exist."))
    if lead.assigned_to_id:
        raise DistributionError(
            _("Too late: %(who)s has this lead already.") % {"who": lead.assigned_to}
        )
    if not may_take(user, lead):
        raise DistributionError(_("The distribution rule does not let you take this lead."))
    at = timezone.now()
    with override(lead.dealership.language):
        reason = _("Taken from the unassigned queue")
    lead = lead_services.assign_lead(
        lead=lead, to=user, by=user, reason=reason, at=at, data={"taken": True}
    )
    _after_hand_assignment(lead, user, at)
    return lead


def _bdc_or_manager(user: User, dealership_id: int) -> bool:
    return _role_at(user, dealership_id) in (Role.BDC_AGENT, Role.MANAGER, Role.ADMIN)


@transaction.atomic
def bdc_take(*, lead_id: int, user: User) -> Lead:
    """A BDC agent takes a lead from the BDC queue, or a closed lead from the re-activation
    queue (which reopens it as a passive lead of theirs)."""
    lead = _lock_one(lead_id)
    if lead is None or not _bdc_or_manager(user, lead.dealership_id):
        raise DistributionError(_("That lead is not in your BDC queue."))
    routing = Routing.objects.filter(lead=lead).first()
    at = timezone.now()
    if lead.status in CLOSED_STATUSES:
        if not routing or routing.state != State.REACTIVATION:
            raise DistributionError(_("That lead is not in the re-activation queue."))
        with override(lead.dealership.language):
            note = _("Re-activation")
        lead = lead_services.change_status(lead=lead, to=Status.NEW, by=user, note=note)
        Lead.all_objects.filter(pk=lead.pk).update(is_passive=True)
        lead.is_passive = True
    elif not lead.is_passive:
        raise DistributionError(_("That lead is not in the BDC queue."))
    elif lead.assigned_to_id and lead.assigned_to_id != user.pk:
        raise DistributionError(
            _("Too late: %(who)s has this lead already.") % {"who": lead.assigned_to}
        )
    with override(lead.dealership.language):
        reason = _("Taken from the BDC queue")
    lead = lead_services.assign_lead(
        lead=lead, to=user, by=user, reason=reason, at=at, data={"bdc": True}
    )
    Routing.objects.update_or_create(lead=lead, defaults={"state": State.ASSIGNED})
    return lead


@transaction.atomic
def hand_to_sales(*, lead_id: int, to: User | None, by: User) -> Lead:
    """A BDC agent qualified a passive lead: it becomes active and goes to `to`, or, when no
    one is named, to whoever the active rules pick."""
    lead = _lock_one(lead_id)
    if lead is None or not _bdc_or_manager(by, lead.dealership_id):
        raise DistributionError(_("That lead is not in your BDC queue."))
    if not lead.is_passive or not lead.is_open:
        raise DistributionError(_("Only an open passive lead can be handed to sales."))
    if to is not None and _role_at(to, lead.dealership_id) != Role.SALESPERSON:
        raise DistributionError(
            _("%(who)s is not a salesperson at %(where)s.") % {"who": to, "where": lead.dealership}
        )
    Lead.all_objects.filter(pk=lead.pk).update(is_passive=False)
    lead.is_passive = False
    at = timezone.now()
    routing = Routing.objects.filter(lead=lead).first()
    with override(lead.dealership.language):
        prefix = _("Qualified by %(who)s (BDC)") % {"who": by}
    if to is not None:
        lead = lead_services.assign_lead(
            lead=lead, to=to, by=by, reason=prefix, at=at, data={"qualified_by": by.pk}
        )
        rule = match_rule(lead, at)
        _set_deadline(lead, deadline_for(rule, at))
        routing = routing or Routing(lead=lead)
        routing.rule, routing.state = rule, State.ASSIGNED
        routing.tried_user_ids = [to.pk]
        routing.save()
        return lead
    rule = match_rule(lead, at)
    plan = Plan(at)
    decision = decide(lead, rule, at, set(), plan)
    if routing is not None:
        routing.tried_user_ids = []
    _apply(plan, lead, rule, decision, routing, prefix=prefix, extra={"qualified_by": by.pk})
    plan.write()
    if decision.user is None and lead.assigned_to_id:  # the agent still held it
        lead_services.assign_lead(lead=lead, to=None, by=by, reason=prefix)
    return Lead.objects.get(pk=lead.pk)


# --- rules, edited in the browser --------------------------------------------------------------


@transaction.atomic
def save_rule(
    *, rule: DistributionRule, team: list[tuple[User, int, int | None]]
) -> DistributionRule:
    """Store a rule and its team (person, weight, cap). An empty team means every salesperson."""
    if rule.pk is None and not rule.is_default:
        rule.position = next_position(rule.dealership)
    rule.full_clean()
    rule.save()
    from distribution.models import Rotation

    Rotation.objects.get_or_create(rule=rule)
    keep = {user.pk for user, _w, _c in team}
    rule.members.exclude(user_id__in=keep).delete()
    for user, weight, cap in team:
        TeamMember.objects.update_or_create(
            rule=rule, user=user, defaults={"weight": weight, "max_open_leads": cap}
        )
    return rule


def delete_rule(*, rule: DistributionRule) -> None:
    if rule.is_default:
        raise DistributionError(_("The default rules cannot be deleted."))
    rule.delete()


@transaction.atomic
def move_rule(*, rule: DistributionRule, up: bool) -> None:
    """Swap the rule with its neighbour; positions are renumbered 10, 20, … on the way."""
    if rule.is_default:
        return
    rules = list(
        DistributionRule.objects.select_for_update()
        .filter(dealership_id=rule.dealership_id, is_default=False)
        .order_by("position", "pk")
    )
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for i, r in enumerate(rules, start=1):
        if r.position != i * 10:
            r.position = i * 10
            r.save(update_fields=["position"])
