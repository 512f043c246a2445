"""A manager rescues a Facebook lead the parser could not read, in a real browser (390 px): the
quarantine page lists the unknown keys, one is mapped in one step, the lead appears; then the
Google Ads key is set on the source's page. Neither page is wider than the phone."""

import json

import pytest

from inbound import ingest
from leads.models import InboundMessage, Lead
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import DealershipFactory, SourceFactory, manager

WIDER_THAN_WINDOW = "() => document.documentElement.scrollWidth > window.innerWidth"
FACEBOOK = {
    "id": "4567890123456789",
    "created_time": "2026-11-07T20:11:45+0000",
    "ad_id": "120201111111111111",
    "field_data": [
        {"name": "jouw_whatsapp_nummer_voor_een_snelle_reactie", "values": ["0612121212"]},
        {"name": "welke_occasion_bedoel_je?", "values": ["Volvo XC40 Recharge Twin Ultimate"]},
    ],
}


@pytest.fixture
def stuck(transactional_db):
    dealership = DealershipFactory(name="Volvo Doesburg")
    manager(dealership, username="marco", first_name="Marco")
    source = SourceFactory(dealership=dealership, name="Facebook via Zapier", kind="website")
    message = ingest.store_message(  # committed: the parse task runs (eagerly) and quarantines it
        channel="api",
        raw=json.dumps(FACEBOOK).encode(),
        dealership=dealership,
        source=source,
        subject="Facebook lead",
    )
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.QUARANTINED
    return message, source


def test_a_manager_maps_a_facebook_key_and_the_lead_appears(browser_page, stuck):  # noqa: F811
    page = browser_page
    message, source = stuck
    login(page, "marco")
    page.wait_for_url("**/leads/**")
    page.goto(page.base_url + f"/leads/quarantine/{message.pk}/")
    page.wait_for_selector("text=Keys the parser does not know")
    assert not page.evaluate(WIDER_THAN_WINDOW)
    shot(page, "manager-json-unknown-keys")
    item = page.locator("li", has_text="jouw_whatsapp_nummer_voor_een_snelle_reactie")
    item.locator("select[name$='-field']").select_option("customer.mobile")
    item.get_by_role("button", name="Map and parse again").click()
    page.wait_for_selector("text=The message is being parsed again")
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.PARSED
    assert Lead.objects.get().customer.phones.get().number == "+31612121212"

    page.goto(page.base_url + f"/leads/sources/{source.pk}/labels/")
    page.fill("#id_key", "")
    page.get_by_role("button", name="Save the key").click()
    page.wait_for_selector("text=Copy this key now")
    assert f"/inbound/google-ads/{source.pk}/" in page.content()
    assert not page.evaluate(WIDER_THAN_WINDOW)
    shot(page, "manager-google-ads-key")
