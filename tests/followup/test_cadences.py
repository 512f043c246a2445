"""Every open lead has a next action: the dealership's cadence creates it, finishing or missing a
day's tasks brings the next day's, a contact switches to the no-appointment cadence, an
appointment ends the cadence, and after the last step the BDC takes over when told to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from followup import services
from followup.models import Cadence, CadenceStep, Task
from leads import services as lead_services
from leads.lifecycle import Status
from leads.models import EventKind
from tests.factories import CustomerFactory, DealershipFactory, LeadFactory, salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    dealership = DealershipFactory(opening_hours=False)
    no_contact = Cadence.objects.create(dealership=dealership, stage="no_contact", hand_to_bdc=True)
    for day, kind in [(0, "call"), (0, "sms"), (1, "call"), (3, "email")]:
        CadenceStep.objects.create(cadence=no_contact, day=day, kind=kind)
    after_contact = Cadence.objects.create(dealership=dealership, stage="no_appointment")
    CadenceStep.objects.create(cadence=after_contact, day=2, kind="call")
    return dealership


def open_tasks(lead):
    return sorted(
        (t.kind, (t.due_at - lead.received_at).days)
        for t in Task.objects.filter(lead=lead, state=Task.State.OPEN)
    )


@pytest.fixture
def lead(shop, django_capture_on_commit_callbacks):
    seller = salesperson(shop)
    with django_capture_on_commit_callbacks(execute=True):
        made = lead_services.create_lead(
            dealership=shop, customer=CustomerFactory(dealership=shop), received_at=timezone.now()
        )
    made.refresh_from_db()
    assert made.assigned_to == seller
    return made


def run(capture, work):
    with capture(execute=True):
        return work()


def test_a_new_lead_gets_the_first_day_of_the_cadence(lead):
    assert open_tasks(lead) == [("call", 0), ("sms", 0)]
    assert {t.assigned_to for t in Task.objects.filter(lead=lead)} == {lead.assigned_to}


def test_a_day_done_without_contact_brings_the_next_day(lead, django_capture_on_commit_callbacks):
    call, sms = Task.objects.filter(lead=lead).order_by("kind")
    run(
        django_capture_on_commit_callbacks,
        lambda: services.finish_task(task=call, by=lead.assigned_to, outcome="no_answer"),
    )
    assert open_tasks(lead) == [("sms", 0)]  # the day is not over yet
    run(
        django_capture_on_commit_callbacks,
        lambda: services.finish_task(task=sms, by=lead.assigned_to, outcome="sent"),
    )
    assert open_tasks(lead) == [("call", 1)]
    lead.refresh_from_db()
    assert lead.first_attempt_at is not None and lead.attempts_until_contact == 2
    assert lead.events.filter(kind=EventKind.CONTACT_ATTEMPT).count() == 2


def test_finishing_a_task_twice_changes_nothing(lead, django_capture_on_commit_callbacks):
    call = Task.objects.get(lead=lead, kind="call")
    for _ in range(2):
        run(
            django_capture_on_commit_callbacks,
            lambda: services.finish_task(task=call, by=lead.assigned_to, outcome="no_answer"),
        )
    assert lead.events.filter(kind=EventKind.CONTACT_ATTEMPT).count() == 1


def test_reaching_the_customer_starts_the_no_appointment_cadence(
    lead, django_capture_on_commit_callbacks
):
    call = Task.objects.get(lead=lead, kind="call")
    run(
        django_capture_on_commit_callbacks,
        lambda: services.finish_task(task=call, by=lead.assigned_to, outcome="reached"),
    )
    lead.refresh_from_db()
    assert lead.status == Status.CONTACTED
    tasks = Task.objects.filter(lead=lead, state=Task.State.OPEN)
    assert [(t.kind, t.stage) for t in tasks] == [("call", "no_appointment")]
    assert tasks[0].due_at == lead.first_contact_at + timedelta(days=2)
    assert Task.objects.get(lead=lead, kind="sms").state == Task.State.CANCELLED


def test_an_appointment_ends_the_cadence_and_becomes_the_next_action(
    lead, django_capture_on_commit_callbacks
):
    from django.core import mail

    lead.customer.email = "klant@example.nl"
    lead.customer.save()
    at = timezone.now() + timedelta(days=2)
    run(
        django_capture_on_commit_callbacks,
        lambda: lead_services.set_appointment(lead=lead, at=at, by=lead.assigned_to),
    )
    assert open_tasks(lead) == [("appointment", 2)]
    invites = [m for m in mail.outbox if m.attachments]
    assert {m.to[0] for m in invites} == {"klant@example.nl", lead.assigned_to.email}
    name, content, mimetype = invites[0].attachments[0]
    assert mimetype.startswith("text/calendar") and "BEGIN:VEVENT" in str(content)
    assert invites[0].extra_headers["X-DealerLMS"] == "appointment"  # never read back as a lead


def test_missed_tasks_bring_the_next_step_and_the_last_hands_to_the_bdc(
    lead, django_capture_on_commit_callbacks
):
    later = timezone.now() + timedelta(days=1)
    run(django_capture_on_commit_callbacks, lambda: services.miss_overdue(now=later))
    assert open_tasks(lead) == [("call", 1)]
    run(
        django_capture_on_commit_callbacks,
        lambda: services.miss_overdue(now=later + timedelta(days=1)),
    )
    assert open_tasks(lead) == [("email", 3)]
    run(
        django_capture_on_commit_callbacks,
        lambda: services.miss_overdue(now=later + timedelta(days=5)),
    )
    lead.refresh_from_db()
    assert lead.is_passive and lead.assigned_to is None
    assert open_tasks(lead) == []
    assert lead.routing.state == "bdc"
    # Run again: nothing more happens.
    assert services.miss_overdue(now=later + timedelta(days=9)) == 0


def test_a_closed_lead_has_no_next_action(lead, django_capture_on_commit_callbacks):
    run(
        django_capture_on_commit_callbacks,
        lambda: lead_services.change_status(lead=lead, to=Status.LOST, lost_reason="price"),
    )
    assert open_tasks(lead) == []


def test_a_reassigned_lead_takes_its_tasks_along(lead, shop, django_capture_on_commit_callbacks):
    other = salesperson(shop)
    run(django_capture_on_commit_callbacks, lambda: lead_services.assign_lead(lead=lead, to=other))
    assert {t.assigned_to for t in Task.objects.filter(lead=lead, state="open")} == {other}


def test_without_a_cadence_a_lead_still_gets_a_call(django_capture_on_commit_callbacks):
    dealership = DealershipFactory(opening_hours=False)
    salesperson(dealership)
    with django_capture_on_commit_callbacks(execute=True):
        made = lead_services.create_lead(
            dealership=dealership, customer=CustomerFactory(dealership=dealership)
        )
    assert [t.kind for t in Task.objects.filter(lead=made, state="open")] == ["call"]


def test_a_lead_handed_back_without_tasks_gets_its_next_action_from_the_sweep(shop):
    from followup.tasks import keep_next_actions
    from leads.signals import announcements_paused

    salesperson(shop)
    with announcements_paused():
        quiet = lead_services.create_lead(
            dealership=shop, customer=CustomerFactory(dealership=shop)
        )
    passive = LeadFactory(dealership=shop, is_passive=True)
    assert not Task.objects.filter(lead=quiet).exists()
    keep_next_actions()
    assert open_tasks(quiet) == [("call", 0), ("sms", 0)]
    assert not Task.objects.filter(lead=passive).exists()
    keep_next_actions()
    assert Task.objects.filter(lead=quiet).count() == 2
