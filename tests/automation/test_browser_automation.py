"""In a real browser (phone-sized): a salesperson previews a template for the lead (htmx) and sends
it; the bell in the header counts the new lead assigned to them."""

import pytest
from django.core import mail

from automation.models import ScheduledAction
from leads import services
from leads.models import EventKind
from tests.automation_helpers import template
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerPhoneFactory, LeadFactory, salesperson


@pytest.fixture
def shop(transactional_db):
    from tests.factories import DealershipFactory

    dealership = DealershipFactory(name="Ligier Store Doesburg")
    return {"dealership": dealership, "seller": salesperson(dealership, username="sanne")}


def test_a_salesperson_previews_and_sends_a_template(browser_page, shop):  # noqa: F811
    page = browser_page
    lead = LeadFactory(dealership=shop["dealership"], customer__full_name="Fatima el Amrani")
    CustomerPhoneFactory(customer=lead.customer, number="+31648765432")
    services.assign_lead(lead=lead, to=shop["seller"])
    hello = template(shop["dealership"])
    login(page, "sanne")
    page.wait_for_selector("#bell .badge")
    assert page.locator("#bell .badge").inner_text() == "1"
    # The bell is drawn, not an emoji a phone or browser may lack the font for; a thumb's target.
    icon = page.locator("#bell svg.bell-icon").bounding_box()
    bell = page.locator("#bell").bounding_box()
    assert icon["width"] >= 16 and bell["width"] >= 44 and bell["height"] >= 44
    page.goto(f"{page.base_url}/leads/{lead.pk}/")
    page.select_option("#id_message-template", str(hello.pk))
    page.wait_for_selector("#message-preview >> text=Beste Fatima el Amrani")
    shot(page, "lead-page-message-preview")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("text=Message queued")
    action = ScheduledAction.objects.get(kind="manual")
    assert action.channel == "email" and action.created_by == shop["seller"]
    # The dispatcher runs eagerly in tests once the request's transaction commits.
    assert any(m.to == [lead.customer.email] for m in mail.outbox)
    assert lead.events.filter(kind=EventKind.MESSAGE_SENT).count() == 1
    page.reload()
    assert page.locator("text=Message sent").count() >= 1
    shot(page, "lead-page-message-sent")
