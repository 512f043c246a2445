"""The front door: store every inbound lead message first, then turn it into a lead (or a merge,
or a quarantine entry with its reason).

receive_email() runs inside the webhook request: it only stores and routes, so the provider gets
its 2xx quickly and nothing is lost. process_message() runs in the Celery task (and in the
website API request): parse, match, deduplicate, create. It never raises for bad content.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from email import message_from_bytes
from email.policy import compat32
from email.utils import getaddresses

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from dealers.models import Dealership
from leads import services
from leads.models import (
    Customer,
    EventKind,
    InboundMessage,
    InboundMessageLog,
    Lead,
    LeadType,
    LeadVehicle,
    Source,
)
from leads.parsing import ParseError, parse_message

logger = logging.getLogger(__name__)

Status = InboundMessage.Status
Action = InboundMessageLog.Action

# Headers that may name the address a message was delivered to, most specific first.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "X-Forwarded-To", "To", "Cc", "Bcc")


# --- receiving -------------------------------------------------------------------------------


def receive_email(*, message, provider: str, event_id: str | None = None) -> InboundMessage:  # noqa: ANN001 — an AnymailInboundMessage
    """Store one e-mail exactly as it arrived and queue it for parsing. Database errors propagate
    (the webhook then answers 5xx and the provider retries); content never makes this fail."""
    raw = _raw_bytes(message)
    # Raw header values: the policy's structured headers cost more than the rest of the request.
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), []).append(str(value))
    recipients = _recipients(message.envelope_recipient, headers)
    sender = _address(headers.get("from")) or (message.envelope_sender or "")
    dealership, recipient = route(recipients)
    return store_message(
        channel="email",
        provider=provider,
        provider_message_id=(event_id or "")[:255],
        message_id=" ".join("".join(headers.get("message-id", [""])[:1]).split()),
        recipient=recipient,
        sender=sender,
        envelope_sender=message.envelope_sender or "",
        subject=_subject(message),
        raw=raw,
        # text, html and the attachment list are read by the worker (read_parts): here every
        # millisecond is the provider waiting.
        dealership=dealership,
    )


def store_message(
    *,
    channel: str,
    raw: bytes,
    dealership: Dealership | None,
    source: Source | None = None,
    provider: str = "",
    provider_message_id: str = "",
    message_id: str = "",
    recipient: str = "",
    sender: str = "",
    envelope_sender: str = "",
    subject: str = "",
    text: str = "",
    html: str = "",
    attachments: list | None = None,
    enqueue: bool = True,
) -> InboundMessage:
    """Insert the message (or find the one already stored for the same delivery) and, once the
    transaction commits, queue the parse task. A message nobody can route waits as unrouted."""
    if source is None and dealership is not None:
        source = match_source(dealership, sender, envelope_sender)
    key = dedup_key(
        provider=provider,
        provider_message_id=provider_message_id,
        message_id=message_id,
        recipient=recipient,
        raw=raw,
    )
    status = Status.RECEIVED if dealership is not None else Status.UNROUTED
    if status == Status.UNROUTED and channel == "email" and not (text or html):
        text, html, attachments = read_parts(raw)  # no worker reads it until it is routed
    try:
        with transaction.atomic():
            stored = InboundMessage.objects.create(
                channel=channel,
                provider=provider[:30],
                provider_message_id=provider_message_id,
                message_id=message_id[:998],
                dedup_key=key,
                recipient=recipient[:320],
                sender=sender[:320],
                subject=subject[:998],
                dealership=dealership,
                source=source,
                raw=raw,
                text=text,
                html=html,
                attachments=attachments or [],
                status=status,
                failure_reason="" if dealership else f"no dealership receives at {recipient!r}",
            )
            if dealership is None:  # (the row itself records a plain receipt)
                log(stored, Action.UNROUTED, note=stored.failure_reason)
    except IntegrityError:
        # The same delivery again (provider retry, or the same message through two routes).
        stored = InboundMessage.objects.get(dedup_key=key)
        log(stored, Action.DUPLICATE_DELIVERY, note=f"{provider} {provider_message_id}".strip())
        if enqueue and stored.status == Status.RECEIVED:
            # The first delivery's task may never have reached the broker; parsing is idempotent.
            enqueue_parse(stored)
        return stored
    if enqueue and status == Status.RECEIVED:
        enqueue_parse(stored)
    return stored


def enqueue_parse(message: InboundMessage) -> None:
    from leads.tasks import parse_inbound_message

    message_id = message.pk
    transaction.on_commit(lambda: parse_inbound_message.delay(message_id))


def dedup_key(
    *, provider: str, provider_message_id: str, message_id: str, recipient: str, raw: bytes
) -> str:
    """One key per delivery of one message to one dealership address. The Message-ID comes
    first: it survives provider retries (a Mailgun retry carries a fresh token) and a message
    that reaches us through two providers. Scoped by recipient so that one portal e-mail sent to
    two dealerships is a lead at each."""
    if message_id:
        basis = f"mid\0{message_id.strip()}\0{recipient.lower()}"
    elif provider_message_id:
        basis = f"esp\0{provider.lower()}\0{provider_message_id}"
    else:
        return "raw:" + hashlib.sha256(raw).hexdigest()
    return "key:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def route(recipients: list[str]) -> tuple[Dealership | None, str]:
    """The dealership one of these addresses belongs to, and the address that matched."""
    if recipients:
        query = Q()
        for address in recipients:
            query |= Q(inbound_address__iexact=address)
        found = {d.inbound_address.lower(): d for d in Dealership.objects.filter(query)}
        for address in recipients:
            if address.lower() in found:
                return found[address.lower()], address
    return None, recipients[0] if recipients else ""


def match_source(dealership: Dealership, *addresses: str) -> Source | None:
    sources = [s for s in dealership.sources.filter(is_enabled=True) if s.sender_patterns]
    for address in addresses:
        if address:
            for source in sources:
                if source.matches_sender(address):
                    return source
    return None


def log(message: InboundMessage, action: str, *, by: User | None = None, note: str = "") -> None:
    InboundMessageLog.objects.create(message=message, action=action, actor=by, note=note)


def _raw_bytes(message) -> bytes:  # noqa: ANN001
    try:
        return message.as_bytes()
    except Exception:  # noqa: BLE001 — a broken header must not lose the message
        return message.as_string().encode("utf-8", "surrogateescape")


def _recipients(envelope_recipient: str | None, headers: dict[str, list[str]]) -> list[str]:
    found = [envelope_recipient.strip()] if envelope_recipient else []
    for header in _RECIPIENT_HEADERS:
        values = headers.get(header.lower(), [])
        found.extend(addr.strip() for _name, addr in getaddresses(values) if "@" in addr)
    return list(dict.fromkeys(a for a in found if a))


def _address(values: list[str] | None) -> str:
    pairs = getaddresses(values[:1]) if values else []
    return pairs[0][1].strip() if pairs else ""


def _subject(message) -> str:  # noqa: ANN001
    try:
        return " ".join(str(message.get("Subject", "") or "").split())
    except Exception:  # noqa: BLE001 — undecodable header: keep going, the raw bytes have it
        return ""


def read_parts(raw: bytes) -> tuple[str, str, list[dict]]:
    """The first text and HTML parts and the list of attachments, for people to read on the
    quarantine page. compat32 parsing: several times cheaper than the structured headers."""
    text, html, attachments = "", "", []
    try:
        parsed = message_from_bytes(raw, policy=compat32)
        for part in parsed.walk():
            if part.is_multipart():
                continue
            kind = part.get_content_type()
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename or "attachment" in str(part.get("Content-Disposition", "")).lower():
                attachments.append(
                    {"filename": str(filename or ""), "content_type": kind, "size": len(payload)}
                )
            elif kind == "text/plain" and not text:
                text = _decode(payload, part.get_content_charset())
            elif kind == "text/html" and not html:
                html = _decode(payload, part.get_content_charset())
    except Exception:  # noqa: BLE001 — unreadable structure: the page shows the raw bytes
        logger.warning("could not read the parts of a message", exc_info=True)
    return text, html, attachments


def _decode(payload: bytes, charset: str | None) -> str:
    charset = (charset or "utf-8").lower()
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        charset = "windows-1252"  # as browsers (and the parser) read them
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


# --- processing ------------------------------------------------------------------------------


# What processing changes on the message: never its raw bytes (a save must not rewrite them).
PROCESSED_FIELDS = [
    "text",
    "html",
    "attachments",
    "status",
    "failure_reason",
    "parsed",
    "source",
    "parse_attempts",
    "processed_at",
    "merged_into",
]


@dataclass
class Outcome:
    message: InboundMessage
    lead: Lead | None = None
    duplicate_of: Lead | None = None


def process_message(*, message: InboundMessage, by: User | None = None) -> Outcome:
    """Parse a stored message and create its lead, merge it into an open duplicate, or
    quarantine it with a one-line reason. The caller holds the row (select_for_update)."""
    message.parse_attempts += 1
    message.processed_at = timezone.now()
    if message.channel == "email" and not (message.text or message.html or message.attachments):
        message.text, message.html, message.attachments = read_parts(bytes(message.raw))
    dealership = message.dealership
    if dealership is None:
        return _finish(message, Status.UNROUTED, "no dealership for this address", by=by)
    limit = settings.DEALERLMS_MAX_INBOUND_BYTES
    size = len(message.raw)
    if size > limit:
        # Kept whole for a person to read; the parser never sees it.
        return _quarantine(message, f"message too large to parse: {size} bytes (limit {limit})")
    parsed = _parse(message, message.source)
    if isinstance(parsed, str):
        return _quarantine(message, parsed)
    if message.source is None:
        message.source = _source_named(dealership, parsed.get("source"))
        if message.source is not None and message.source.labels.exists():
            reparsed = _parse(message, message.source)
            if isinstance(reparsed, str):
                return _quarantine(message, reparsed)
            parsed = reparsed
    message.parsed = parsed
    try:
        with transaction.atomic():
            return _lead_from(message, parsed, by=by)
    except (OperationalError, InterfaceError):
        raise  # the database is away, not the message's fault: the task retries
    except Exception as exc:  # noqa: BLE001 — stored data we could not write: a person looks
        logger.exception("inbound message %s: storing its lead failed", message.pk)
        return _quarantine(message, f"internal error: {type(exc).__name__}")


def extra_labels_for(source: Source | None) -> dict[str, str]:
    if source is None:
        return {}
    return dict(source.labels.values_list("label", "field"))


def _parse(message: InboundMessage, source: Source | None) -> dict | str:
    """The normalized lead, or the reason there is none."""
    try:
        return parse_message(
            bytes(message.raw),
            region=message.dealership.country or settings.DEALERLMS_DEFAULT_REGION,
            extra_labels=extra_labels_for(source),
            max_bytes=settings.DEALERLMS_MAX_INBOUND_BYTES,
        )
    except ParseError as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    except Exception as exc:  # noqa: BLE001 — never crash the worker on one message
        logger.exception("inbound message %s: parser failed", message.pk)
        return f"internal error: {type(exc).__name__}"


def _source_named(dealership: Dealership, name: str | None) -> Source | None:
    if not name:
        return None
    return dealership.sources.filter(is_enabled=True, name__iexact=name.strip()).first()


def _quarantine(message: InboundMessage, reason: str) -> Outcome:
    return _finish(message, Status.QUARANTINED, reason)


def _finish(
    message: InboundMessage, status: str, reason: str = "", *, by: User | None = None
) -> Outcome:
    message.status = status
    message.failure_reason = reason
    message.save(update_fields=PROCESSED_FIELDS)
    action = {Status.QUARANTINED: Action.QUARANTINED, Status.UNROUTED: Action.UNROUTED}[status]
    log(message, action, by=by, note=reason)
    return Outcome(message=message)


def _lead_from(message: InboundMessage, parsed: dict, *, by: User | None) -> Outcome:
    dealership = message.dealership
    customer = customer_from(dealership, parsed.get("customer") or {})
    vehicle = parsed.get("vehicle") or {}
    duplicate = find_duplicate(
        dealership=dealership, customer=customer, vehicle=vehicle, at=message.received_at
    )
    if duplicate is not None:
        services.record_event(
            lead=duplicate,
            kind=EventKind.DUPLICATE_MERGED,
            actor=by,
            note=parsed.get("comments") or "",
            data={
                "inbound_message_id": message.pk,
                "lead_type": parsed.get("lead_type"),
                "source": message.source.name if message.source else parsed.get("source"),
            },
        )
        message.status = Status.MERGED
        message.merged_into = duplicate
        message.failure_reason = ""
        message.save(update_fields=PROCESSED_FIELDS)
        log(message, Action.MERGED, by=by, note=f"lead #{duplicate.pk}")
        return Outcome(message=message, duplicate_of=duplicate)
    lead = services.create_lead(
        dealership=dealership,
        customer=customer,
        source=message.source,
        lead_type=lead_type_of(parsed.get("lead_type")),
        vehicle=vehicle_from(vehicle, dealership.currency),
        trade_in=vehicle_from(parsed.get("trade_in") or {}, dealership.currency),
        comments=parsed.get("comments") or "",
        external_id=(parsed.get("external_id") or "")[:120],
        received_at=message.received_at,
        inbound_message=message,
        extra=extra_of(parsed),
        by=by,
    )
    message.status = Status.PARSED
    message.failure_reason = ""
    message.save(update_fields=PROCESSED_FIELDS)
    log(message, Action.PARSED, by=by, note=f"lead #{lead.pk}")
    return Outcome(message=message, lead=lead)


def customer_from(dealership: Dealership, data: dict) -> Customer:
    def text(key: str) -> str:
        return _fit(Customer, key, data.get(key))

    phones = [
        (p["number"], p.get("kind") or "unknown")
        for p in data.get("phones") or []
        if p.get("number")
    ]
    return services.find_or_create_customer(
        dealership=dealership,
        first_name=text("first_name"),
        last_name=text("last_name"),
        full_name=text("full_name"),
        email=text("email"),
        phones=phones,
        street=text("street"),
        postal_code=text("postal_code"),
        city=text("city"),
        country=text("country"),
        preferred_contact=text("preferred_contact"),
    )


def find_duplicate(*, dealership: Dealership, customer: Customer, vehicle: dict, at) -> Lead | None:  # noqa: ANN001
    """The customer's open lead for the same vehicle received within the duplicate window."""
    window = timedelta(hours=settings.DEALERLMS_DUPLICATE_WINDOW_HOURS)
    leads = Lead.objects.open().filter(
        dealership=dealership, customer=customer, received_at__gte=at - window
    )
    same = Q(pk__in=[])
    if vehicle.get("vin"):
        same |= Q(vehicle__vin__iexact=vehicle["vin"])
    if vehicle.get("stock_number"):
        same |= Q(vehicle__stock_number__iexact=vehicle["stock_number"])
    if vehicle.get("make") and vehicle.get("model"):
        same |= Q(vehicle__make__iexact=vehicle["make"], vehicle__model__iexact=vehicle["model"])
    if not any(vehicle.get(k) for k in ("vin", "stock_number", "make", "model")):
        # A request about no particular vehicle repeats one that named none either.
        same = Q(vehicle__isnull=True) | Q(vehicle__make="", vehicle__model="")
    return leads.filter(same).order_by("received_at", "pk").first()


def vehicle_from(data: dict, currency: str) -> LeadVehicle | None:
    if not data or not any(v for k, v in data.items() if k != "condition"):
        return None
    price = data.get("price") or {}
    year = data.get("year")
    mileage = data.get("mileage_km")
    return LeadVehicle(
        condition=data.get("condition") or "",
        year=year if isinstance(year, int) and 1900 <= year <= 2100 else None,
        make=_fit(LeadVehicle, "make", data.get("make")),
        model=_fit(LeadVehicle, "model", data.get("model")),
        trim=_fit(LeadVehicle, "trim", data.get("trim")),
        vin=_fit(LeadVehicle, "vin", data.get("vin")),
        stock_number=_fit(LeadVehicle, "stock_number", data.get("stock_number")),
        registration=_fit(LeadVehicle, "registration", data.get("registration")),
        mileage_km=mileage if isinstance(mileage, int) and 0 <= mileage < 10**8 else None,
        price=_amount(price.get("amount")),
        currency=(price.get("currency") or currency) if price else "",
    )


def lead_type_of(value: str | None) -> str:
    return value if value in LeadType.values else LeadType.OTHER


def extra_of(parsed: dict) -> dict:
    extra = {str(k): str(v) for k, v in (parsed.get("extra") or {}).items()}
    for key in ("requested_at", "appointment_at", "source", "format"):
        if parsed.get(key):
            extra.setdefault(
                "requested_appointment_at" if key == "appointment_at" else key, parsed[key]
            )
    return extra


def _amount(value: object) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return amount if amount is not None and 0 <= amount < Decimal(10**8) else None


def _fit(model, field: str, value: object) -> str:  # noqa: ANN001
    """A parsed string cut to the column it goes into (a long value must not lose the lead)."""
    if value is None:
        return ""
    return str(value)[: model._meta.get_field(field).max_length]
