"""The front door to the inbox, in a real browser: a portal's e-mail reaches the inbound webhook
over HTTP, a real Celery worker parses and distributes it, and the salesperson's open inbox shows
it without a reload."""

import requests

from leads.models import Lead
from tests import inbound_payloads as wire
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.conftest import wait_for
from tests.factories import DealershipFactory, SourceFactory, salesperson

TO = "doesburg@leads.dealerlms.example"


class OverHttp:
    """The provider's side of the wire: the payload helpers' `client.post` sent as real HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def post(self, path: str, data, content_type: str | None = None, **extra):
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in extra.items()
            if key.startswith("HTTP_")
        }
        if content_type:
            headers["Content-Type"] = content_type
        return requests.post(self.base_url + path, data=data, headers=headers, timeout=10)


def test_a_webhook_lead_appears_in_the_open_inbox_without_reload(
    browser_page,  # noqa: F811
    live_worker,
    settings,
):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    page = browser_page
    dealership = DealershipFactory(name="Ligier Store Doesburg", inbound_address=TO)
    dealership.opening_hours.all().delete()  # open around the clock: nobody is off shift
    from dealers.models import OpeningHours

    OpeningHours.objects.bulk_create(
        OpeningHours(dealership=dealership, weekday=d, opens="00:00", closes="23:59:59")
        for d in range(7)
    )
    SourceFactory(dealership=dealership, name="Marktplaats", sender_patterns="portal.example")
    seller = salesperson(dealership, username="sanne", first_name="Sanne")

    login(page, "sanne")
    page.wait_for_selector("text=No open leads")
    shot(page, "inbox-before-the-lead")

    raw = wire.email_to(wire.sample("adf-tradein.eml"), TO)
    response = wire.mailgun(OverHttp(page.base_url), raw, TO)
    assert response.status_code == 200

    lead = wait_for(lambda: Lead.objects.filter(assigned_to=seller).first(), timeout=20)
    # No navigation: the inbox's own polling brings the lead in, with the new-lead signal.
    page.wait_for_selector("text=Joop Jansen", timeout=25_000)
    assert page.locator(".new-lead").count() == 1
    assert page.url.endswith("/leads/mine/")
    shot(page, "inbox-after-the-webhook")
    assert lead.customer.full_name == "Joop Jansen"
