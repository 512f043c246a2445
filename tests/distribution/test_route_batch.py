"""Leads that arrive together are routed together (distribution.plan): the same people, skips,
queues, deadlines, events and notifications as routing them one after the other — for a few
statements whatever the batch's size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Absence, Presence
from automation.models import Notification
from distribution import routing
from distribution.models import DistributionRule, Routing, Strategy, TeamMember
from leads.lifecycle import Status
from leads.models import Lead, LeadEvent
from leads.signals import announcements_paused
from tests.distribution_support import OPEN, new_lead
from tests.factories import DealershipFactory, LeadFactory, SourceFactory, salesperson

pytestmark = pytest.mark.django_db


def world() -> tuple:
    """A dealership with a weighted team (one capped and already near the cap, one away, one
    absent), a least-loaded rule for its phone source, and 24 fresh leads of every kind."""
    dealership = DealershipFactory()
    people = [salesperson(dealership, username=f"{dealership.pk}-{n}") for n in range(5)]
    people[3].presence = Presence.AWAY
    people[3].save()
    Absence.objects.create(
        user=people[4], starts_at=OPEN - timedelta(days=1), ends_at=OPEN + timedelta(days=1)
    )
    portal = SourceFactory(dealership=dealership, kind="portal")
    phone = SourceFactory(dealership=dealership, kind="phone")
    team = DistributionRule.objects.create(
        dealership=dealership, name="Portals", source_kind="portal", strategy=Strategy.ROUND_ROBIN
    )
    for user, weight, cap in zip(people, (3, 2, 1, 1, 1), (None, None, 3, None, None), strict=True):
        TeamMember.objects.create(rule=team, user=user, weight=weight, max_open_leads=cap)
    DistributionRule.objects.create(
        dealership=dealership, name="Phone", source_kind="phone", strategy=Strategy.LEAST_LOADED
    )
    LeadFactory(dealership=dealership, assigned_to=people[2], status=Status.ASSIGNED)
    with announcements_paused():  # routed by the test, not by the jobs their commits start
        leads = []
        for n in range(24):
            if n == 5:
                lead = new_lead(dealership, source=portal, passive=True)  # the BDC queue
            elif n == 9:
                lead = new_lead(dealership, source=portal)
                Lead.objects.filter(pk=lead.pk).update(assigned_to=people[1])  # taken by hand
            elif n == 13:
                lead = new_lead(dealership, source=portal)
                Lead.objects.filter(pk=lead.pk).update(status=Status.LOST)  # closed already
            else:
                lead = new_lead(dealership, source=phone if n % 4 == 3 else portal)
            leads.append(lead)
    return dealership, people, [lead.pk for lead in leads]


def outcome(people: list, lead_ids: list[int]) -> list[tuple]:
    """Per lead: who has it (by team position), its routing, deadline, events and the notes."""
    index = {user.pk: n for n, user in enumerate(people)}

    def told(note: str) -> str:  # names → team positions: the two worlds' people differ
        for n, user in enumerate(people):
            note = note.replace(str(user), f"#{n}")
        return note

    routings = {r.lead_id: r for r in Routing.objects.filter(lead_id__in=lead_ids)}
    rows = []
    for lead in Lead.all_objects.filter(pk__in=lead_ids).order_by("pk"):
        routing = routings.get(lead.pk)
        events = LeadEvent.objects.filter(lead=lead).order_by("pk")
        rows.append(
            (
                index.get(lead.assigned_to_id),
                lead.status,
                routing and (routing.state, routing.rule and routing.rule.name,
                             [index[u] for u in routing.tried_user_ids]),
                lead.contact_deadline_at and lead.contact_deadline_at - OPEN,
                [(e.kind, told(e.note), index.get(e.assignee_id)) for e in events],
                sorted(index[n.user_id] for n in Notification.objects.filter(lead=lead)),
            )
        )  # fmt: skip
    return rows


def test_a_batch_routes_as_one_lead_after_the_other():
    _dealership, alone_people, alone = world()
    for lead_id in alone:
        routing.route_lead(lead_id=lead_id, at=OPEN)
    _dealership, batch_people, batch = world()

    routing.route_leads(lead_ids=batch, at=OPEN)

    expected = outcome(alone_people, alone)
    assert outcome(batch_people, batch) == expected
    # …and those are the right answers: weights 3:2:1 over the three who can take a lead,
    # the capped one stopping at three open leads, the away and absent ones skipped.
    portal = [row for row in expected if row[2] and row[2][1] == "Portals"]
    holders = [row[0] for row in portal]
    # #2 held one lead before, gets a phone lead (fewest open leads), then one portal lead:
    # three, the cap; the later portal leads say they skipped #2.
    assert holders.count(2) == 1 and "#2" in portal[-1][4][1][1]
    assert holders.count(0) > holders.count(1) > holders.count(2)
    assert 3 not in holders and 4 not in holders
    assert expected[5][2][0] == Routing.State.BDC_QUEUE and expected[5][0] is None
    assert expected[9][4] == [("created", "", None)]  # taken by hand: no routing event
    assert "#3" in expected[0][4][1][1] and "#4" in expected[0][4][1][1]  # the skips, named
    assert expected[13][2] is None  # closed: left alone


def test_a_batch_costs_the_same_statements_whatever_its_size():
    dealership = DealershipFactory(opening_hours=False)
    for _ in range(3):
        salesperson(dealership)

    def statements(count: int) -> int:
        with announcements_paused():
            ids = [new_lead(dealership).pk for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            routing.route_leads(lead_ids=ids, at=OPEN)
        assert Lead.objects.filter(pk__in=ids, assigned_to__isnull=False).count() == count
        return len(captured)

    statements(1), statements(1)  # the default rules are made, the set-up kept
    assert statements(5) == statements(25)


def test_routing_a_batch_twice_assigns_once():
    dealership = DealershipFactory(opening_hours=False)
    salesperson(dealership)
    with announcements_paused():
        ids = [new_lead(dealership).pk for _ in range(4)]

    first = routing.route_leads(lead_ids=ids, at=OPEN)
    again = routing.route_leads(lead_ids=ids, at=OPEN)

    assert first.keys() == again.keys() == set(ids)
    assert LeadEvent.objects.filter(lead_id__in=ids, kind="assigned").count() == 4
    assert Notification.objects.filter(lead_id__in=ids).count() == 4
