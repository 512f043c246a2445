"""CSV export of a lead list: the common columns, plus the ones that fit the lead type. UTF-8
with a byte-order mark (Excel reads the accents), headers in the reader's language, every time in
the lead's dealership's time zone."""

import csv
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from core import csvsafe
from leads.models import Lead, LeadType


def _local(lead: Lead, moment) -> str:
    """Every time in the file in the lead's dealership's own time zone, with its offset."""
    return moment.astimezone(lead.dealership.tz).isoformat() if moment else ""


COMMON = [
    (_("number"), lambda lead: lead.pk),
    (_("received"), lambda lead: _local(lead, lead.received_at)),
    (_("dealership"), lambda lead: lead.dealership.name),
    (_("source"), lambda lead: lead.source.name if lead.source else ""),
    (_("type"), lambda lead: lead.lead_type),
    (_("status"), lambda lead: lead.status),
    (_("passive"), lambda lead: "yes" if lead.is_passive else "no"),
    (_("salesperson"), lambda lead: str(lead.assigned_to or "")),
    (_("customer"), lambda lead: lead.customer.full_name),
    (_("e-mail"), lambda lead: lead.customer.email),
    (_("phone"), lambda lead: lead.customer.primary_phone),
    (_("postal code"), lambda lead: lead.customer.postal_code),
    (_("vehicle"), lambda lead: str(lead.vehicle or "")),
    (_("new or used"), lambda lead: lead.vehicle.condition if lead.vehicle else ""),
    (_("first contact"), lambda lead: _local(lead, lead.first_contact_at)),
]
TRADE_IN = [
    (_("trade-in"), lambda lead: str(lead.trade_in or "")),
    (_("trade-in mileage (km)"), lambda lead: lead.trade_in.mileage_km if lead.trade_in else ""),
    (_("trade-in registration"), lambda lead: lead.trade_in.registration if lead.trade_in else ""),
]
APPOINTMENT = [(_("appointment"), lambda lead: _local(lead, lead.appointment_at))]
PRICE = [
    (
        _("price"),
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
ALL = COMMON + PRICE + APPOINTMENT + TRADE_IN + [(_("lost reason"), lambda lead: lead.lost_reason)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def columns_for(lead_type: str | None) -> list:
    return BY_TYPE.get(lead_type, COMMON) if lead_type else ALL


def header(lead_type: str | None) -> list[str]:
    """The column titles in the active language. Made before streaming starts: the rows are
    written after the view returned, when the request's language may no longer be active."""
    return [str(label) for label, _get in columns_for(lead_type)]


def rows(leads: Iterable[Lead], lead_type: str | None, titles: list[str]) -> Iterator[str]:
    """CSV lines, streamed: an export of thousands of leads never sits in memory at once."""
    columns = columns_for(lead_type)
    writer = csv.writer(_Echo())
    yield csvsafe.BOM + writer.writerow(csvsafe.row(titles))
    for lead in leads:
        yield writer.writerow(csvsafe.row([get(lead) for _label, get in columns]))
