import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.models import LeadVehicle
from tests.factories import LeadFactory, SourceFactory, salesperson


@pytest.fixture
def leads(dealership, seller):
    portal = SourceFactory(dealership=dealership, name="AutoScout24")
    site = SourceFactory(dealership=dealership, name="Website", kind="website")
    old = LeadFactory(
        dealership=dealership, source=portal, received_at=timezone.now() - timedelta(days=30)
    )
    fresh = LeadFactory(
        dealership=dealership,
        source=site,
        lead_type="trade_in",
        trade_in=LeadVehicle.objects.create(make="Aixam", model="City", mileage_km=21000),
    )
    services.assign_lead(lead=fresh, to=seller)
    return {"old": old, "fresh": fresh}


def listed(client, **params):
    response = client.get(reverse("leads:list"), params)
    assert response.status_code == 200
    return {lead.pk for lead in response.context["page"].object_list}


@pytest.mark.django_db
def test_the_manager_filters_and_the_filter_lives_in_the_url(client, boss, leads, seller):
    client.force_login(boss)
    assert listed(client) == {leads["old"].pk, leads["fresh"].pk}
    assert listed(client, source_kind="website") == {leads["fresh"].pk}
    assert listed(client, assigned_to=seller.pk) == {leads["fresh"].pk}
    assert listed(client, assigned_to="null") == {leads["old"].pk}
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert listed(client, received_from=since) == {leads["fresh"].pk}
    assert listed(client, status=["new"]) == {leads["old"].pk}
    assert listed(client, q=leads["old"].customer.email) == {leads["old"].pk}


@pytest.mark.django_db
def test_overdue_leads(client, boss, leads):
    lead = leads["fresh"]
    lead.contact_deadline_at = timezone.now() - timedelta(minutes=1)
    lead.save(update_fields=["contact_deadline_at"])
    client.force_login(boss)
    assert listed(client, overdue="true") == {lead.pk}


@pytest.mark.django_db
def test_csv_export_per_lead_type(client, boss, leads):
    client.force_login(boss)
    response = client.get(reverse("leads:list"), {"lead_type": "trade_in", "format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [int(r["number"]) for r in rows] == [leads["fresh"].pk]
    assert rows[0]["trade-in mileage (km)"] == "21000" and "appointment" not in rows[0]
    everything = b"".join(
        client.get(reverse("leads:list"), {"format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 2


@pytest.mark.django_db
def test_a_salesperson_exports_only_their_own(client, dealership, seller, leads):
    client.force_login(salesperson(dealership))
    body = b"".join(client.get(reverse("leads:list"), {"format": "csv"}).streaming_content).decode(
        "utf-8-sig"
    )
    assert len(list(csv.DictReader(io.StringIO(body)))) == 0


@pytest.mark.django_db
def test_inbox_puts_the_waiting_lead_first_and_signals_new_ones(client, dealership, seller):
    contacted = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    services.log_contact_attempt(lead=contacted, channel="phone", outcome="reached", by=seller)
    waiting = services.assign_lead(
        lead=LeadFactory(dealership=dealership, received_at=timezone.now() - timedelta(hours=2)),
        to=seller,
    )
    client.force_login(seller)
    page = client.get(reverse("leads:inbox"))
    assert [lead.pk for lead in page.context["leads"]] == [waiting.pk, contacted.pk]
    newest = page.context["newest"]
    newer = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    poll = client.get(reverse("leads:inbox"), {"seen": newest}, HTTP_HX_REQUEST="true")
    assert poll.templates[0].name == "leads/_inbox_rows.html"
    assert poll.context["has_new"] and newer.customer.full_name in poll.content.decode()


@pytest.mark.django_db
def test_home_sends_salespeople_to_their_inbox(client, seller, boss):
    client.force_login(seller)
    assert client.get("/").url == reverse("leads:inbox")
    client.force_login(boss)
    assert client.get("/").url == reverse("leads:list")
