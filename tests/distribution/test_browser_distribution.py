"""Distribution in a real browser (phone-sized): a new lead lands in the round-robin's chosen
salesperson's inbox; the manager ticks leads on the lead list and gives them to someone; an
admin adds a rule with a weighted team."""

import pytest
from django.utils import timezone

from distribution.models import DistributionRule
from leads.models import EventKind
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.distribution_support import new_lead
from tests.factories import DealershipFactory, LeadFactory, manager, salesperson


@pytest.fixture
def shop(transactional_db):
    dealership = DealershipFactory(name="Ligier Store Doesburg", opening_hours=False, language="en")
    return {
        "dealership": dealership,
        "sanne": salesperson(dealership, username="sanne", first_name="Sanne", last_name="Bakker"),
        "daan": salesperson(dealership, username="daan", first_name="Daan", last_name="Smit"),
        "boss": manager(dealership, username="marco", first_name="Marco"),
    }


def test_a_new_lead_reaches_the_chosen_salesperson(browser_page, shop):  # noqa: F811
    page = browser_page
    # Created outside a test transaction: routing runs on commit (eager Celery in tests).
    lead = new_lead(shop["dealership"], at=timezone.now())
    lead.refresh_from_db()
    chosen = lead.assigned_to
    assert chosen in (shop["sanne"], shop["daan"])
    login(page, chosen.username)
    page.wait_for_selector(f"text={lead.customer}")
    shot(page, "distribution-inbox")


def test_the_manager_reassigns_ticked_leads_from_the_list(browser_page, shop):  # noqa: F811
    page = browser_page
    first = LeadFactory(dealership=shop["dealership"], customer__full_name="Joop Jansen")
    second = LeadFactory(dealership=shop["dealership"], customer__full_name="Bram Hendriks")
    login(page, "marco")
    page.wait_for_selector("text=Joop Jansen")
    page.get_by_label("Select Joop Jansen").check()
    page.get_by_label("Select Bram Hendriks").check()
    page.get_by_role("button", name="Reassign the ticked leads…").click()
    page.wait_for_selector("text=Reassign leads")
    page.select_option("#id_to", str(shop["daan"].pk))
    shot(page, "distribution-reassign")
    page.get_by_role("button", name="Reassign", exact=True).click()
    page.wait_for_selector("text=2 leads reassigned.")
    for lead in (first, second):
        lead.refresh_from_db()
        assert lead.assigned_to == shop["daan"]
        assert lead.events.get(kind=EventKind.ASSIGNED).actor == shop["boss"]


def test_the_manager_adds_a_rule_with_a_weighted_team(browser_page, shop):  # noqa: F811
    page = browser_page
    login(page, "marco")
    page.wait_for_selector("text=Log out")
    page.goto(page.base_url + "/settings/distribution/")
    page.wait_for_selector("text=Default: active leads")
    page.click("text=Add a rule")
    page.fill("#id_name", "Portals")
    page.select_option("#id_source_kind", "portal")
    page.check(f"#id_in_{shop['sanne'].pk}")
    page.fill(f"#id_weight_{shop['sanne'].pk}", "2")
    page.check(f"#id_in_{shop['daan'].pk}")
    shot(page, "distribution-rule-form")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("text=Rule saved.")
    shot(page, "distribution-rules")
    rule = DistributionRule.objects.get(name="Portals")
    assert dict(rule.members.values_list("user__username", "weight")) == {"sanne": 2, "daan": 1}
