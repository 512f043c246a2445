"""A lead as other systems read it: the DealerLMS lead contract as JSON (the same shape the parsers
produce, tests/samples/contracts/lead.schema.json) or ADF 1.0 XML, which most dealer management
systems and CRMs import. Both are built from the stored lead, never from the raw message."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from leads.models import Lead, LeadType, LeadVehicle

# ADF's interest for our lead types: a lead about a car is "buy", a test drive "test-drive".
_ADF_INTEREST = {LeadType.TEST_DRIVE: "test-drive"}


def _local_iso(lead: Lead, moment) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(lead.dealership.time_zone)).isoformat(timespec="seconds")


def _vehicle(vehicle: LeadVehicle | None) -> dict | None:
    if vehicle is None:
        return None
    price = None
    if vehicle.price is not None:
        price = {"amount": f"{vehicle.price:.2f}", "currency": vehicle.currency or "EUR"}
    return {
        "condition": vehicle.condition or None,
        "year": vehicle.year,
        "make": vehicle.make or None,
        "model": vehicle.model or None,
        "trim": vehicle.trim or None,
        "vin": vehicle.vin or None,
        "stock_number": vehicle.stock_number or None,
        "registration": vehicle.registration or None,
        "price": price,
        "mileage_km": vehicle.mileage_km,
    }


def lead_contract(lead: Lead) -> dict:
    """The lead as the normalized-lead contract, with our own ids and state in `extra`."""
    customer = lead.customer
    extra = {
        "dealerlms_lead_id": str(lead.pk),
        "dealership": lead.dealership.name,
        "status": lead.status,
    }
    if lead.assigned_to_id:
        extra["salesperson"] = lead.assigned_to.get_full_name() or lead.assigned_to.get_username()
    return {
        "format": "json",
        "source": lead.source.name if lead.source_id else None,
        "external_id": lead.external_id or None,
        "lead_type": lead.lead_type,
        "requested_at": _local_iso(lead, lead.received_at),
        "appointment_at": _local_iso(lead, lead.appointment_at),
        "customer": {
            "first_name": customer.first_name or None,
            "last_name": customer.last_name or None,
            "full_name": customer.full_name or None,
            "email": customer.email or None,
            "phones": [{"number": p.number, "kind": p.kind} for p in customer.phones.all()],
            "street": customer.street or None,
            "postal_code": customer.postal_code or None,
            "city": customer.city or None,
            "country": customer.country or None,
            "preferred_contact": customer.preferred_contact or None,
        },
        "vehicle": _vehicle(lead.vehicle),
        "trade_in": _vehicle(lead.trade_in),
        "comments": lead.comments or None,
        "extra": extra,
    }


def lead_json(lead: Lead) -> bytes:
    return json.dumps(lead_contract(lead), ensure_ascii=False, indent=2).encode()


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})
    if text not in (None, ""):
        element.text = str(text)
    return element


def _adf_vehicle(prospect: ET.Element, vehicle: LeadVehicle, interest: str) -> None:
    node = _sub(prospect, "vehicle", interest=interest, status=vehicle.condition or "")
    for tag, value in (
        ("year", vehicle.year),
        ("make", vehicle.make),
        ("model", vehicle.model),
        ("vin", vehicle.vin),
        ("stock", vehicle.stock_number),
        ("trim", vehicle.trim),
    ):
        if value:
            _sub(node, tag, value)
    if vehicle.mileage_km is not None:
        _sub(node, "odometer", vehicle.mileage_km, units="km")
    if vehicle.registration:
        _sub(node, "comments", f"Registration: {vehicle.registration}")
    if vehicle.price is not None:
        _sub(
            node, "price", f"{vehicle.price:.2f}", type="asking", currency=vehicle.currency or "EUR"
        )


def lead_adf(lead: Lead) -> bytes:
    """ADF 1.0: one prospect with the vehicle of interest, the trade-in, the customer, the
    dealership as vendor and the lead's source as provider."""
    adf = ET.Element("adf")
    prospect = _sub(adf, "prospect", status="new")
    _sub(
        prospect,
        "id",
        lead.external_id or lead.pk,
        sequence="1",
        source=lead.source.name if lead.source_id else "DealerLMS",
    )
    _sub(prospect, "id", lead.pk, sequence="2", source="DealerLMS")
    _sub(prospect, "requestdate", _local_iso(lead, lead.received_at))
    if lead.vehicle_id:
        _adf_vehicle(prospect, lead.vehicle, _ADF_INTEREST.get(lead.lead_type, "buy"))
    if lead.trade_in_id:
        _adf_vehicle(prospect, lead.trade_in, "trade-in")
    customer = lead.customer
    contact = _sub(_sub(prospect, "customer"), "contact")
    if customer.first_name:
        _sub(contact, "name", customer.first_name, part="first")
    if customer.last_name:
        _sub(contact, "name", customer.last_name, part="last")
    if customer.full_name and not (customer.first_name or customer.last_name):
        _sub(contact, "name", customer.full_name, part="full")
    if customer.email:
        _sub(contact, "email", customer.email)
    for phone in customer.phones.all():
        kind = {"mobile": "cellphone", "fax": "fax"}.get(phone.kind, "voice")
        _sub(contact, "phone", phone.number, type=kind)
    if customer.street or customer.city or customer.postal_code:
        address = _sub(contact, "address")
        _sub(address, "street", customer.street, line="1")
        _sub(address, "city", customer.city)
        _sub(address, "postalcode", customer.postal_code)
        _sub(address, "country", customer.country)
    customer_node = prospect.find("customer")
    if lead.comments:
        _sub(customer_node, "comments", lead.comments)
    vendor = _sub(prospect, "vendor")
    _sub(vendor, "vendorname", lead.dealership.name)
    if lead.assigned_to_id:
        person = lead.assigned_to.get_full_name() or lead.assigned_to.get_username()
        _sub(_sub(vendor, "contact"), "name", person, part="full")
    provider = _sub(prospect, "provider")
    _sub(provider, "name", lead.source.name if lead.source_id else "DealerLMS", part="full")
    _sub(provider, "service", "DealerLMS")
    ET.indent(adf)
    body = ET.tostring(adf, encoding="unicode")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?adf version="1.0"?>\n' + body + "\n"
    ).encode()


def render(lead: Lead, fmt: str) -> tuple[bytes, str]:
    """The payload and its content type for a forwarding's format."""
    if fmt == "adf":
        return lead_adf(lead), "application/xml; charset=utf-8"
    return lead_json(lead), "application/json; charset=utf-8"
