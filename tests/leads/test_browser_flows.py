"""A salesperson and a manager at work, in a real browser (phone-sized)."""

from pathlib import Path

import pytest
from django.utils import timezone

from leads import services
from leads.models import EventKind
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerPhoneFactory, LeadFactory, SourceFactory, manager, salesperson


@pytest.fixture
def shop(transactional_db):
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


def test_a_manager_reads_the_dashboard_on_a_phone_and_drills_down(browser_page, shop):  # noqa: F811
    """390 px wide: the page never scrolls sideways, each table row reads as a card of labelled
    figures, the chart is drawn, a figure opens its leads and a table downloads as CSV."""
    page = browser_page
    lead = LeadFactory(
        dealership=shop["dealership"], source=shop["portal"], customer__full_name="Joop Jansen"
    )
    services.assign_lead(lead=lead, to=shop["seller"])
    login(page, "marco")
    page.wait_for_selector("text=Joop Jansen")
    page.goto(page.base_url + "/dashboards/")
    page.wait_for_selector("#table-source")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"], wide
    cell = page.locator("#table-source td").first
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Leads"'
    box = page.locator("#table-source tbody tr").first.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    assert page.locator("ol.funnel progress").count() == 5
    funnel = page.locator("ol.funnel").bounding_box()
    assert funnel["width"] <= page.viewport_size["width"]
    shot(page, "manager-dashboard-phone")
    with page.expect_download() as download:
        page.locator("#table-source a", has_text="CSV").click()
    assert "AutoScout24" in Path(download.value.path()).read_text(encoding="utf-8")
    page.locator("#table-source tbody tr").first.locator("td a").first.click()
    page.wait_for_url("**/dashboards/leads/**")
    assert page.locator("text=Joop Jansen").count() == 1
    shot(page, "manager-dashboard-drill-down")
