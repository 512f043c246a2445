"""ADF 1.0 (Auto-lead Data Format) XML, wherever it sits in a message.

Parsed with defusedxml and DTDs forbidden outright: a lead has no use for a DTD, and refusing it
stops entity expansion (billion laughs) and external entities (local file reads) before they start.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from leadparser.builder import LeadBuilder
from leadparser.dates import parse_when, zone_for
from leadparser.errors import HostileInput, MalformedInput
from leadparser.html_text import html_to_text
from leadparser.message import Message
from leadparser.mime import decode_bytes
from leadparser.normalize import clean, collapse_ws, find_registration, fold

_ADF_START = re.compile(r"<adf[\s>/]", re.IGNORECASE)
_ADF_END = re.compile(r"</adf\s*>", re.IGNORECASE)
_PROLOG_JUNK = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>|\s+", re.S | re.I)
_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_PRICE_PREFERENCE = ("asking", "offer", "quote", "msrp", "invoice", "appraisal", "call")
_INTEREST_TYPE = {"test-drive": "test_drive", "testdrive": "test_drive", "test drive": "test_drive"}
_TRADE_INTERESTS = {"trade-in", "tradein", "trade in", "sell"}


# -- finding the ADF ------------------------------------------------------------------------------
def find_block(text: str) -> tuple[str, int] | None:
    """The ADF document inside ``text`` (from its XML prolog to ``</adf>``) and its first line."""
    start_match = _ADF_START.search(text)
    if not start_match:
        return None
    adf_at = start_match.start()
    start = adf_at
    for marker in re.finditer(r"<\?xml|<!DOCTYPE", text[:adf_at], re.I):
        if not _PROLOG_JUNK.sub("", text[marker.start() : adf_at]):
            start = marker.start()
            break
    end_match = _ADF_END.search(text, adf_at)
    end = end_match.end() if end_match else len(text)
    return text[start:end], text.count("\n", 0, start)


def _candidates(message: Message) -> Iterator[tuple[str, str, int]]:
    if message.bare_kind == "xml" and message.bare is not None:
        text = _xml_text(message.bare, message)
        yield "document", *(find_block(text) or (text, 0))
        return
    for text in message.texts:
        block = find_block(text)
        if block:
            yield "text part", *block
    for html in message.htmls:
        # Raw <adf> tags in HTML, else ADF shown to people as text (&lt;adf&gt;...).
        block = find_block(html) or find_block(html_to_text(html))
        if block:
            yield "HTML part", *block
    for attachment in message.attachments:
        if re.search(rb"<adf[\s>/]", attachment.content, re.IGNORECASE):
            block = find_block(_xml_text(attachment.content, message))
            if block:
                yield attachment.filename or "attachment", *block


def _xml_text(data: bytes, message: Message) -> str:
    """Bytes to text by the XML declaration (ISO-8859-1 read as windows-1252, like browsers)."""
    declared = _DECLARED.match(data[:300])
    charset = declared.group(1).decode("ascii") if declared else None
    return decode_bytes(data, charset, message.notes, "ADF")


# -- parsing safely -------------------------------------------------------------------------------
def _line_of(text: str, needle: str) -> int | None:
    index = text.upper().find(needle.upper())
    return text.count("\n", 0, index) + 1 if index >= 0 else None


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# "<!DOCTYPE adf>": a name and nothing else declares no entity and fetches nothing; many ADF
# writers put it there. Any internal subset or SYSTEM/PUBLIC id is still refused below.
_PLAIN_DOCTYPE = re.compile(r"<!DOCTYPE\s+[A-Za-z_][\w.-]*\s*>", re.IGNORECASE)


def parse_xml(text: str, line_offset: int = 0) -> ET.Element:
    """An Element tree, or HostileInput/MalformedInput with the line of the problem."""
    text = _XML_DECL_ENCODING.sub(r"\1", text, count=1)  # the text is decoded already
    # Control characters XML 1.0 forbids (a stray NUL from a portal's template) carry nothing a
    # person reads: dropped, so that the lead is read rather than refused.
    text = _XML_FORBIDDEN.sub("", text)
    text = _PLAIN_DOCTYPE.sub("", text, count=1)
    try:
        return fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden) as exc:
        if "<!ENTITY" in text.upper():
            line = _line_of(text, "<!ENTITY")
            message = "XML entity declarations are not allowed"
        else:
            line = _line_of(text, "<!DOCTYPE")
            message = "XML document type declarations (DTD) are not allowed"
        raise HostileInput(message, line=line and line + line_offset) from exc
    except ExternalReferenceForbidden as exc:
        raise HostileInput("XML external references are not allowed") from exc
    except ET.ParseError as exc:
        line = exc.position[0] + line_offset if getattr(exc, "position", None) else None
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(exc))
        raise MalformedInput(f"malformed XML: {reason}", line=line) from exc


# -- reading the ADF ------------------------------------------------------------------------------
class AdfBuilder(LeadBuilder):
    """ADF's makes are structured: kept as sent ("Škoda" stays "Škoda", not the catalogue's
    "ŠKODA") when they name the same make; an alias ("VW") still becomes the maker's name."""

    def _vehicle(self, which: str) -> dict | None:
        vehicle = super()._vehicle(which)
        sent = collapse_ws(self.vehicles[which].get("make"))
        if vehicle and sent and vehicle["make"] and fold(vehicle["make"]) == fold(sent):
            vehicle["make"] = sent
        return vehicle


# Request dates with seconds as US and European ADF writers print them (ISO is read first).
_REQUEST_FORMATS_US = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p")
_REQUEST_FORMATS_EU = ("%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")


def request_date(text: str | None, region: str, default_tz) -> datetime | None:
    """The prospect's request date to the second, aware; None when unreadable."""
    if not text:
        return None
    raw = " ".join(text.split())
    moment, _ = parse_when(raw, region=region, default_tz=default_tz)
    if moment is not None and moment.second == 0 and re.search(r"\d:\d\d:\d\d", raw) is None:
        return moment
    formats = _REQUEST_FORMATS_US if region == "US" or re.search(r"[AP]M$", raw, re.I) else ()
    for fmt in (*formats, *_REQUEST_FORMATS_EU, *_REQUEST_FORMATS_US):
        try:
            naive = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=zone_for(region, default_tz))
    return moment


def _text(element: ET.Element | None) -> str | None:
    return collapse_ws("".join(element.itertext())) if element is not None else None


def _attr(element: ET.Element, name: str) -> str | None:
    value = clean(element.get(name))
    return value.lower() if value else None


def _normalise_tags(root: ET.Element) -> None:
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = element.tag.rsplit("}", 1)[-1].lower()
            element.attrib = {k.rsplit("}", 1)[-1].lower(): v for k, v in element.attrib.items()}


def _read_vehicle(builder: LeadBuilder, vehicle: ET.Element, which: str) -> None:
    prefix = "" if which == "vehicle" else "trade_in_"
    builder.set(f"{which}.condition", vehicle.get("status"))
    for tag, key in (("year", "year"), ("make", "make"), ("model", "model"), ("trim", "trim"),
                     ("vin", "vin"), ("stock", "stock_number")):  # fmt: skip
        builder.set(f"{which}.{key}", _text(vehicle.find(tag)))
    odometer = vehicle.find("odometer")
    if odometer is not None:
        builder.set(f"{which}.mileage", _text(odometer))
        builder.set(f"{which}.mileage_units", odometer.get("units"))
        if _attr(odometer, "status") in ("replaced", "rolledback", "exempt"):
            builder.add_extra(f"{prefix}odometer_status", odometer.get("status"))
    prices = sorted(
        vehicle.findall("price"),
        key=lambda p: (
            _PRICE_PREFERENCE.index(_attr(p, "type"))
            if _attr(p, "type") in _PRICE_PREFERENCE
            else len(_PRICE_PREFERENCE)
        ),
    )
    for index, price in enumerate(prices):
        if index == 0:
            builder.set(f"{which}.price", _text(price))
            builder.set(f"{which}.currency", price.get("currency"))
        else:
            builder.add_extra(f"{prefix}price_{_attr(price, 'type') or index}", _text(price))
    for tag in ("doors", "bodystyle", "transmission", "condition", "pricecomments"):
        builder.add_extra(f"{prefix}{tag}", _text(vehicle.find(tag)))
    for combo in vehicle.findall("colorcombination")[:1]:
        builder.add_extra(f"{prefix}exterior_color", _text(combo.find("exteriorcolor")))
        builder.add_extra(f"{prefix}interior_color", _text(combo.find("interiorcolor")))
    options = [_text(o.find("optionname")) or _text(o) for o in vehicle.findall("option")]
    builder.add_extra(f"{prefix}options", ", ".join(o for o in options if o))
    finance = vehicle.find("finance")
    if finance is not None:
        builder.add_extra(f"{prefix}finance", " ".join(finance.itertext()))
    comments = _text(vehicle.find("comments"))
    if which == "trade_in":
        builder.add_extra("trade_in_comments", comments)
    else:
        builder.set("comments", comments)
    builder.set(f"{which}.registration", find_registration(comments))


def _summary(vehicle: ET.Element) -> str:
    parts = [_text(vehicle.find(t)) for t in ("year", "make", "model", "trim", "vin")]
    interest = vehicle.get("interest")
    return " ".join(p for p in parts if p) + (f" ({interest})" if interest else "")


def _read_vehicles(builder: LeadBuilder, prospect: ET.Element) -> None:
    wanted, trades = [], []
    for vehicle in prospect.findall("vehicle"):
        (trades if _attr(vehicle, "interest") in _TRADE_INTERESTS else wanted).append(vehicle)
    if wanted:
        _read_vehicle(builder, wanted[0], "vehicle")
        interest = _attr(wanted[0], "interest") or "buy"
        builder.lead_type = _INTEREST_TYPE.get(interest, "info_request")
    elif trades:
        builder.lead_type = "trade_in"
    else:
        builder.lead_type = "info_request"
    if trades:
        _read_vehicle(builder, trades[0], "trade_in")
    for index, vehicle in enumerate(wanted[1:] + trades[1:], start=2):
        builder.add_extra(f"vehicle_{index}", _summary(vehicle))


def _pick_contact(customer: ET.Element) -> ET.Element | None:
    contacts = customer.findall("contact")
    primary = [c for c in contacts if c.get("primarycontact") == "1"]
    return (primary or contacts or [None])[0]


def _read_contact(builder: LeadBuilder, contact: ET.Element) -> None:
    for name in contact.findall("name"):
        part = _attr(name, "part") or "full"
        key = {"first": "first_name", "middle": "middle_name", "last": "last_name"}.get(part)
        if _attr(name, "type") == "business":
            builder.set("customer.company", _text(name))
        elif key:
            builder.set(f"customer.{key}", _text(name))
        elif part == "full":
            builder.set("customer.full_name", _text(name))
        else:
            builder.add_extra(f"name_{part}", _text(name))
    for index, mail in enumerate(contact.findall("email")):
        if index == 0:
            builder.set("customer.email", _text(mail))
        else:
            builder.add_extra(f"email_{index + 1}", _text(mail))
        if mail.get("preferredcontact") == "1":
            builder.set("customer.preferred_contact", "email")
    for phone in contact.findall("phone"):
        phone_type = _attr(phone, "type") or "voice"
        kind = {"cellphone": "mobile", "fax": "fax", "pager": "unknown"}.get(phone_type)
        text = _text(phone)
        if text:
            builder.add_phone(
                text, kind=kind, certain=kind is not None, label=f"phone_{phone_type}"
            )
        if phone.get("preferredcontact") == "1":
            builder.set("customer.preferred_contact", "phone")
        builder.add_extra("phone_time", phone.get("time"))
    address = contact.find("address")
    if address is not None:
        streets = sorted(address.findall("street"), key=lambda s: s.get("line") or "")
        street = ", ".join(filter(None, (_text(s) for s in streets)))
        apartment = _text(address.find("apartment"))
        builder.set("customer.street", ", ".join(p for p in (street, apartment) if p))
        builder.set("customer.city", _text(address.find("city")))
        builder.set("customer.postal_code", _text(address.find("postalcode")))
        builder.set("customer.country", _text(address.find("country")))
        builder.add_extra("region", _text(address.find("regioncode")))


def _read_customer(builder: LeadBuilder, prospect: ET.Element) -> None:
    customer = prospect.find("customer")
    if customer is None:
        return
    contact = _pick_contact(customer)
    if contact is not None:
        _read_contact(builder, contact)
    timeframe = customer.find("timeframe")
    if timeframe is not None:
        builder.add_extra("timeframe", _text(timeframe.find("description")))
        builder.add_extra("timeframe_earliest", _text(timeframe.find("earliestdate")))
        builder.add_extra("timeframe_latest", _text(timeframe.find("latestdate")))
    builder.set("comments", _text(customer.find("comments")))


def _read_parties(builder: LeadBuilder, prospect: ET.Element) -> None:
    provider = prospect.find("provider")
    if provider is not None:
        names = provider.findall("name")
        full = [n for n in names if (_attr(n, "part") or "full") == "full"]
        name = _text(full[0]) if full else " ".join(filter(None, map(_text, names)))
        builder.set("source", name)
        for tag in ("service", "url", "email", "phone"):
            builder.add_extra(f"provider_{tag}", _text(provider.find(tag)))
    vendor = prospect.find("vendor")
    if vendor is not None:
        builder.add_extra("vendor", _text(vendor.find("vendorname")))
        builder.add_extra("vendor_url", _text(vendor.find("url")))


def _read_prospect(builder: LeadBuilder, prospect: ET.Element, message: Message) -> None:
    ids = prospect.findall("id")
    if ids:
        builder.set("external_id", _text(ids[0]))
    if prospect.get("status") and _attr(prospect, "status") != "new":
        builder.add_extra("prospect_status", prospect.get("status"))
    requested = _text(prospect.find("requestdate"))
    moment = request_date(requested, message.region, builder.email_tz)
    if moment is not None:
        builder.requested_at = moment.isoformat()
    else:
        builder.add_extra("requestdate", requested)
    _read_vehicles(builder, prospect)
    _read_customer(builder, prospect)
    _read_parties(builder, prospect)
    for extra_id in ids[:1]:  # the id's source names the provider when <provider> is missing
        builder.set("source", extra_id.get("source"))


def read_adf(root: ET.Element, message: Message) -> LeadBuilder:
    _normalise_tags(root)
    prospects = [root] if root.tag == "prospect" else root.findall("prospect")
    if root.tag not in ("adf", "prospect") or not prospects:
        raise MalformedInput("not an ADF document: no <adf><prospect>")
    builder = AdfBuilder("adf", region=message.region)
    builder.set_email_date(message.date)
    if len(prospects) > 1:
        builder.add_extra("prospects", f"{len(prospects)} prospects, the first was read")
    _read_prospect(builder, prospects[0], message)
    return builder


def parse(message: Message) -> LeadBuilder | None:
    """The lead of the first ADF document found, None when there is none.

    Hostile XML raises at once; malformed XML raises only after every candidate failed, so a
    broken ADF attachment does not hide a good one in the text part.
    """
    first_error: MalformedInput | None = None
    for _where, text, line_offset in _candidates(message):
        try:
            root = parse_xml(text, line_offset)
            return read_adf(root, message)
        except MalformedInput as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return None
