"""A salesperson and a manager at work, in a real browser (phone-sized)."""

from pathlib import Path

import pytest
from django.utils import timezone

from leads import services
from leads.models import EventKind
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerPhoneFactory, LeadFactory, SourceFactory, manager, salesperson


@pytest.fixture
def shop(transactional_db):  # noqa: ANN001, ANN201
    from tests.factories import DealershipFactory

    dealership = DealershipFactory(name="Ligier Store Doesburg")
    return {
        "dealership": dealership,
        "seller": salesperson(dealership, username="sanne", first_name="Sanne"),
        "boss": manager(dealership, username="marco", first_name="Marco"),
        "portal": SourceFactory(dealership=dealership, name="AutoScout24"),
    }


def test_a_salesperson_calls_logs_and_books_a_test_drive(browser_page, shop):  # noqa: F811
    page = browser_page
    lead = LeadFactory(
        dealership=shop["dealership"],
        source=shop["portal"],
        customer__full_name="Fatima el Amrani",
        received_at=timezone.now(),
    )
    CustomerPhoneFactory(customer=lead.customer, number="+31648765432")
    services.assign_lead(lead=lead, to=shop["seller"])

    login(page, "sanne")
    page.wait_for_selector("text=Fatima el Amrani")
    shot(page, "salesperson-inbox")
    page.click("text=Fatima el Amrani")
    assert page.locator('a[href="tel:+31648765432"]').count() >= 1
    page.select_option("#id_channel", "phone")
    page.select_option("#id_outcome", "reached")
    page.get_by_role("button", name="Log", exact=True).click()
    page.wait_for_selector("text=Contact attempt logged.")
    page.fill("#id_at", "2026-12-05T10:30")
    page.select_option("#id_kind", "test_drive")
    page.get_by_role("button", name="Set appointment").click()
    page.wait_for_selector("text=Appointment set.")
    shot(page, "salesperson-lead-page")
    lead.refresh_from_db()
    assert lead.status == "appointment"
    assert lead.events.filter(kind=EventKind.CONTACT_ATTEMPT, outcome="reached").count() == 1


def test_a_manager_filters_and_exports(browser_page, shop):  # noqa: F811
    page = browser_page
    website = SourceFactory(dealership=shop["dealership"], name="Website", kind="website")
    LeadFactory(
        dealership=shop["dealership"], source=shop["portal"], customer__full_name="Joop Jansen"
    )
    LeadFactory(dealership=shop["dealership"], source=website, customer__full_name="Bram Hendriks")
    login(page, "marco")
    page.wait_for_selector("text=Joop Jansen")
    page.click("summary:has-text('Filter')")
    page.select_option("#id_source_kind", "website")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**source_kind=website**")
    assert page.locator("text=Bram Hendriks").count() == 1
    assert page.locator("text=Joop Jansen").count() == 0
    shot(page, "manager-filtered-list")
    with page.expect_download() as download:
        page.click("text=Export CSV")
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Bram Hendriks" in body and "Joop Jansen" not in body
