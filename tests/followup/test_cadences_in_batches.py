"""A burst of leads (a parse batch created together, a routing batch assigned together) gets its
follow-up tasks in one job whose queries do not grow with the number of leads: the cadence is read
once per batch and the tasks follow their leads' assignees with one statement per assignee. The
outcome is what reacting to each event alone gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followup import services
from followup.models import Cadence, CadenceStep, Task
from leads import services as lead_services
from leads.models import EventKind, LeadEvent
from leads.signals import announcements_paused
from tests.factories import CustomerFactory, DealershipFactory, salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    dealership = DealershipFactory(opening_hours=False)
    cadence = Cadence.objects.create(dealership=dealership, stage="no_contact")
    for day, kind in [(0, "call"), (0, "sms"), (2, "call")]:
        CadenceStep.objects.create(cadence=cadence, day=day, kind=kind)
    return dealership


def burst(shop, sellers, n: int) -> tuple[list[int], list[int]]:
    """n leads created together, then assigned together round the sellers; their events as
    they were announced, nobody having reacted yet."""
    with announcements_paused():
        leads = lead_services.create_leads(
            leads=[
                lead_services.new_lead(
                    dealership=shop,
                    customer=CustomerFactory(dealership=shop),
                    received_at=timezone.now(),
                )
                for _ in range(n)
            ]
        )
        for i, lead in enumerate(leads):
            lead_services.assign_lead(lead=lead, to=sellers[i % len(sellers)])
    events = LeadEvent.objects.filter(lead__in=leads)
    created = list(events.filter(kind=EventKind.CREATED).values_list("pk", flat=True))
    assigned = list(events.filter(kind=EventKind.ASSIGNED).values_list("pk", flat=True))
    return created, assigned


def queries(work) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def test_a_burst_of_leads_gets_its_tasks_with_a_few_queries_per_lead(shop):
    sellers = [salesperson(shop) for _ in range(3)]
    costs = {}
    for n in (5, 25):
        created, assigned = burst(shop, sellers, n)
        costs[n] = (
            queries(lambda c=created: services.react(event_ids=c)),
            queries(lambda a=assigned: services.react(event_ids=a)),
        )
    per_lead_created = (costs[25][0] - costs[5][0]) / 20
    per_lead_assigned = (costs[25][1] - costs[5][1]) / 20
    # The leads locked with one statement, their tasks read with one and written with one; the
    # cadence read once; the assignments one statement per assignee.
    assert per_lead_created == 0, costs
    assert per_lead_assigned == 0, costs


def test_the_tasks_are_those_of_reacting_to_each_event_alone(shop):
    sellers = [salesperson(shop) for _ in range(2)]
    created, assigned = burst(shop, sellers, 4)
    services.react(event_ids=created + assigned)
    services.react(event_ids=created + assigned)  # safe to run twice
    for n, lead_id in enumerate(
        LeadEvent.objects.filter(pk__in=created)
        .order_by("lead_id")
        .values_list("lead_id", flat=True)
    ):
        tasks = Task.objects.filter(lead_id=lead_id, state=Task.State.OPEN).order_by("kind")
        assert [t.kind for t in tasks] == ["call", "sms"]
        assert {t.assigned_to for t in tasks} == {sellers[n % 2]}
    # Reassigned twice in one batch: the tasks follow the last.
    lead_id = LeadEvent.objects.get(pk=created[0]).lead_id
    lead = lead_services.Lead.objects.get(pk=lead_id)
    with announcements_paused():
        lead = lead_services.assign_lead(lead=lead, to=sellers[1])
        lead_services.assign_lead(lead=lead, to=sellers[0])
    again = list(
        LeadEvent.objects.filter(lead_id=lead_id, kind=EventKind.REASSIGNED)
        .order_by("occurred_at", "id")
        .values_list("pk", flat=True)
    )
    services.react(event_ids=again)
    assert set(
        Task.objects.filter(lead_id=lead_id, state=Task.State.OPEN).values_list(
            "assigned_to", flat=True
        )
    ) == {sellers[0].pk}
