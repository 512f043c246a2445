"""In a real browser at 390 px: the salesperson sees the customer's e-mail reply on the lead page,
answers it in their own words (htmx, no page load), and the page stays as wide as the phone."""

import pytest
from django.core import mail

from leads import services
from leads.models import EventKind
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerPhoneFactory, LeadFactory, salesperson

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def shop(transactional_db):
    from tests.factories import DealershipFactory

    dealership = DealershipFactory(name="Ligier Store Doesburg")
    return {"dealership": dealership, "seller": salesperson(dealership, username="sanne")}


def test_a_salesperson_answers_a_customers_reply_on_a_phone(browser_page, shop):  # noqa: F811
    page = browser_page
    lead = LeadFactory(dealership=shop["dealership"], customer__full_name="Fatima el Amrani")
    CustomerPhoneFactory(customer=lead.customer, number="+31648765432")
    services.assign_lead(lead=lead, to=shop["seller"])
    services.record_event(
        lead=lead,
        kind=EventKind.MESSAGE_RECEIVED,
        channel="email",
        note="Is de Myli nog beschikbaar? " + "Zaterdagochtendbezoek" * 8,
        data={"from": lead.customer.email, "subject": "Re: Ligier Myli"},
    )
    login(page, "sanne")
    page.goto(f"{page.base_url}/leads/mine/")
    page.wait_for_selector(".flag.unanswered")
    page.goto(f"{page.base_url}/leads/{lead.pk}/")
    page.wait_for_selector("#conversation >> text=Is de Myli nog beschikbaar?")
    assert page.evaluate(FITS)
    page.fill("#id_reply-text", "Ja, zaterdag om 10 uur staat hij klaar.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_selector("#conversation >> text=Reply queued")
    page.wait_for_selector("#conversation >> text=Ja, zaterdag om 10 uur staat hij klaar.")
    assert page.evaluate(FITS)
    shot(page, "lead-page-conversation")
    # The dispatcher runs eagerly in tests once the request's transaction commits.
    (sent,) = [m for m in mail.outbox if m.to == [lead.customer.email]]
    assert sent.subject == "Re: Ligier Myli"
    lead.refresh_from_db()
    assert lead.customer_waiting_since is None
