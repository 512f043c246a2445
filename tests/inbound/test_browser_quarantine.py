"""A manager rescues a lead the parser could not read, in a real browser (phone-sized): reads
the message safely, teaches the source two labels, parses it again, and finds the lead."""

import pytest

from inbound import ingest
from leads.models import InboundMessage, Lead
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import DealershipFactory, SourceFactory, manager
from tests.inbound.test_ingest_pipeline import LABELLED


@pytest.fixture
def stuck(transactional_db):
    dealership = DealershipFactory(name="Ligier Store Doesburg")
    manager(dealership, username="marco", first_name="Marco")
    source = SourceFactory(
        dealership=dealership, name="Occasions", sender_patterns="occasions.example"
    )
    message = ingest.store_message(  # committed: the parse task runs (eagerly) and quarantines it
        channel="email",
        raw=LABELLED,
        dealership=dealership,
        sender="leads@occasions.example",
        subject="Aanvraag",
    )
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.QUARANTINED
    return message, source


def test_a_manager_adds_labels_in_the_browser_and_the_reparse_makes_the_lead(browser_page, stuck):  # noqa: F811
    page = browser_page
    message, source = stuck
    login(page, "marco")
    page.wait_for_url("**/leads/**")
    page.goto(page.base_url + "/leads/quarantine/")
    page.get_by_role("link", name="Aanvraag").click()
    page.wait_for_selector("text=Kontaktpersoon gegevens")
    shot(page, "manager-quarantined-message")
    page.get_by_role("link", name="Occasions").click()
    page.wait_for_url(f"**/leads/sources/{source.pk}/labels/")
    for label, field in (("Wie", "customer.full_name"), ("Bereikbaar", "customer.email")):
        page.fill("#id_label", label)
        page.select_option("#id_field", field)
        page.get_by_role("button", name="Add label").click()
        page.wait_for_selector(f"td:has-text('{label}')")
    page.get_by_role("button", name="Parse them again").click()
    page.wait_for_load_state()
    shot(page, "manager-labels-added")
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.PARSED
    assert Lead.objects.get().customer.email == "piet.pieterse@example.nl"
    page.goto(page.base_url + "/leads/")
    page.wait_for_selector("text=Piet Pieterse")


OUT_OF_OFFICE_ON_A_LEAD = b"""From: Sander Mulder <sander.mulder@example.nl>
To: dealer@leads.test
Subject: Afwezig: Vraag over de Ligier JS50
Message-ID: <ooo-browser@example.nl>
Date: Tue, 20 Oct 2026 09:12:40 +0200
Content-Type: text/plain; charset=utf-8

Naam: Sander Mulder
Telefoon: 06 41 22 90 17
Vraag: staat de JS50 nog te koop?
"""


@pytest.fixture
def refused(transactional_db):
    dealership = DealershipFactory(name="Ligier Store Doesburg")
    manager(dealership, username="marco", first_name="Marco")
    message = ingest.store_message(
        channel="email",
        raw=OUT_OF_OFFICE_ON_A_LEAD,
        dealership=dealership,
        sender="sander.mulder@example.nl",
        subject="Afwezig: Vraag over de Ligier JS50",
    )
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.NOT_A_LEAD
    return message


def test_a_manager_finds_a_refused_message_and_says_it_is_a_lead(browser_page, refused):  # noqa: F811
    page = browser_page
    login(page, "marco")
    page.wait_for_url("**/leads/**")
    page.goto(page.base_url + "/leads/quarantine/")
    page.get_by_role("link", name="Not a lead").click()
    page.wait_for_selector("text=sander.mulder@example.nl")
    page.wait_for_selector("text=Auto-reply (subject: Afwezig: Vraag over de Ligier JS50)")
    shot(page, "manager-not-a-lead-list")
    page.get_by_role("link", name="Afwezig: Vraag over de Ligier JS50").click()
    page.get_by_role("button", name="This is a lead").click()
    page.wait_for_selector("text=The message is being parsed again as a lead.")
    shot(page, "manager-this-is-a-lead")
    refused.refresh_from_db()
    assert refused.status == InboundMessage.Status.PARSED
    assert Lead.objects.get().customer.full_name == "Sander Mulder"
    assert refused.log.filter(action="is_a_lead", actor__username="marco").exists()
