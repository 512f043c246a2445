"""Speed to lead: a passed first-contact deadline alerts the managers and/or moves the lead
on, once per deadline; failed attempts hand a lead to the BDC; lost leads come back for
re-activation after the configured days."""

from datetime import timedelta

import pytest
from django.conf import settings

from distribution import escalation, queues, routing, tasks
from distribution.models import DistributionSettings, OnDeadline, Routing
from distribution.rules import ensure_defaults
from leads import services as lead_services
from leads.lifecycle import LostReason, Status
from leads.models import ContactChannel, ContactOutcome, EventKind
from tests.distribution_support import OPEN, new_lead
from tests.factories import manager, salesperson

pytestmark = pytest.mark.django_db


def routed(dealership, at=OPEN):
    lead = new_lead(dealership, at=at)
    routing.route_lead(lead_id=lead.pk, at=at)
    lead.refresh_from_db()
    return lead


def default_rule(dealership, **changes):
    rule = next(r for r in ensure_defaults(dealership) if r.activity == "active")
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.save()
    return rule


def test_a_passed_deadline_alerts_the_managers_once(dealership):
    seller = salesperson(dealership)
    boss = manager(dealership)
    lead = routed(dealership)
    deadline = lead.contact_deadline_at
    assert deadline == OPEN + timedelta(minutes=5)
    assert escalation.escalate_overdue(now=deadline - timedelta(seconds=1)) == 0
    assert escalation.escalate_overdue(now=deadline + timedelta(seconds=30)) == 1
    assert escalation.escalate_overdue(now=deadline + timedelta(minutes=2)) == 0
    event = lead.events.get(kind=EventKind.ESCALATED)
    assert event.data["notify_user_ids"] == [boss.pk]
    assert event.data["deadline"] == deadline.isoformat()
    assert event.data["reason"]
    assert event.assignee == seller
    lead.refresh_from_db()
    assert lead.assigned_to == seller  # alert only: the lead stays


def test_a_contact_attempt_in_time_means_no_escalation(dealership):
    seller = salesperson(dealership)
    lead = routed(dealership)
    lead_services.log_contact_attempt(
        lead=lead,
        channel=ContactChannel.PHONE,
        outcome=ContactOutcome.NO_ANSWER,
        by=seller,
        at=OPEN + timedelta(minutes=2),
    )
    assert escalation.escalate_overdue(now=OPEN + timedelta(minutes=10)) == 0
    assert not lead.events.filter(kind=EventKind.ESCALATED).exists()


def test_move_to_next_person_then_their_deadline_escalates_in_turn(dealership):
    first, second = salesperson(dealership), salesperson(dealership)
    manager(dealership)
    default_rule(dealership, on_deadline=OnDeadline.NEXT)
    lead = routed(dealership)
    assert lead.assigned_to == first
    late = lead.contact_deadline_at + timedelta(seconds=1)
    escalation.escalate_overdue(now=late)
    lead.refresh_from_db()
    assert lead.assigned_to == second
    moved = lead.events.get(kind=EventKind.REASSIGNED)
    assert moved.data["escalation"] is True and moved.assignee == second
    assert not lead.events.filter(kind=EventKind.ESCALATED).exists()  # next only: no alert
    assert lead.contact_deadline_at == late + timedelta(minutes=5)
    # The second person also lets it pass; nobody else is left: the managers are alerted.
    escalation.escalate_overdue(now=lead.contact_deadline_at + timedelta(seconds=1))
    lead.refresh_from_db()
    assert lead.assigned_to == second
    assert lead.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_both_alerts_and_moves(dealership):
    salesperson(dealership)
    second = salesperson(dealership)
    boss = manager(dealership)
    default_rule(dealership, on_deadline=OnDeadline.BOTH)
    lead = routed(dealership)
    escalation.escalate_lead(lead_id=lead.pk, now=lead.contact_deadline_at + timedelta(seconds=1))
    lead.refresh_from_db()
    assert lead.assigned_to == second
    assert lead.events.get(kind=EventKind.ESCALATED).data["notify_user_ids"] == [boss.pk]


def test_escalation_job_run_twice_changes_nothing_the_second_time(dealership):
    salesperson(dealership)
    salesperson(dealership)
    default_rule(dealership, on_deadline=OnDeadline.BOTH)
    lead = routed(dealership)
    now = lead.contact_deadline_at + timedelta(seconds=1)
    escalation.escalate_lead(lead_id=lead.pk, now=now)
    events = lead.events.count()
    escalation.escalate_lead(lead_id=lead.pk, now=now)
    escalation.escalate_overdue(now=now)
    assert lead.events.count() == events


def test_beat_runs_the_escalation_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["distribution-escalate-overdue"]
    assert entry["task"] == "distribution.tasks.escalate_overdue" and entry["schedule"] == 60.0
    assert "distribution-queue-reactivations" in settings.CELERY_BEAT_SCHEDULE


def _fail(lead, seller, times, captured):
    for _ in range(times):
        with captured(execute=True):
            lead_services.log_contact_attempt(
                lead=lead, channel=ContactChannel.PHONE, outcome=ContactOutcome.NO_ANSWER, by=seller
            )


def test_after_five_failed_attempts_the_lead_goes_to_the_bdc(
    dealership, django_capture_on_commit_callbacks
):
    seller = salesperson(dealership)
    lead = routed(dealership)
    _fail(lead, seller, 4, django_capture_on_commit_callbacks)
    lead.refresh_from_db()
    assert lead.assigned_to == seller and not lead.is_passive
    _fail(lead, seller, 1, django_capture_on_commit_callbacks)
    lead.refresh_from_db()
    assert lead.is_passive and lead.assigned_to is None and lead.status == Status.NEW
    assert lead.routing.state == Routing.State.BDC_QUEUE
    event = lead.events.get(kind=EventKind.UNASSIGNED)
    assert event.data["attempts"] == 5
    # Running it again changes nothing.
    assert queues.move_to_bdc_after_failed_attempts(lead_id=lead.pk) is False


def test_the_number_of_attempts_is_configurable(dealership, django_capture_on_commit_callbacks):
    DistributionSettings.objects.create(dealership=dealership, max_failed_attempts=2)
    seller = salesperson(dealership)
    lead = routed(dealership)
    _fail(lead, seller, 2, django_capture_on_commit_callbacks)
    lead.refresh_from_db()
    assert lead.is_passive


def test_reaching_the_customer_stops_the_count(dealership, django_capture_on_commit_callbacks):
    seller = salesperson(dealership)
    lead = routed(dealership)
    _fail(lead, seller, 3, django_capture_on_commit_callbacks)
    lead_services.log_contact_attempt(
        lead=lead, channel=ContactChannel.PHONE, outcome=ContactOutcome.REACHED, by=seller
    )
    _fail(lead, seller, 3, django_capture_on_commit_callbacks)
    lead.refresh_from_db()
    assert not lead.is_passive and lead.assigned_to == seller


def test_lost_leads_return_for_reactivation_after_the_days(dealership):
    DistributionSettings.objects.create(dealership=dealership, reactivation_days=30)
    seller = salesperson(dealership)
    lead = routed(dealership)
    lead_services.change_status(
        lead=lead, to=Status.LOST, by=seller, lost_reason=LostReason.PRICE, at=OPEN
    )
    assert queues.queue_reactivations(now=OPEN + timedelta(days=29)) == 0
    assert queues.queue_reactivations(now=OPEN + timedelta(days=31)) == 1
    assert queues.queue_reactivations(now=OPEN + timedelta(days=32)) == 0  # once
    lead.refresh_from_db()
    assert lead.status == Status.LOST  # still closed until a BDC agent takes it up
    assert lead.routing.state == Routing.State.REACTIVATION
    assert lead.events.filter(kind=EventKind.DISTRIBUTION, data__state="reactivation").count() == 1


def test_zero_days_means_lost_leads_never_return(dealership):
    DistributionSettings.objects.create(dealership=dealership, reactivation_days=0)
    seller = salesperson(dealership)
    lead = routed(dealership)
    lead_services.change_status(
        lead=lead, to=Status.LOST, by=seller, lost_reason=LostReason.PRICE, at=OPEN
    )
    assert queues.queue_reactivations(now=OPEN + timedelta(days=900)) == 0


def test_tasks_are_thin_wrappers_safe_to_run_twice(dealership):
    salesperson(dealership)
    lead = new_lead(dealership)
    tasks.route_lead(lead.pk)
    tasks.route_lead(lead.pk)
    assert (
        lead.events.filter(kind=EventKind.ASSIGNED).count()
        + lead.events.filter(kind=EventKind.DISTRIBUTION).count()
        == 1
    )
