"""The lead page as a salesperson works it: the next action first, no outcome or status chosen
in advance, only the moves the lifecycle allows, numbers and dates as the dealership writes
them, and limits on what a form takes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.lifecycle import TRANSITIONS, Status
from leads.models import EventKind, LeadVehicle
from tests.factories import CustomerPhoneFactory, DealershipFactory, LeadFactory, salesperson


@pytest.fixture
def shop(db):
    dealership = DealershipFactory(country="NL", language="nl", time_zone="Europe/Amsterdam")
    seller = salesperson(dealership, language="en")
    vehicle = LeadVehicle.objects.create(make="Ligier", model="JS50", price=Decimal("16499"))
    lead = LeadFactory(
        dealership=dealership,
        vehicle=vehicle,
        received_at=datetime(2026, 12, 5, 8, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),
    )
    CustomerPhoneFactory(customer=lead.customer, number="+31612345678")
    return {"lead": services.assign_lead(lead=lead, to=seller), "seller": seller}


def select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)


def test_no_outcome_and_no_status_chosen_in_advance_only_allowed_moves(client, shop):
    lead = shop["lead"]
    client.force_login(shop["seller"])
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    outcome, status = select(html, "outcome"), select(html, "status")
    assert 'value="" selected' in outcome and outcome.count("selected") == 1
    assert 'value="" selected' in status and status.count("selected") == 1
    offered = set(re.findall(r'<option value="(\w+)"', status))
    assert offered == set(TRANSITIONS[Status.ASSIGNED])
    # Submitting without choosing changes nothing.
    client.post(reverse("leads:log_contact", args=[lead.pk]), {"channel": "phone"})
    client.post(reverse("leads:change_status", args=[lead.pk]), {"status": ""})
    lead.refresh_from_db()
    assert lead.status == Status.ASSIGNED
    assert not lead.events.filter(kind=EventKind.CONTACT_ATTEMPT).exists()


def test_the_next_action_comes_before_the_panels(client, shop):
    client.force_login(shop["seller"])
    html = client.get(reverse("leads:detail", args=[shop["lead"].pk])).content.decode()
    assert html.index("Log a contact attempt") < html.index('id="customer-h"')
    assert html.index("Log a contact attempt") < html.index('id="timeline-h"')
    # Each work form posts with htmx and swaps the page in place.
    assert f'hx-post="{reverse("leads:log_contact", args=[shop["lead"].pk])}"' in html
    assert 'hx-select="#lead-page"' in html


def test_phone_price_and_dates_as_the_dutch_dealership_writes_them(client, shop):
    """An English-speaking salesperson of a Dutch store: Dutch phone, price and date forms."""
    client.force_login(shop["seller"])
    html = client.get(reverse("leads:detail", args=[shop["lead"].pk])).content.decode()
    assert "06 12345678" in html and 'href="tel:+31612345678"' in html
    assert "€16,499.00" in html  # the reader's (English) way with money, once
    assert "16499" not in html.replace("16499.00", "")
    assert "5 December 2026" in html and "08:30" in html  # day first, 24 h: not 12/05/2026
    assert "a.m." not in html and "p.m." not in html


def test_a_foreign_number_is_shown_in_international_form(client, shop):
    lead = shop["lead"]
    CustomerPhoneFactory(customer=lead.customer, number="+33612345678")
    client.force_login(shop["seller"])
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "+33 6 12 34 56 78" in html


def test_notes_and_appointments_are_bounded(client, shop):
    lead = shop["lead"]
    client.force_login(shop["seller"])
    client.post(reverse("leads:add_note", args=[lead.pk]), {"text": "x" * 200_000})
    assert not lead.events.filter(kind=EventKind.NOTE).exists()
    response = client.post(
        reverse("leads:add_note", args=[lead.pk]), {"text": "x" * 200_000}, follow=True
    )
    assert "at most 2000 characters" in response.content.decode().replace(",", "")
    far = (timezone.localtime() + timedelta(days=3 * 365)).strftime("%Y-%m-%dT%H:%M")
    past = (timezone.localtime() - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    for when in (far, past):
        client.post(
            reverse("leads:set_appointment", args=[lead.pk]), {"at": when, "kind": "showroom"}
        )
        lead.refresh_from_db()
        assert lead.appointment_at is None
    soon = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("leads:set_appointment", args=[lead.pk]), {"at": soon, "kind": "showroom"})
    lead.refresh_from_db()
    assert lead.appointment_at is not None
