"""CSV export of a lead list: the common columns, plus the ones that fit the lead type."""

import csv
from collections.abc import Iterable, Iterator

from core import csvsafe
from leads.models import Lead, LeadType


def _local(lead: Lead, moment) -> str:
    """Every time in the file in the lead's dealership's own time zone, with its offset."""
    return moment.astimezone(lead.dealership.tz).isoformat() if moment else ""


COMMON = [
    ("id", lambda lead: lead.pk),
    ("received_at", lambda lead: _local(lead, lead.received_at)),
    ("dealership", lambda lead: lead.dealership.name),
    ("source", lambda lead: lead.source.name if lead.source else ""),
    ("type", lambda lead: lead.lead_type),
    ("status", lambda lead: lead.status),
    ("passive", lambda lead: "yes" if lead.is_passive else "no"),
    ("salesperson", lambda lead: str(lead.assigned_to or "")),
    ("customer", lambda lead: lead.customer.full_name),
    ("email", lambda lead: lead.customer.email),
    ("phone", lambda lead: lead.customer.primary_phone),
    ("postal_code", lambda lead: lead.customer.postal_code),
    ("vehicle", lambda lead: str(lead.vehicle or "")),
    ("condition", lambda lead: lead.vehicle.condition if lead.vehicle else ""),
    ("first_contact_at", lambda lead: _local(lead, lead.first_contact_at)),
]
TRADE_IN = [
    ("trade_in", lambda lead: str(lead.trade_in or "")),
    ("trade_in_mileage_km", lambda lead: lead.trade_in.mileage_km if lead.trade_in else ""),
    ("trade_in_registration", lambda lead: lead.trade_in.registration if lead.trade_in else ""),
]
APPOINTMENT = [("appointment_at", lambda lead: _local(lead, lead.appointment_at))]
PRICE = [
    (
        "price",
        lambda lead: lead.vehicle.price if lead.vehicle and lead.vehicle.price is not None else "",
    )
]

BY_TYPE = {
    LeadType.TRADE_IN: COMMON + TRADE_IN,
    LeadType.TEST_DRIVE: COMMON + APPOINTMENT,
    LeadType.APPOINTMENT: COMMON + APPOINTMENT,
    LeadType.QUOTE: COMMON + PRICE + TRADE_IN,
    LeadType.FINANCE: COMMON + PRICE,
}
ALL = COMMON + PRICE + APPOINTMENT + TRADE_IN + [("lost_reason", lambda lead: lead.lost_reason)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def columns_for(lead_type: str | None) -> list:
    return BY_TYPE.get(lead_type, COMMON) if lead_type else ALL


def rows(leads: Iterable[Lead], lead_type: str | None) -> Iterator[str]:
    """CSV lines, streamed: an export of thousands of leads never sits in memory at once."""
    columns = columns_for(lead_type)
    writer = csv.writer(_Echo())
    yield csvsafe.BOM + writer.writerow([name for name, _get in columns])
    for lead in leads:
        yield writer.writerow(csvsafe.row([get(lead) for _name, get in columns]))
