"""The queues, and leads moved by people: the manager's unassigned queue (reassign, take), the
BDC queue (a lead that failed N contact attempts joins it; an agent takes it, then hands it to
sales) and the BDC re-activation queue (lost leads, some time after). Assignee changes go
through leads.services.assign_lead (one event each); queue moves are DISTRIBUTION events."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Membership, Role, User
from dealers.models import Dealership
from distribution.errors import DistributionError
from distribution.models import DistributionRule, Routing
from distribution.plan import Plan
from distribution.routing import apply, context_of, decide, lock_one
from distribution.rules import settings_of
from leads import services as lead_services
from leads.lifecycle import CLOSED_STATUSES, Status
from leads.models import EventKind, Lead

State = Routing.State


def _set_deadline(lead: Lead, deadline: datetime | None) -> None:
    # Not a status or assignee change: a plain field distribution owns the value of.
    Lead.all_objects.filter(pk=lead.pk).update(contact_deadline_at=deadline)
    lead.contact_deadline_at = deadline


# --- the BDC queue and re-activation ---------------------------------------------------------


@transaction.atomic
def move_to_bdc_after_failed_attempts(*, lead_id: int) -> bool:
    """N contact attempts and the customer never reached: the BDC takes the lead over."""
    lead = lock_one(lead_id)
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
    lead = lock_one(lead_id)
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
    routing = Routing.objects.filter(lead=lead).select_related("rule").first()
    if routing and routing.rule:
        return routing.rule
    return context_of(lead).rule_for(lead, at)


def _after_hand_assignment(lead: Lead, to: User | None, at: datetime) -> None:
    rule = _rule_for(lead, at) if to is not None else None
    if to is not None and lead.first_attempt_at is None:
        _set_deadline(lead, context_of(lead).deadline(rule, at))
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
            lead = lock_one(lead_id)
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
    lead = lock_one(lead_id)
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
    lead = lock_one(lead_id)
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
    lead = lock_one(lead_id)
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
        context = context_of(lead)
        rule = context.rule_for(lead, at)
        _set_deadline(lead, context.deadline(rule, at))
        routing = routing or Routing(lead=lead)
        routing.rule, routing.state = rule, State.ASSIGNED
        routing.tried_user_ids = [to.pk]
        routing.save()
        return lead
    context = context_of(lead)
    rule = context.rule_for(lead, at)
    plan = Plan(at)
    decision = decide(context, lead, rule, set(), plan)
    if routing is not None:
        routing.tried_user_ids = []
    apply(
        context, plan, lead, rule, decision, routing, prefix=prefix, extra={"qualified_by": by.pk}
    )
    plan.write()
    if decision.user is None and lead.assigned_to_id:  # the agent still held it
        lead_services.assign_lead(lead=lead, to=None, by=by, reason=prefix)
    return Lead.objects.get(pk=lead.pk)
