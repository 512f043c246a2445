"""In a real browser at 390 px: the customer wrote on WhatsApp (Twilio's signed webhook), the
salesperson sees it on the lead page, answers on WhatsApp (htmx, no page load), the answer goes
to Twilio with whatsapp: addresses and shows in the thread, and the page stays as wide as the
phone. Another lead, whose customer never wrote on WhatsApp, gets an approved template."""

import json

import pytest
from django.test import Client

from automation.models import WhatsAppTemplate
from leads import services
from tests.browser import ARTIFACTS, browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerPhoneFactory, LeadFactory, salesperson
from tests.twilio_edge import signed_post

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
SENDER = "+3197010520000"


@pytest.fixture
def shop(transactional_db, twilio):
    from tests.factories import DealershipFactory

    dealership = DealershipFactory(name="Ligier Store Doesburg", whatsapp_number=SENDER)
    seller = salesperson(dealership, username="sanne", first_name="Sanne", last_name="Jansen")
    template = WhatsAppTemplate.objects.create(
        dealership=dealership,
        name="Proefrit voorstellen",
        content_sid="HX" + "ab12" * 8,
        language="nl",
        body="Hallo {{1}}, zullen we een proefrit met de {{2}} plannen? Groet, {{3}}",
        variables=["customer_first_name", "vehicle", "salesperson"],
    )
    return {"dealership": dealership, "seller": seller, "template": template}


def lead_of(shop, name: str, number: str):
    first, _space, last = name.partition(" ")
    lead = LeadFactory(
        dealership=shop["dealership"],
        customer__first_name=first,
        customer__last_name=last,
        customer__full_name=name,
    )
    CustomerPhoneFactory(customer=lead.customer, number=number)
    services.assign_lead(lead=lead, to=shop["seller"])
    return lead


def test_a_salesperson_answers_on_whatsapp_from_a_phone(browser_page, shop, twilio):  # noqa: F811
    page = browser_page
    lead = lead_of(shop, "Fatima el Amrani", "+31648765432")
    data = {
        "MessageSid": "SM" + "f" * 32,
        "From": "whatsapp:+31648765432",
        "To": f"whatsapp:{SENDER}",
        "Body": "Is de Myli er zaterdag nog? " + "Zaterdagochtendbezoek" * 6,
        "ProfileName": "Fatima",
        "WaId": "31648765432",
        "NumMedia": "0",
    }
    assert signed_post(Client(), "/hooks/twilio/sms/", data).status_code == 200
    login(page, "sanne")
    page.goto(f"{page.base_url}/leads/{lead.pk}/")
    page.wait_for_selector(
        "#conversation [data-channel=whatsapp] >> text=Is de Myli er zaterdag nog?"
    )
    assert page.input_value("#id_reply-channel") == "whatsapp"  # answered the way they wrote
    page.wait_for_selector("#whatsapp-window.open")
    assert page.evaluate(FITS)
    page.fill("#id_reply-text", "Ja, zaterdag om 10 uur staat hij klaar.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_selector("#conversation >> text=Reply queued")
    page.wait_for_selector(
        "#conversation [data-channel=whatsapp] >> text=Ja, zaterdag om 10 uur staat hij klaar."
    )
    assert page.evaluate(FITS)
    shot(page, "lead-page-whatsapp")
    page.locator("#conversation").screenshot(path=str(ARTIFACTS / "conversation-whatsapp.png"))
    # The dispatcher ran once the request's transaction committed.
    (call,) = [c for c in twilio.calls if c["data"].get("To") == "whatsapp:+31648765432"]
    assert call["data"]["From"] == f"whatsapp:{SENDER}"
    assert call["data"]["Body"] == "Ja, zaterdag om 10 uur staat hij klaar."

    # A customer who never wrote on WhatsApp: only the approved template, previewed for them.
    other = lead_of(shop, "Joost de Vries", "+31612345678")
    page.goto(f"{page.base_url}/leads/{other.pk}/")
    page.select_option("#id_reply-channel", "whatsapp")  # htmx shows WhatsApp's fields
    page.wait_for_selector("#whatsapp-window.closed")
    assert page.locator("#id_reply-text").count() == 0
    page.get_by_label("Hallo Joost, zullen we een proefrit", exact=False).check()
    assert page.evaluate(FITS)
    shot(page, "lead-page-whatsapp-template")
    page.locator("#conversation").screenshot(
        path=str(ARTIFACTS / "conversation-whatsapp-template.png")
    )
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_selector("#conversation >> text=Reply queued")
    (sent,) = [c for c in twilio.calls if c["data"].get("To") == "whatsapp:+31612345678"]
    assert sent["data"]["ContentSid"] == shop["template"].content_sid
    assert json.loads(sent["data"]["ContentVariables"])["1"] == "Joost"
