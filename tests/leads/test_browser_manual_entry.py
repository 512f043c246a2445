"""Entering a walk-in on a phone: the duplicate warning appears while typing the phone number,
the car is picked from stock by search, and the lead opens, kept by the salesperson."""

import pytest

from leads.models import Lead
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import (
    CustomerFactory,
    CustomerPhoneFactory,
    DealershipFactory,
    StockVehicleFactory,
    salesperson,
)


@pytest.fixture
def shop(transactional_db):
    dealership = DealershipFactory(name="Garage Hendriks Deventer", opening_hours=False)
    known = CustomerFactory(dealership=dealership, full_name="Fleur de Graaf")
    CustomerPhoneFactory(customer=known, number="+31612345678")
    StockVehicleFactory(dealership=dealership, make="Peugeot", model="208", trim="Allure")
    return {"dealership": dealership, "sanne": salesperson(dealership, username="sanne")}


def test_a_walk_in_entered_on_a_phone(browser_page, shop):  # noqa: F811
    page = browser_page
    login(page, "sanne")
    page.get_by_role("button", name="Menu").click()  # the navigation folds away on a phone
    page.get_by_role("link", name="New lead").click()
    page.get_by_label("Walk-in").check()
    page.fill("#id_first_name", "Fleur")
    page.fill("#id_last_name", "de Graaf")
    page.fill("#id_phone", "06 1234 5678")
    page.wait_for_selector("#customer-matches >> text=Already known")
    page.fill("#stock-q", "208")
    page.get_by_label("Peugeot 208 Allure", exact=False).check()
    page.select_option("#id_lead_type", "test_drive")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "leads-new-walk-in")
    page.get_by_role("button", name="Enter the lead").click()
    page.wait_for_selector("text=entered")
    lead = Lead.objects.get()
    assert lead.assigned_to == shop["sanne"]
    assert lead.vehicle.model == "208"
    assert page.url.endswith(f"/leads/{lead.pk}/")
