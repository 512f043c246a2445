"""A bridge call in a real browser (phone-sized): the lead arrives, Twilio (its REST API faked at
the HTTP edge, its webhooks signed and sent to the live server) connects the salesperson and the
customer, and the call shows on the lead's timeline and in its calls panel."""

import pytest
import requests
from twilio.request_validator import RequestValidator

from calls.models import Call, CallSettings
from leads import services as lead_services
from leads.models import LeadVehicle
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.calls.twiml_check import check_twiml
from tests.factories import (
    CustomerFactory,
    CustomerPhoneFactory,
    DealershipFactory,
    SourceFactory,
    salesperson,
)
from tests.twilio_edge import AUTH_TOKEN


def twilio_says(url: str, **data: str):
    """Twilio's request to the live server: POST, signed over the full URL and the fields."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, data)
    answer = requests.post(url, data=data, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert answer.status_code in (200, 204), answer.text
    return check_twiml(answer.content) if answer.status_code == 200 else None


@pytest.fixture
def shop(transactional_db):
    dealership = DealershipFactory(
        name="Peugeot Utrecht", opening_hours=False, language="en", phone="+31301234567"
    )
    CallSettings.objects.create(dealership=dealership, bridge_on_assignment=True)
    return dealership


def test_a_bridge_call_shows_on_the_leads_timeline(
    browser_page,  # noqa: F811 — the fixture
    shop,
    twilio,
    settings,
    live_server,
):
    settings.DEALERLMS_PUBLIC_URL = live_server.url
    jan = salesperson(shop, username="jan", first_name="Jan", phone="+31611111111", language="en")
    customer = CustomerFactory(dealership=shop, first_name="Eva", full_name="Eva de Vries")
    CustomerPhoneFactory(customer=customer, number="+31698765432")
    # Outside a test transaction: routing and the bridge run on commit (eager Celery in tests).
    lead = lead_services.create_lead(
        dealership=shop,
        customer=customer,
        source=SourceFactory(dealership=shop, name="Marktplaats"),
        vehicle=LeadVehicle(condition="used", make="Peugeot", model="208"),
    )
    assert twilio.dialed and twilio.dialed[0]["data"]["To"] == jan.phone
    call = Call.objects.get(lead=lead)
    whisper = twilio_says(twilio.dialed[0]["data"]["Url"], CallSid=twilio.dialed[0]["sid"])
    assert whisper.find("Gather/Say").text.startswith("Marktplaats, Peugeot 208, Eva.")
    dial = twilio_says(whisper.find("Gather").get("action"), Digits="1").find("Dial")
    twilio_says(dial.find("Number").get("url"), CallSid="CAcust", AnsweredBy="human")
    twilio_says(dial.get("action"), DialCallStatus="completed", DialCallDuration="134")
    twilio_says(twilio.dialed[0]["data"]["StatusCallback"], CallStatus="completed")
    call.refresh_from_db()
    assert call.outcome == "connected"

    page = browser_page
    login(page, "jan")
    page.goto(f"{page.base_url}/leads/{lead.pk}/")
    timeline = page.locator(".timeline")
    timeline.get_by_text("Call bridge: Connected").wait_for()
    assert "talk time 2:14" in timeline.inner_text()
    assert "Phone: Reached" in timeline.inner_text()
    panel = page.locator(".call-panel")
    assert "talk 134 s" in panel.inner_text()
    shot(page, "calls-lead-timeline")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_calls_pages_fit_a_phone(browser_page, shop, twilio):  # noqa: F811
    from tests.factories import manager

    manager(shop, username="marco", language="nl")
    seller = salesperson(shop, username="sanne", phone="+31611111111")
    customer = CustomerFactory(dealership=shop, first_name="Eva")
    CustomerPhoneFactory(customer=customer, number="+31698765432")
    lead = lead_services.create_lead(
        dealership=shop,
        customer=customer,
        source=SourceFactory(dealership=shop, name="AutoScout24"),
        vehicle=LeadVehicle(condition="used", make="Peugeot", model="2008"),
    )
    Call.objects.filter(lead=lead).update(
        state="done", outcome="connected", talk_seconds=75, agent=seller
    )
    page = browser_page
    login(page, "marco")
    for path, name in (
        ("/calls/speed/?days=7", "calls-speed"),
        ("/calls/", "calls-list"),
        ("/calls/settings/", "calls-settings"),
    ):
        page.goto(page.base_url + path)
        page.wait_for_selector("h1")
        shot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    assert "Reactiesnelheid" in page.content() or "Oproepen" in page.content()  # Dutch UI
