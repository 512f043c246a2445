"""Builders the distribution tests share: a lead created the way the app creates one, and a
moment when the test dealership (Mon–Sat 9:00–18:00, Amsterdam) is open or closed."""

from datetime import datetime
from zoneinfo import ZoneInfo

from leads import services
from leads.models import LeadVehicle
from tests.factories import CustomerFactory

AMS = ZoneInfo("Europe/Amsterdam")
OPEN = datetime(2026, 3, 3, 10, 0, tzinfo=AMS)  # a Tuesday morning
CLOSED = datetime(2026, 3, 3, 22, 0, tzinfo=AMS)  # the same Tuesday, at night


def new_lead(dealership, *, source=None, at=OPEN, passive=None, condition="new", **kwargs):
    """A lead through leads.services.create_lead, as ingestion makes one. Its routing job is
    queued on commit: inside a test transaction it does not run unless the test asks."""
    vehicle = kwargs.pop("vehicle", None) or LeadVehicle(
        condition=condition, make="Ligier", model="JS50"
    )
    return services.create_lead(
        dealership=dealership,
        customer=CustomerFactory(dealership=dealership),
        source=source,
        vehicle=vehicle,
        is_passive=passive,
        received_at=at,
        **kwargs,
    )
