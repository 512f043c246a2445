"""The BDC queue: passive leads wait there; an agent takes one, qualifies it and hands it to a
salesperson, and it becomes active. Lost leads come back there for re-activation."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from distribution import errors, queues, routing
from distribution.models import DistributionSettings, Routing
from leads import services as lead_services
from leads.lifecycle import LostReason, Status
from leads.models import EventKind, Source
from tests.distribution_support import OPEN, new_lead
from tests.factories import DealershipFactory, SourceFactory, person, salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def bdc(dealership):
    return person(Role.BDC_AGENT, dealership)


def passive_lead(dealership):
    source = SourceFactory(dealership=dealership, kind=Source.Kind.LIST, is_passive=True)
    lead = new_lead(dealership, source=source)
    routing.route_lead(lead_id=lead.pk, at=OPEN)
    lead.refresh_from_db()
    return lead


def test_the_bdc_page_lists_passive_leads_and_an_agent_takes_one(client, dealership, bdc):
    salesperson(dealership)
    lead = passive_lead(dealership)
    client.force_login(bdc)
    page = client.get(reverse("distribution:bdc"))
    assert page.status_code == 200
    assert str(lead.customer) in page.content.decode()
    response = client.post(reverse("distribution:bdc_take", args=[lead.pk]))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.assigned_to == bdc and lead.is_passive
    assert lead.events.get(kind=EventKind.ASSIGNED).actor == bdc


def test_qualified_lead_handed_to_a_salesperson_becomes_active(client, dealership, bdc):
    seller = salesperson(dealership)
    lead = passive_lead(dealership)
    queues.bdc_take(lead_id=lead.pk, user=bdc)
    client.force_login(bdc)
    response = client.post(reverse("distribution:bdc_handoff", args=[lead.pk]), {"to": seller.pk})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.assigned_to == seller and not lead.is_passive
    handed = lead.events.get(kind=EventKind.REASSIGNED)
    assert handed.assignee == seller and handed.data["qualified_by"] == bdc.pk
    assert lead.contact_deadline_at is not None
    # The agent no longer sees it in their list.
    assert str(lead.customer) not in client.get(reverse("distribution:bdc")).content.decode()


def test_hand_to_sales_by_the_rules(bdc):
    dealership = bdc.memberships.get().dealership
    dealership.opening_hours.all().delete()  # always open: the rules route it right now
    seller = salesperson(dealership)
    lead = passive_lead(dealership)
    queues.bdc_take(lead_id=lead.pk, user=bdc)
    lead = queues.hand_to_sales(lead_id=lead.pk, to=None, by=bdc)
    assert lead.assigned_to == seller and not lead.is_passive
    assert lead.routing.state == Routing.State.ASSIGNED


def test_handoff_refuses_someone_who_does_not_sell_there(client, dealership, bdc):
    elsewhere = salesperson(DealershipFactory())
    lead = passive_lead(dealership)
    client.force_login(bdc)
    client.post(reverse("distribution:bdc_handoff", args=[lead.pk]), {"to": elsewhere.pk})
    lead.refresh_from_db()
    assert lead.is_passive and lead.assigned_to is None


def test_an_active_lead_cannot_be_taken_from_the_bdc_queue(dealership, bdc):
    salesperson(dealership)
    lead = new_lead(dealership)
    with pytest.raises(errors.DistributionError):
        queues.bdc_take(lead_id=lead.pk, user=bdc)


def test_reactivation_take_reopens_the_lead_for_the_agent(client, dealership, bdc):
    DistributionSettings.objects.create(dealership=dealership, reactivation_days=30)
    seller = salesperson(dealership)
    lead = new_lead(dealership)
    routing.route_lead(lead_id=lead.pk, at=OPEN)
    lead_services.change_status(
        lead=lead, to=Status.LOST, by=seller, lost_reason=LostReason.PRICE, at=OPEN
    )
    queues.queue_reactivations(now=OPEN + timedelta(days=31))
    client.force_login(bdc)
    assert str(lead.customer) in client.get(reverse("distribution:bdc")).content.decode()
    client.post(reverse("distribution:bdc_take", args=[lead.pk]))
    lead.refresh_from_db()
    assert lead.is_open and lead.is_passive and lead.assigned_to == bdc
    assert lead.events.filter(kind=EventKind.STATUS_CHANGED, status_to=Status.NEW).count() == 1


def test_salespeople_cannot_open_the_bdc_queue(client, seller):
    client.force_login(seller)
    assert client.get(reverse("distribution:bdc")).status_code == 403
