"""Integrations in a real browser at phone width: a manager adds a forwarding to the DMS, sees a
failed delivery with the DMS's answer, sends it again once the DMS is back, and makes a token."""

import pytest

from integrations import services
from integrations.models import Delivery
from leads import services as lead_services
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerFactory, DealershipFactory, SourceFactory, manager


@pytest.fixture
def shop(transactional_db):
    dealership = DealershipFactory(name="Autobedrijf Van der Linden Zutphen", language="nl")
    return {
        "dealership": dealership,
        "source": SourceFactory(dealership=dealership, name="Marktplaats"),
        "boss": manager(dealership, username="marco", first_name="Marco"),
    }


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_manager_forwards_leads_and_resends_a_failed_one(browser_page, shop, receiving_system):  # noqa: F811
    page = browser_page
    login(page, "marco")
    page.goto(page.base_url + "/settings/integrations/")
    page.get_by_role("link", name="Add a forwarding").click()
    page.fill("#id_name", "DMS Autoline")
    page.select_option("#id_format", "adf")
    page.select_option("#id_transport", "http")
    page.fill("#id_url", receiving_system.url)
    shot(page, "integrations-forwarding-form")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Signing secret")

    receiving_system.answers = [(503, "Autoline maintenance window")] * services.MAX_ATTEMPTS
    lead_services.create_lead(
        dealership=shop["dealership"],
        source=shop["source"],
        customer=CustomerFactory(
            dealership=shop["dealership"], full_name="Jan Willem van der Berg-Schoonhoven"
        ),
    )
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED)
    page.reload()
    page.wait_for_selector("text=Autoline maintenance window")
    no_sideways_scroll(page)
    shot(page, "integrations-deliveries-failed")

    receiving_system.answers = []
    page.get_by_role("button", name="Send again").click()
    page.wait_for_selector(f"#delivery-{delivery.pk} >> text=Delivered")
    shot(page, "integrations-deliveries-resent")
    assert b"<adf>" in receiving_system.received[-1]["body"]


def test_a_manager_makes_a_token_and_sees_it_once(browser_page, shop):  # noqa: F811
    page = browser_page
    login(page, "marco")
    page.goto(page.base_url + "/settings/integrations/tokens/new/")
    page.fill("#id_name", "Groeps-CRM")
    page.check("#id_can_report_sales")
    page.get_by_role("button", name="Make the token").click()
    token = page.inner_text("#token")
    assert services.token_for(token).can_report_sales
    no_sideways_scroll(page)
    shot(page, "integrations-token-made")
    page.goto(page.base_url + "/settings/integrations/")
    assert token not in page.content()
    no_sideways_scroll(page)
    shot(page, "integrations-index")
