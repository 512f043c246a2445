"""What one routing costs the database, and that each shortcut taken for it gives the answer its
definition gives: the lead locked and read once (the assignment and the assignee's notification
use that row), no savepoint, the deadline in the assignment's UPDATE; absences read with the
team; a cap counted no further than the cap."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Absence
from automation.models import Notification
from automation.notifications import _notification_text, notify_for_events
from distribution import candidates, routing, strategies
from distribution.models import DistributionRule, Strategy, TeamMember
from leads import services as lead_services
from leads.lifecycle import Status
from leads.models import EventKind, Lead, LeadEvent
from leads.signals import announcements_paused
from tests.distribution_support import OPEN, new_lead
from tests.factories import DealershipFactory, LeadFactory, salesperson


def _team_rule(dealership, people, **kwargs):
    rule = DistributionRule.objects.create(
        dealership=dealership, name="Team", strategy=Strategy.ROUND_ROBIN, **kwargs
    )
    for user in people:
        TeamMember.objects.create(rule=rule, user=user, weight=1)
    return rule


def _statements(captured) -> list[str]:
    return [q["sql"] for q in captured]


@pytest.mark.django_db(transaction=True)
def test_a_routing_locks_and_reads_the_lead_once_and_writes_it_once():
    dealership = DealershipFactory(opening_hours=False)
    people = [salesperson(dealership) for _ in range(3)]
    _team_rule(dealership, people)
    with announcements_paused():  # routed here, not by the job its commit would start
        first, lead = (new_lead(dealership, at=timezone.now()) for _ in range(2))
    routing.route_lead(lead_id=first.pk)  # the default rules are made
    with CaptureQueriesContext(connection) as captured:
        routing.route_lead(lead_id=lead.pk)
    sql = _statements(captured)
    reads = [s for s in sql if s.startswith("SELECT") and 'FROM "leads_lead"' in s]
    writes = [s for s in sql if s.startswith('UPDATE "leads_lead"')]
    # Routing locks and reads the lead once; the assignee's notification reads it once more
    # (automation loads what it needs itself, one query a batch: test_notifications_read_...).
    locking = [s for s in reads if "FOR UPDATE" in s]
    assert len(reads) == 2
    assert len(locking) == 1 or not connection.features.has_select_for_update
    assert len(writes) == 1
    assert '"assigned_to_id"' in writes[0] and '"contact_deadline_at"' in writes[0]
    assert not [s for s in sql if s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    lead.refresh_from_db()
    assert lead.assigned_to in people and lead.contact_deadline_at is not None
    assert lead.events.filter(kind=EventKind.ASSIGNED).count() == 1
    assert Notification.objects.filter(lead=lead, user=lead.assigned_to).count() == 1


@pytest.mark.django_db
def test_the_assignee_is_told_what_a_fresh_read_of_the_lead_says(dealership):
    seller = salesperson(dealership, language="fr")
    lead = new_lead(dealership)
    routing.route_lead(lead_id=lead.pk, at=OPEN)
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.ASSIGNED)
    fresh = Lead.all_objects.select_related("customer", "vehicle", "dealership").get(pk=lead.pk)
    from django.utils import translation

    with translation.override("fr"):
        title, body = _notification_text("assigned", event, fresh)
    note = Notification.objects.get(lead=lead, user=seller)
    assert (note.title, note.body) == (title, body)
    assert body == str(fresh.vehicle) and str(fresh.customer) in title


@pytest.mark.django_db
def test_notifications_read_the_leads_of_a_batch_once(dealership):
    """Automation loads what its notifications read itself: one query for a batch of events,
    whatever the writer of the events had loaded."""
    sellers = [salesperson(dealership) for _ in range(3)]
    leads = [LeadFactory(dealership=dealership) for _ in sellers]
    with announcements_paused():
        for lead, seller in zip(leads, sellers, strict=True):
            lead_services.assign_lead(lead=lead, to=seller)
    events = list(LeadEvent.objects.filter(kind=EventKind.ASSIGNED).select_related("assignee"))
    with CaptureQueriesContext(connection) as captured:
        notes = notify_for_events(events)
    reads = [q["sql"] for q in captured if 'FROM "leads_lead"' in q["sql"]]
    assert len(reads) == 1
    assert {(n.user_id, n.lead_id) for n in notes} == {
        (seller.pk, lead.pk) for lead, seller in zip(leads, sellers, strict=True)
    }


@pytest.mark.django_db
def test_absences_read_with_the_team_are_the_absence_records(dealership):
    at = OPEN
    starting, ending, later, earlier, present = (salesperson(dealership) for _ in range(5))
    Absence.objects.create(user=starting, starts_at=at, ends_at=at + timedelta(hours=1))
    Absence.objects.create(user=ending, starts_at=at - timedelta(hours=1), ends_at=at)
    Absence.objects.create(
        user=later, starts_at=at + timedelta(seconds=1), ends_at=at + timedelta(1)
    )
    Absence.objects.create(user=earlier, starts_at=at - timedelta(2), ends_at=at - timedelta(1))
    people = [starting, ending, later, earlier, present]
    for rule in (_team_rule(dealership, people), _team_rule(dealership, [])):  # team / everyone
        team = candidates.team(dealership.pk, candidates.members_of(rule), at)
        assert {c.user.pk: c.absent for c in team} == {u.pk: u.is_absent_at(at) for u in people}
        assert not any(c.absent for c in candidates.team(dealership.pk, (), None))  # not read
        assert strategies.skip_reasons(team, is_open=True) == {starting.pk: strategies.ABSENT}


@pytest.mark.django_db
def test_a_cap_counted_no_further_than_the_cap_agrees_with_counting_them_all(dealership):
    seller = salesperson(dealership)
    with announcements_paused():
        for status in (Status.NEW, Status.ASSIGNED, Status.CONTACTED, Status.SOLD):
            LeadFactory(dealership=dealership, assigned_to=seller, status=status)
        gone = LeadFactory(dealership=dealership, assigned_to=seller)
        Lead.all_objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
        LeadFactory(dealership=DealershipFactory(), assigned_to=seller)
    held = candidates.open_counts(dealership.pk, [seller.pk])[seller.pk]
    assert held == 3
    for cap in range(6):
        assert (candidates.held(dealership.pk, seller.pk, cap) >= cap) is (held >= cap)
