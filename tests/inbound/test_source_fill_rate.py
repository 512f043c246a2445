"""The sources page shows, per source, how completely its messages are read, and flags a source
whose fill rate dropped: a portal that changed its e-mails is noticed within a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from inbound.source_views import fill_rates
from leads.models import InboundMessage
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import DealershipFactory, InboundMessageFactory, SourceFactory, person

Status = InboundMessage.Status


def _lead(*, name="Jan de Vries", email="jan@example.nl", phone="+31612345678", make="Opel"):
    return {
        "customer": {
            "full_name": name,
            "email": email,
            "phones": [{"number": phone, "kind": "mobile"}] if phone else [],
        },
        "vehicle": {"make": make, "model": None} if make else None,
    }


def _messages(source, *, hours_ago: float, count: int, status=Status.PARSED, **fields) -> None:
    at = timezone.now() - timedelta(hours=hours_ago)
    for _ in range(count):
        InboundMessageFactory(
            dealership=source.dealership,
            source=source,
            received_at=at,
            status=status,
            parsed=_lead(**fields) if status in (Status.PARSED, Status.MERGED) else None,
        )


@pytest.mark.django_db
def test_a_source_whose_phones_vanished_is_flagged_in_one_query(dealership):
    portal = SourceFactory(dealership=dealership, name="AutoScout24")
    steady = SourceFactory(dealership=dealership, name="Website")
    _messages(portal, hours_ago=72, count=10)  # the week before: everything read
    _messages(portal, hours_ago=3, count=3, phone=None)  # today: the phone is gone
    _messages(portal, hours_ago=2, count=1, status=Status.MERGED, phone=None)
    _messages(steady, hours_ago=100, count=6, make=None)  # no vehicles, then or now
    _messages(steady, hours_ago=5, count=2, make=None)
    _messages(portal, hours_ago=24 * 9, count=5, phone=None)  # too old to count

    with CaptureQueriesContext(connection) as queries:
        rates = {r.source.name: r for r in fill_rates([portal, steady])}
    assert len(queries) == 1

    autoscout = rates["AutoScout24"]
    assert (autoscout.recent.messages, autoscout.recent.leads) == (4, 4)
    assert (autoscout.before.messages, autoscout.before.leads) == (10, 10)
    assert autoscout.recent.share("phone") == 0 and autoscout.before.share("phone") == 100
    assert autoscout.recent.share("name") == 100 and autoscout.recent.share("vehicle") == 100
    assert autoscout.dropped == ["phone"]
    website = rates["Website"]
    assert website.recent.share("vehicle") == 0 and website.dropped == []


@pytest.mark.django_db
def test_a_source_whose_messages_stopped_being_read_is_flagged(dealership):
    portal = SourceFactory(dealership=dealership, name="mobile.de")
    _messages(portal, hours_ago=50, count=8)
    _messages(portal, hours_ago=4, count=3, status=Status.QUARANTINED)
    (rate,) = fill_rates([portal])
    assert (rate.recent.messages, rate.recent.leads, rate.recent.read_share) == (3, 0, 0)
    assert rate.recent.share("name") is None
    assert rate.dropped == ["read"]


@pytest.mark.django_db
def test_too_few_messages_are_not_flagged(dealership):
    portal = SourceFactory(dealership=dealership, name="Marktplaats")
    _messages(portal, hours_ago=50, count=3)
    _messages(portal, hours_ago=4, count=3, phone=None)
    assert fill_rates([portal])[0].dropped == []


@pytest.mark.django_db
def test_the_sources_page_shows_the_report_for_the_managers_own_dealerships(client, dealership):
    portal = SourceFactory(dealership=dealership, name="AutoScout24")
    _messages(portal, hours_ago=30, count=6)
    _messages(portal, hours_ago=1, count=2, email=None)
    elsewhere = SourceFactory(dealership=DealershipFactory(), name="Gaspedaal elsewhere")
    _messages(elsewhere, hours_ago=1, count=2)

    client.force_login(person(Role.MANAGER, dealership))
    page = client.get(reverse("settings:sources")).content.decode()
    report = page[page.index('id="fill-rate"') :]
    assert "AutoScout24" in report and "Gaspedaal elsewhere" not in report
    assert "Dropped: check this source" in report
    assert "0 %" in report and "(100 %)" in report


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.BDC_AGENT])
def test_only_managers_see_the_report(client, dealership, role):
    portal = SourceFactory(dealership=dealership, name="AutoScout24")
    _messages(portal, hours_ago=1, count=2)
    client.force_login(person(role, dealership))
    assert client.get(reverse("settings:sources")).status_code == 403


@pytest.fixture
def report_data(transactional_db):
    dealership = DealershipFactory(name="Autobedrijf Van den Heuvel-Vermeulen Doesburg")
    person(Role.MANAGER, dealership, username="marco")
    portal = SourceFactory(dealership=dealership, name="AutoScout24 België (Nederlandstalig)")
    _messages(portal, hours_ago=40, count=9)
    _messages(portal, hours_ago=2, count=3, phone=None, make=None)
    return portal


def test_the_report_fits_a_phone(browser_page, report_data):  # noqa: F811
    page = browser_page
    login(page, "marco")
    page.wait_for_url("**/leads/**")
    page.goto(page.base_url + reverse("settings:sources"))
    page.wait_for_selector("#fill-rate")
    page.wait_for_selector("text=Dropped: check this source's e-mails")
    shot(page, "manager-source-fill-rate")
    assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
