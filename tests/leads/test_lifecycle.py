from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from leads import services
from leads.lifecycle import TRANSITIONS, Status, TransitionNotAllowed
from leads.models import EventKind, Lead, LeadEvent
from tests.factories import LeadFactory


def events(lead, kind=None):
    qs = LeadEvent.objects.filter(lead=lead)
    return qs.filter(kind=kind) if kind else qs


def test_every_status_has_its_transitions():
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.SOLD] == frozenset()


@pytest.mark.django_db
def test_a_status_change_writes_exactly_one_event(seller):
    lead = LeadFactory(dealership=seller.memberships.get().dealership)
    services.assign_lead(lead=lead, to=seller)
    lead = services.change_status(lead=lead, to=Status.CONTACTED, by=seller)
    changed = events(lead, EventKind.STATUS_CHANGED)
    assert changed.count() == 1
    event = changed.get()
    assert (event.status_from, event.status_to, event.actor) == (
        Status.ASSIGNED,
        Status.CONTACTED,
        seller,
    )
    assert lead.first_contact_at is not None


@pytest.mark.django_db
def test_a_forbidden_move_is_refused_and_records_nothing(seller):
    lead = LeadFactory(status=Status.SOLD)
    with pytest.raises(TransitionNotAllowed):
        services.change_status(lead=lead, to=Status.NEW, by=seller)
    assert not events(lead).exists()
    assert Lead.objects.get(pk=lead.pk).status == Status.SOLD


@pytest.mark.django_db
def test_lost_needs_a_reason(seller):
    lead = LeadFactory(status=Status.CONTACTED)
    with pytest.raises(services.LeadError):
        services.change_status(lead=lead, to=Status.LOST, by=seller)
    lead = services.change_status(lead=lead, to=Status.LOST, by=seller, lost_reason="price")
    assert lead.closed_at is not None and lead.lost_reason == "price"


@pytest.mark.django_db
def test_assignment_events_say_what_happened(dealership, seller):
    from tests.factories import salesperson

    other = salesperson(dealership)
    lead = LeadFactory(dealership=dealership)
    services.assign_lead(lead=lead, to=seller)
    services.assign_lead(lead=lead, to=seller)  # no change, no event
    services.assign_lead(lead=lead, to=other)
    services.assign_lead(lead=lead, to=None)
    kinds = list(events(lead).values_list("kind", flat=True))
    assert kinds == [EventKind.ASSIGNED, EventKind.REASSIGNED, EventKind.UNASSIGNED]
    lead.refresh_from_db()
    assert lead.status == Status.NEW and lead.first_assigned_at is not None


@pytest.mark.django_db
def test_an_assignment_by_a_caller_holding_the_lock_changes_its_row_and_writes_fields_too(
    dealership, seller
):
    from django.db import transaction

    def assign(row, to, **fields):
        assignment = services.Assignment(row, to, set_fields=fields)
        return services.assign_leads(assignments=[assignment])[0]

    lead = LeadFactory(dealership=dealership)
    due = timezone.now() + timedelta(minutes=5)
    with transaction.atomic():
        row = Lead.all_objects.select_for_update().get(pk=lead.pk)
        same = assign(row, seller, contact_deadline_at=due)
        assert same is row and row.assigned_to == seller and row.status == Status.ASSIGNED
    lead.refresh_from_db()
    assert (lead.assigned_to, lead.status, lead.contact_deadline_at) == (
        seller,
        Status.ASSIGNED,
        due,
    )
    assert events(lead, EventKind.ASSIGNED).count() == 1
    # Already theirs: no event, but the fields are still written.
    later = due + timedelta(minutes=5)
    with transaction.atomic():
        assign(
            Lead.all_objects.select_for_update().get(pk=lead.pk), seller, contact_deadline_at=later
        )
    lead.refresh_from_db()
    assert lead.contact_deadline_at == later and events(lead).count() == 1
    with pytest.raises(ValueError):
        assign(lead, None, status=Status.NEW)
    lead.refresh_from_db()
    assert lead.assigned_to == seller and events(lead).count() == 1


@pytest.mark.django_db
def test_reaching_the_customer_makes_the_lead_contacted(seller):
    lead = LeadFactory(dealership=seller.memberships.get().dealership)
    services.assign_lead(lead=lead, to=seller)
    lead = services.log_contact_attempt(lead=lead, channel="phone", outcome="no_answer", by=seller)
    assert lead.status == Status.ASSIGNED and lead.first_attempt_at and not lead.first_contact_at
    lead = services.log_contact_attempt(lead=lead, channel="phone", outcome="reached", by=seller)
    assert lead.status == Status.CONTACTED and lead.first_contact_at


@pytest.mark.django_db
def test_an_appointment_moves_the_lead_on(seller):
    lead = LeadFactory(status=Status.CONTACTED)
    when = timezone.now() + timedelta(days=2)
    lead = services.set_appointment(lead=lead, at=when, by=seller)
    assert lead.status == Status.APPOINTMENT and lead.appointment_at == when
    assert events(lead, EventKind.APPOINTMENT_SET).count() == 1


@pytest.mark.django_db
def test_the_timeline_is_append_only(seller):
    lead = LeadFactory()
    event = services.add_note(lead=lead, text="Called back later", by=seller)
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        LeadEvent.objects.filter(pk=event.pk).update(note="rewritten")


@pytest.mark.django_db
def test_only_the_owner_deletes_and_the_lead_is_kept(dealership, seller, boss):
    lead = LeadFactory(dealership=dealership)
    services.assign_lead(lead=lead, to=seller)
    with pytest.raises(services.LeadError):
        services.soft_delete(lead=lead, by=boss, reason="test lead")
    services.soft_delete(lead=lead, by=seller, reason="test lead")
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert Lead.all_objects.get(pk=lead.pk).deleted_by == seller


@pytest.mark.django_db
def test_an_absence_must_end_after_it_starts(seller):
    from accounts.models import Absence

    now = timezone.now()
    with pytest.raises(IntegrityError):
        Absence.objects.create(user=seller, starts_at=now, ends_at=now - timedelta(hours=1))


@pytest.mark.django_db
@pytest.mark.parametrize("current", Status.values)
def test_every_move_is_decided_by_the_table_and_each_allowed_one_writes_one_event(seller, current):
    """The whole matrix: an allowed move changes the status with exactly one event saying so;
    a forbidden one raises, and neither the lead nor its timeline changes."""
    for target in Status.values:
        lead = LeadFactory(status=current)
        reason = "price" if target == Status.LOST else ""
        if target in TRANSITIONS[current]:
            lead = services.change_status(lead=lead, to=target, by=seller, lost_reason=reason)
            assert Lead.objects.get(pk=lead.pk).status == target
            recorded = list(events(lead).values_list("kind", "status_from", "status_to"))
            assert recorded == [(EventKind.STATUS_CHANGED, current, target)], (current, target)
        else:
            with pytest.raises(TransitionNotAllowed):
                services.change_status(lead=lead, to=target, by=seller, lost_reason=reason)
            assert Lead.objects.get(pk=lead.pk).status == current
            assert not events(lead).exists(), (current, target)


@pytest.mark.django_db
def test_each_status_change_on_the_timeline_is_one_event_whatever_the_path(seller):
    """Assigning, reaching the customer and setting an appointment change the status too: each
    change is on exactly one event (the one carrying status_from/status_to)."""
    lead = LeadFactory(dealership=seller.memberships.get().dealership)
    services.assign_lead(lead=lead, to=seller)  # new → assigned
    services.log_contact_attempt(lead=lead, channel="phone", outcome="reached", by=seller)
    services.set_appointment(lead=lead, at=timezone.now() + timedelta(days=1), by=seller)
    services.change_status(lead=lead, to=Status.SHOWED, by=seller)
    moves = list(
        events(lead).exclude(status_to="").order_by("pk").values_list("status_from", "status_to")
    )
    assert moves == [
        (Status.NEW, Status.ASSIGNED),
        (Status.ASSIGNED, Status.CONTACTED),
        (Status.CONTACTED, Status.APPOINTMENT),
        (Status.APPOINTMENT, Status.SHOWED),
    ]
