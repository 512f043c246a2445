"""The pages a salesperson opens all day issue a fixed number of queries, however much data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads import services
from tests.factories import CustomerPhoneFactory, LeadFactory


def queries(client, url: str) -> int:
    """The page's queries as a salesperson at work sees it: not the first page after logging in
    (that one also renews the session, once a minute)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def make_leads(dealership, seller, n: int) -> list:
    leads = []
    for _ in range(n):
        lead = LeadFactory(dealership=dealership)
        CustomerPhoneFactory(customer=lead.customer)
        leads.append(services.assign_lead(lead=lead, to=seller))
    return leads


@pytest.mark.django_db
def test_the_inbox_does_not_grow_with_the_leads(client, dealership, seller):
    client.force_login(seller)
    make_leads(dealership, seller, 2)
    few = queries(client, reverse("leads:inbox"))
    make_leads(dealership, seller, 20)
    assert queries(client, reverse("leads:inbox")) == few


@pytest.mark.django_db
def test_the_lead_list_does_not_grow_with_the_leads(client, dealership, seller, boss):
    client.force_login(boss)
    make_leads(dealership, seller, 2)
    few = queries(client, reverse("leads:list"))
    make_leads(dealership, seller, 20)
    assert queries(client, reverse("leads:list")) == few


@pytest.mark.django_db
def test_the_lead_page_does_not_grow_with_the_timeline(client, dealership, seller):
    client.force_login(seller)
    lead = make_leads(dealership, seller, 1)[0]
    url = reverse("leads:detail", args=[lead.pk])
    short = queries(client, url)
    for i in range(15):
        services.add_note(lead=lead, text=f"note {i}", by=seller)
        services.log_contact_attempt(lead=lead, channel="phone", outcome="no_answer", by=seller)
    assert queries(client, url) == short
