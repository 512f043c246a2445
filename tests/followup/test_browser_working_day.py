"""A salesperson's day on a phone: Today shows the overdue call, the lead page plans a call-back
and finishes the call in place (htmx), the calendar offers the invitation; a BDC agent imports a
list and finds it in the BDC queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from followup.models import Task
from leads import services as lead_services
from leads.models import Lead
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerFactory, DealershipFactory, person, salesperson


@pytest.fixture
def shop(transactional_db):
    dealership = DealershipFactory(name="Autohuis Jansen Apeldoorn", opening_hours=False)
    sanne = salesperson(dealership, username="sanne", first_name="Sanne")
    lead_services.create_lead(
        dealership=dealership,
        customer=CustomerFactory(dealership=dealership, full_name="Willemijn Oosterhuis-Brink"),
        received_at=timezone.now() - timedelta(hours=2),
    )
    return {"dealership": dealership, "sanne": sanne}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_day_of_a_salesperson(browser_page, shop):  # noqa: F811
    page = browser_page
    login(page, "sanne")
    page.goto(page.base_url + "/followup/today/")
    page.wait_for_selector("#overdue-h >> text=Overdue (1)")
    fits(page)
    shot(page, "followup-today")
    page.get_by_role("link", name="Willemijn Oosterhuis-Brink").first.click()
    page.wait_for_selector("#next-actions")
    page.locator("#next-actions select[name=outcome]").first.select_option("no_answer")
    page.locator("#next-actions button", has_text="Done").first.click()
    # The day-0 call is done: the cadence's next call (tomorrow) replaces it, no longer overdue.
    page.wait_for_selector("#next-actions >> text=overdue", state="detached")
    page.locator("#next-actions summary").click()
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#plan-due_at", when)
    page.fill("#plan-note", "Belt terug na zijn dienst")
    page.locator("#next-actions button", has_text="Plan").click()
    page.wait_for_selector("#next-actions >> text=Belt terug na zijn dienst")
    fits(page)
    shot(page, "followup-lead-next-actions")
    lead = Lead.objects.get()
    assert lead.first_attempt_at is not None
    assert Task.objects.filter(lead=lead, state="open", note="Belt terug na zijn dienst").exists()


def test_a_bdc_agent_imports_a_list(browser_page, shop, tmp_path):  # noqa: F811
    person(Role.BDC_AGENT, shop["dealership"], username="bram")
    csv_file = tmp_path / "apk-klanten.csv"
    csv_file.write_text(
        "Naam;E-mail;Telefoon;Kenteken\nGerrit Veenstra;gerrit@example.nl;0612341234;AB-123-C\n"
        "Zonder Gegevens;;;\n",
        encoding="utf-8",
    )
    page = browser_page
    login(page, "bram")
    page.goto(page.base_url + "/leads/import/")
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_role("button", name="Read the file").click()
    page.wait_for_selector("text=2 rows: 1 new, 0 duplicates, 1 with errors.")
    fits(page)
    shot(page, "leads-import-preview")
    page.get_by_role("button", name="Import 1 lead").click()
    page.wait_for_selector("text=1 lead is in the BDC queue.")
    page.get_by_role("link", name="BDC queue").last.click()
    page.wait_for_selector("text=Gerrit Veenstra")
    shot(page, "leads-import-bdc-queue")
