"""A portal's lead e-mail through the real pipeline: its template names the source, the lead
keeps the enquiry's id, the ad number and the dealer's stock number apart, and the fill-rate
report counts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from inbound import ingest
from inbound.source_views import fill_rates
from tests.factories import DealershipFactory, SourceFactory

PORTAL = Path(__file__).resolve().parents[1] / "leadparser" / "corpus" / "portal"


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    def store(name: str, dealership, sender: str):
        with django_capture_on_commit_callbacks(execute=True):
            message = ingest.store_message(
                channel="email", raw=(PORTAL / name).read_bytes(), dealership=dealership,
                sender=sender,
            )  # fmt: skip
        message.refresh_from_db()
        return message

    return store


@pytest.mark.django_db
def test_a_portal_lead_finds_its_source_by_the_portals_own_name(deliver):
    dealership = DealershipFactory(country="DE")
    autoscout = SourceFactory(dealership=dealership, name="AutoScout24")

    message = deliver("autoscout24-de.eml", dealership, "noreply@autoscout24.de")

    lead = message.lead
    assert message.source == autoscout and lead.source == autoscout
    assert lead.external_id == "b2c4e6f8-1a3c-4e5f-9a0b-2c4d6e8f0a1b"
    assert lead.vehicle.make == "Mercedes-Benz" and lead.vehicle.stock_number == "MB-4471"
    assert lead.customer.phones.get().number == "+49891234567"
    (rate,) = fill_rates([autoscout])
    assert (rate.recent.messages, rate.recent.leads, rate.recent.share("phone")) == (1, 1, 100)
