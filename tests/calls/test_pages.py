"""The calls pages as people use them: settings (visibly off without Twilio), tracking numbers,
click-to-call from the lead page and the inbox, rating, and the speed-to-lead figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import selectors
from calls.models import Call, CallSettings, Outcome, TrackingNumber
from leads import services as lead_services
from tests.calls.phone import bridge_lead
from tests.factories import DealershipFactory, manager, salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return DealershipFactory(opening_hours=False, language="en")


@pytest.fixture
def boss(shop):
    return manager(shop, language="en")


@pytest.fixture
def jan(shop):
    return salesperson(shop, phone="+31611111111", language="en")


def test_settings_say_what_to_configure_when_twilio_is_missing(client, boss, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    client.force_login(boss)
    page = client.get(reverse("calls:settings")).content.decode()
    assert "Calls are off" in page
    assert "TWILIO_ACCOUNT_SID" in page and "TWILIO_AUTH_TOKEN" in page


def test_settings_save_and_tracking_numbers(client, boss, shop, phone):
    client.force_login(boss)
    page = client.get(reverse("calls:settings")).content.decode()
    assert "Calls are on" in page and "/calls/twilio/inbound/" in page
    answer = client.post(
        reverse("calls:settings") + f"?dealership={shop.pk}",
        {
            "s-bridge_on_assignment": "on",
            "s-ring_seconds": "25",
            "s-retry_minutes": "3",
            "s-tries_per_person": "2",
            "s-record_calls": "on",
            "s-consent_message": "",
        },
    )
    assert answer.status_code == 302
    options = CallSettings.objects.get(dealership=shop)
    assert options.bridge_on_assignment and options.record_calls and options.ring_seconds == 25
    bad = client.post(
        reverse("calls:settings") + f"?dealership={shop.pk}",
        {"s-ring_seconds": "2", "s-retry_minutes": "3", "s-tries_per_person": "2"},
    )
    assert bad.status_code == 200 and "Ring between 5 and 60 seconds" in bad.content.decode()

    from tests.factories import SourceFactory

    source = SourceFactory(dealership=shop, name="Gaspedaal")
    client.post(
        reverse("calls:number_add", args=[shop.pk]),
        {"n-source": source.pk, "n-number": "+3197010000099"},
    )
    number = TrackingNumber.objects.get()
    assert (number.source, number.dealership) == (source, shop)
    refused = client.post(
        reverse("calls:number_add", args=[shop.pk]),
        {"n-source": source.pk, "n-number": "0612"},
        follow=True,
    )
    assert TrackingNumber.objects.count() == 1 and refused.status_code == 200
    client.post(reverse("calls:number_delete", args=[number.pk]))
    assert not TrackingNumber.objects.exists()


def test_click_to_call_from_the_lead_page_uses_the_bridge(
    client, phone, shop, jan, django_capture_on_commit_callbacks
):
    lead = bridge_lead(shop)
    lead_services.assign_lead(lead=lead, to=jan)
    client.force_login(jan)
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert reverse("calls:click_to_call", args=[lead.pk]) in detail
    inbox = client.get(reverse("leads:inbox")).content.decode()
    assert "Call via my phone" in inbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("calls:click_to_call", args=[lead.pk]))
    assert phone.dialed()["data"]["To"] == jan.phone
    call = Call.objects.get()
    assert call.direction == "click" and call.agent == jan


def test_click_to_call_needs_the_salespersons_phone_and_the_lead(client, phone, shop, jan):
    lead = bridge_lead(shop)
    lead_services.assign_lead(lead=lead, to=jan)
    nobody = salesperson(shop)
    client.force_login(nobody)
    assert client.post(reverse("calls:click_to_call", args=[lead.pk])).status_code == 404
    jan.phone = ""
    jan.save()
    client.force_login(jan)
    page = client.post(reverse("calls:click_to_call", args=[lead.pk]), follow=True)
    assert "Add your mobile number" in page.content.decode()
    assert phone.fake.dialed == []


def test_rating_by_the_salesperson_and_the_manager_not_a_colleague(client, shop, jan, boss):
    lead = bridge_lead(shop)
    lead_services.assign_lead(lead=lead, to=jan)
    call = Call.objects.create(
        dealership=shop, lead=lead, direction="bridge", state="done", outcome="connected", agent=jan
    )
    client.force_login(salesperson(shop))
    assert (
        client.post(reverse("calls:rate", args=[call.pk]), {"rating": "opportunity"}).status_code
        == 403
    )
    client.force_login(jan)
    row = client.post(
        reverse("calls:rate", args=[call.pk]),
        {"rating": "opportunity", "marked_outcome": "appointment"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and f'id="call-{call.pk}"' in row.content.decode()
    call.refresh_from_db()
    assert (call.rating, call.marked_outcome, call.rated_by) == ("opportunity", "appointment", jan)
    client.force_login(boss)
    assert (
        client.post(reverse("calls:rate", args=[call.pk]), {"rating": "bogus"}).status_code == 400
    )
    client.post(reverse("calls:rate", args=[call.pk]), {"rating": "wrong_number"})
    call.refresh_from_db()
    assert call.rating == "wrong_number" and call.rated_by == boss
    listing = client.get(reverse("calls:list")).content.decode()
    assert f"#{lead.pk}" in listing


def _call(shop, lead, agent, *, dial, agent_s=None, customer_s=None, talk=None):
    received = lead.received_at
    return Call.objects.create(
        dealership=shop,
        lead=lead,
        direction="bridge",
        state="done",
        agent=agent,
        outcome=Outcome.CONNECTED if customer_s is not None else Outcome.AGENT_NO_ANSWER,
        lead_received_at=received,
        dialed_at=received + timedelta(seconds=dial),
        agent_answered_at=received + timedelta(seconds=agent_s) if agent_s is not None else None,
        customer_answered_at=(
            received + timedelta(seconds=customer_s) if customer_s is not None else None
        ),
        talk_seconds=talk,
    )


def test_speed_to_lead_figures_from_real_calls(client, shop, jan, boss):
    now = timezone.now()
    leads = [bridge_lead(shop) for _ in range(4)]
    for lead in leads:
        lead.received_at = now - timedelta(hours=1)
        lead.save()
    _call(shop, leads[0], jan, dial=2, agent_s=10, customer_s=30, talk=200)
    _call(shop, leads[1], jan, dial=3, agent_s=50, customer_s=80, talk=20)
    _call(shop, leads[2], jan, dial=2)  # salesperson missed it…
    _call(shop, leads[2], jan, dial=400, agent_s=410, customer_s=430, talk=400)  # …the retry
    _call(shop, leads[3], jan, dial=5, agent_s=20, customer_s=200, talk=60)
    lead_services.set_appointment(lead=leads[0], at=now + timedelta(days=1), by=jan)
    report = selectors.speed_report(shop, days=7, now=now)
    total = report["total"]
    assert total.leads == 4
    assert total.dial == {"n": 4, "median": 2.5, "p90": 5, "within_2": 100, "within_5": 100}
    assert sorted(total.to_customer) == [30, 80, 200, 430]
    assert total.customer["within_2"] == 50 and total.customer["within_5"] == 75
    assert [b["calls"] for b in report["talk"]] == [1, 1, 1, 1]
    fast = report["connect"][0]
    assert (fast["leads"], fast["appointments"], fast["rate"]) == (2, 1, 50)
    # A call marked "appointment set" by its salesperson counts too.
    Call.objects.filter(lead=leads[1]).update(marked_outcome="appointment")
    fast = selectors.speed_report(shop, days=7, now=now)["connect"][0]
    assert (fast["leads"], fast["appointments"], fast["rate"]) == (2, 2, 100)
    assert report["sources"][0].label == "Marktplaats"
    assert report["people"][0].label == str(jan)
    client.force_login(boss)
    page = client.get(reverse("calls:speed")).content.decode()
    assert "Marktplaats" in page and "2.5 s / 5 s" in page
    assert "100 % (2/2)" in page
