"""The front door: store every inbound lead message first, then turn it into a lead (or a merge,
or a quarantine entry with its reason).

receive_email() runs inside the webhook request: it only stores and routes, so the provider gets
its 2xx quickly and nothing is lost. process_messages() runs in the Celery task, on a batch of
waiting messages at a time (process_message() on one, in the website API request): parse, match,
deduplicate, create. It never raises for bad content.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from email.utils import getaddresses

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core import jobs, logs
from core.db import update_rows
from core.text import db_safe, db_text
from dealers.models import Dealership
from inbound.reply_text import reply_text
from leadparser import NotALead, ParseError, parse_message
from leadparser.mime import outline
from leads import inbound_files, services
from leads.customers import CustomerBook
from leads.models import (
    ContactChannel,
    Customer,
    EventKind,
    InboundMessage,
    InboundMessageLog,
    Lead,
    LeadEvent,
    LeadType,
    LeadVehicle,
    Source,
)
from leads.reply_address import lead_id_in, split_address

logger = logging.getLogger(__name__)

Status = InboundMessage.Status
Action = InboundMessageLog.Action

# Headers that may name the address a message was delivered to, most specific first.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "X-Forwarded-To", "To", "Cc", "Bcc")


# --- receiving -------------------------------------------------------------------------------


def receive_email(
    *, message, provider: str, event_id: str | None = None, raw: bytes | None = None
) -> InboundMessage:
    """Store one e-mail exactly as it arrived (`raw`, as the provider posted it; else anymail's
    message written out) and queue it for parsing. Database errors propagate (the webhook then
    answers 5xx and the provider retries); content never makes this fail."""
    raw = _raw_bytes(message) if raw is None else raw
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
    dedup_basis: str | None = None,
) -> InboundMessage:
    """Insert the message (or find the one already stored for the same delivery) and, once the
    transaction commits, make sure a parse job comes. A message nobody can route waits as
    unrouted. The source is recognised by the worker, from the sender or the message itself."""
    # Untrusted text enters here: what the database refuses (NUL) is removed, the raw bytes kept.
    message_id, recipient, sender, envelope_sender, subject, text, html = (
        db_text(v) for v in (message_id, recipient, sender, envelope_sender, subject, text, html)
    )
    attachments = db_safe(attachments) if attachments else attachments
    key = dedup_basis or dedup_key(
        provider=provider,
        provider_message_id=provider_message_id,
        message_id=message_id,
        recipient=recipient,
        raw=raw,
    )
    status = Status.RECEIVED if dealership is not None else Status.UNROUTED
    if status == Status.UNROUTED and channel == "email" and not (text or html):
        text, html, attachments = read_parts(raw)  # no worker reads it until it is routed
    now = timezone.now()
    # A large message goes to a file first (a retry of the delivery finds it there), the row
    # then refers to it.
    raw_file = (
        inbound_files.keep(raw, key=key, at=now)
        if len(raw) > settings.DEALERLMS_INBOUND_INLINE_BYTES
        else ""
    )
    try:
        with transaction.atomic():
            stored = InboundMessage.objects.create(
                received_at=now,
                channel=channel,
                provider=provider[:30],
                provider_message_id=provider_message_id,
                message_id=message_id[:998],
                dedup_key=key,
                recipient=recipient[:320],
                sender=sender[:320],
                envelope_sender=envelope_sender[:320],
                subject=subject[:998],
                dealership=dealership,
                source=source,
                raw=b"" if raw_file else raw,
                raw_file=raw_file,
                raw_size=len(raw),
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
        if raw_file and raw_file != stored.raw_file.name:
            inbound_files.discard([raw_file])  # (a retry in another month: the first copy stays)
        if key.startswith("key:") and content_hash(stored.raw_bytes()) != content_hash(raw):
            # The same Message-ID with other content: a sender's correction, not a retry.
            return _store_correction(
                stored,
                key,
                {
                    "channel": channel,
                    "raw": raw,
                    "dealership": dealership,
                    "source": source,
                    "provider": provider,
                    "provider_message_id": provider_message_id,
                    "message_id": message_id,
                    "recipient": recipient,
                    "sender": sender,
                    "envelope_sender": envelope_sender,
                    "subject": subject,
                    "text": text,
                    "html": html,
                    "attachments": attachments,
                    "enqueue": enqueue,
                },  # fmt: skip
            )
        log(stored, Action.DUPLICATE_DELIVERY, note=f"{provider} {provider_message_id}".strip())
        if enqueue and stored.status == Status.RECEIVED:
            # The first delivery's task may never have reached the broker; parsing is idempotent.
            enqueue_parse(stored)
        return stored
    if enqueue and status == Status.RECEIVED:
        enqueue_parse(stored)
    return stored


def _store_correction(first: InboundMessage, key: str, fields: dict) -> InboundMessage:
    """Keep the message under a key of its own content and say whose correction it may be."""
    content_key = (
        "key:" + hashlib.sha256(f"{key}\0{content_hash(fields['raw'])}".encode()).hexdigest()
    )
    if InboundMessage.objects.filter(dedup_key=content_key).exists():
        again = InboundMessage.objects.get(dedup_key=content_key)
        log(again, Action.DUPLICATE_DELIVERY, note="the correction, delivered again")
        return again
    stored = store_message(**fields, dedup_basis=content_key)
    log(stored, Action.RECEIVED, note=f"possible correction of message #{first.pk}: same "
        "Message-ID, other content")  # fmt: skip
    return stored


def enqueue_parse(message: InboundMessage) -> None:
    """Once the transaction commits, the waiting message is parsed (with whatever else waits)."""
    transaction.on_commit(kick_parsing)


def dedup_key(
    *, provider: str, provider_message_id: str, message_id: str, recipient: str, raw: bytes
) -> str:
    """One key per delivery of one message to one dealership address. The Message-ID comes
    first: it survives provider retries (a Mailgun retry carries a fresh token) and a message
    that reaches us through two providers. Scoped by recipient so that one portal e-mail sent to
    two dealerships is a lead at each."""
    if message_id:
        basis = f"mid\0{message_id.strip()}\0{recipient.lower()}"
        return "key:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()
    # No Message-ID: the content decides (a Mailgun retry carries a fresh token each time).
    return "raw:" + hashlib.sha256(f"{recipient.lower()}\0{content_hash(raw)}".encode()).hexdigest()


_CONTENT_HEADERS = re.compile(
    rb"^(subject|from|date|reply-to):[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.I | re.M
)


def content_hash(raw: bytes) -> str:
    """The message as its sender wrote it: the body and the headers a person reads, without the
    trace headers each hop and provider adds (Received, DKIM, X-…). A bare document (an API's
    JSON) is all content. The body is hashed a megabyte at a time: no copy of a 41 MB message."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(separator)
        if at >= 0 and _CONTENT_HEADERS.search(raw, 0, at):
            found = _CONTENT_HEADERS.finditer(raw, 0, at)
            digest = hashlib.sha256(b"\n".join(m.group(0).strip() for m in found) + b"\0")
            _update_unix_lines(digest, raw, at + len(separator))
            return digest.hexdigest()
    return hashlib.sha256(raw).hexdigest()


def _update_unix_lines(digest, raw: bytes, start: int, chunk: int = 1 << 20) -> None:
    """digest.update(raw[start:].replace(b"\r\n", b"\n")), in slices that never split a CRLF."""
    while start < len(raw):
        end = min(start + chunk, len(raw))
        while end < len(raw) and raw[end - 1] == 13:  # a CR: its LF may be in the next slice
            end += 1
        digest.update(raw[start:end].replace(b"\r\n", b"\n"))
        start = end


def route(recipients: list[str]) -> tuple[Dealership | None, str]:
    """The dealership one of these addresses belongs to, and the address that matched. A
    dealership's address with a +tag (`leads+r1k-…@…`, a customer's reply to a lead's reply
    address: leads.reply_address) is the dealership's too; the tagged address is returned, so
    that the worker finds the lead in it."""
    if recipients:
        bases = {address: split_address(address)[0] for address in recipients}
        query = Q()
        for address in {*recipients, *bases.values()}:
            query |= Q(inbound_address__iexact=address)
        found = {d.inbound_address.lower(): d for d in Dealership.objects.filter(query)}
        for address in recipients:
            if address.lower() in found:
                return found[address.lower()], address
        for address in recipients:
            if bases[address].lower() in found:
                return found[bases[address].lower()], address
    return None, recipients[0] if recipients else ""


def log(message: InboundMessage, action: str, *, by: User | None = None, note: str = "") -> None:
    InboundMessageLog.objects.create(message=message, action=action, actor=by, note=note)


def _raw_bytes(message) -> bytes:
    _fixed_boundaries(message)
    try:
        return message.as_bytes()
    except Exception:
        return message.as_string().encode("utf-8", "surrogateescape")


def _fixed_boundaries(message) -> None:
    """A message anymail put together from a provider's parsed fields (Mailgun's and SendGrid's
    form, Mailjet, Brevo, Postmark without RawEmail) gets random MIME boundaries when written
    out: the provider's retry would be other bytes, and the same Message-ID with other bytes is
    taken for a sender's correction (a second message). Boundaries made from the content make
    the same delivery the same bytes."""
    digest = hashlib.sha256()
    for part in message.walk():
        if not part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, str):
                payload = payload.encode("utf-8", "surrogateescape")
            digest.update(payload if isinstance(payload, bytes) else b"")
    base = digest.hexdigest()[:32]
    multiparts = [part for part in message.walk() if part.get_content_maintype() == "multipart"]
    for index, part in enumerate(multiparts):
        if part.get_boundary() is None:
            part.set_boundary(f"=_{base}_{index}")


def _recipients(envelope_recipient: str | None, headers: dict[str, list[str]]) -> list[str]:
    found = [envelope_recipient.strip()] if envelope_recipient else []
    for header in _RECIPIENT_HEADERS:
        values = headers.get(header.lower(), [])
        found.extend(addr.strip() for _name, addr in getaddresses(values) if "@" in addr)
    return list(dict.fromkeys(a for a in found if a))


def _address(values: list[str] | None) -> str:
    pairs = getaddresses(values[:1]) if values else []
    return pairs[0][1].strip() if pairs else ""


def _subject(message) -> str:
    try:
        return " ".join(str(message.get("Subject", "") or "").split())
    except Exception:
        return ""


def read_parts(raw: bytes) -> tuple[str, str, list[dict]]:
    """The first text and HTML parts and the list of attachments, for people to read on the
    quarantine page, decoded as the parser decodes them (leadparser.mime.outline: the parts
    found with byte searches, no attachment decoded, its size reckoned from its encoding)."""
    try:
        return outline(raw)
    except Exception:
        logs.exception_without_text(logger, "could not read the parts of a message")
        return "", "", []


# --- processing ------------------------------------------------------------------------------

PARSE_JOB = "leads.parse"

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


def kick_parsing() -> None:
    """After a commit that stored waiting messages: make sure a parse job is on its way. A job
    parses everything that waits, so messages arriving together share one (core.jobs)."""
    from inbound.tasks import parse_received_messages

    jobs.queue_once(parse_received_messages, PARSE_JOB)


def parse_next_batch() -> int:
    """Claim the oldest waiting messages no other worker holds and process them, in one
    transaction; returns how many there were (0: nothing waits)."""
    with transaction.atomic():
        messages = _claim()
        if messages:
            process_messages(messages=messages)
    return len(messages)


def _claim() -> list[InboundMessage]:
    """Up to DEALERLMS_PARSE_BATCH_MESSAGES (and _BYTES) waiting messages, locked: a batch's
    leads are written with a few INSERTs instead of a dozen statements each."""
    waiting = (
        InboundMessage.objects.select_for_update(skip_locked=True)
        .filter(status=Status.RECEIVED)
        .order_by("received_at")
        .values_list("pk", "raw_size")[: settings.DEALERLMS_PARSE_BATCH_MESSAGES]
    )
    chosen, total = [], 0
    for pk, size in waiting:
        if chosen and total + (size or 0) > settings.DEALERLMS_PARSE_BATCH_BYTES:
            break  # locked until the commit, parsed by the next batch
        chosen.append(pk)
        total += size or 0
    return list(
        InboundMessage.objects.select_related("dealership", "source")
        .filter(pk__in=chosen)
        .order_by("received_at", "pk")
    )


@dataclass
class Outcome:
    message: InboundMessage
    lead: Lead | None = None
    duplicate_of: Lead | None = None
    reply_on: Lead | None = None  # a customer's reply, on this lead's conversation


def process_message(*, message: InboundMessage, by: User | None = None) -> Outcome:
    """Parse one stored message: see process_messages. The caller holds the row."""
    return process_messages(messages=[message], by=by)[0]


def process_messages(*, messages: list[InboundMessage], by: User | None = None) -> list[Outcome]:
    """Parse stored messages and write what each holds: a new lead, a merge into an open
    duplicate, or a quarantine entry with a one-line reason. Never raises for bad content.
    The caller holds the rows (select_for_update) in a transaction.

    The leads of a batch are written together; should that fail, each message is written alone,
    so that a message the database refuses quarantines only itself."""
    sources = _Sources()
    outcomes: dict[int, Outcome] = {}
    readings: list[tuple[InboundMessage, dict]] = []
    replies = _replies(messages)
    for outcome in _attach_replies(replies):
        outcomes[id(outcome.message)] = outcome
    for message in messages:
        if id(message) in outcomes:
            continue
        result = _read(message, sources)
        if isinstance(result, dict):
            readings.append((message, result))
        else:
            outcomes[id(message)] = _not_parsed(message, *result)
    for outcome in _write_all(readings, by):
        outcomes[id(outcome.message)] = outcome
    done = [outcomes[id(message)] for message in messages]
    for message in messages:
        message.failure_reason = db_text(message.failure_reason)
    _write_messages(messages)
    InboundMessageLog.objects.bulk_create([_log_entry(outcome, by) for outcome in done])
    return done


def _write_messages(messages: list[InboundMessage]) -> None:
    """The batch's messages in one statement; should the database refuse it, each alone, and a
    message whose content it still refuses keeps its raw bytes and loses the decoded copies, so
    it never blocks the messages after it."""
    try:
        with transaction.atomic():
            update_rows(messages, PROCESSED_FIELDS)
        return
    except (OperationalError, InterfaceError):
        raise  # the database is away: the job retries
    except DatabaseError:
        logger.warning("inbound batch: the database refused it; writing its messages one by one")
    for message in messages:
        try:
            with transaction.atomic():
                update_rows([message], PROCESSED_FIELDS)
        except (OperationalError, InterfaceError):
            raise
        except DatabaseError as exc:
            logger.warning("inbound message %s: the database refused its content", message.pk)
            message.text, message.html, message.attachments, message.parsed = "", "", [], None
            if message.status == Status.RECEIVED:
                message.status = Status.QUARANTINED
            message.failure_reason = f"the database refused its content ({type(exc).__name__})"
            update_rows([message], PROCESSED_FIELDS)


def _replies(messages: list[InboundMessage]) -> list[tuple[InboundMessage, Lead]]:
    """The messages sent to a lead's reply address (a valid token of a lead of the dealership
    that received them), with their lead: one query for the batch. A forged or unknown token
    is no reply: the message goes the normal way."""
    named = {
        id(message): lead_id
        for message in messages
        if message.channel == "email"
        and message.dealership_id
        and (lead_id := lead_id_in(message.recipient)) is not None
    }
    if not named:
        return []
    leads = Lead.objects.select_related("dealership").in_bulk(set(named.values()))
    found = []
    for message in messages:
        lead = leads.get(named.get(id(message)))
        if lead is not None and lead.dealership_id == message.dealership_id:
            found.append((message, lead))
    return found


def _attach_replies(replies: list[tuple[InboundMessage, Lead]]) -> list[Outcome]:
    """Each customer's reply on its lead's conversation: a 'message received' event (the text
    they wrote, the quoted history cut off; the message itself stays stored), not a new lead.
    The event tells the salesperson (automation.notifications) and marks the customer as
    waiting for an answer (leads.services.track_waiting)."""
    events = []
    for message, lead in replies:
        _read_parts(message)
        message.status = Status.REPLY
        message.merged_into = lead
        message.failure_reason = ""
        events.append(
            LeadEvent(
                lead=lead,
                kind=EventKind.MESSAGE_RECEIVED,
                channel=ContactChannel.EMAIL,
                occurred_at=message.received_at,
                note=db_text(reply_text(message.text, message.html)),
                data={
                    "inbound_message_id": message.pk,
                    "from": message.sender[:320],
                    "subject": message.subject[:300],
                },
            )
        )
    services.record_events(events=events)
    return [Outcome(message=message, reply_on=lead) for message, lead in replies]


def _read_parts(message: InboundMessage, raw: bytes | None = None) -> None:
    message.parse_attempts += 1
    message.processed_at = timezone.now()
    if message.channel == "email" and not (message.text or message.html or message.attachments):
        text, html, attachments = read_parts(message.raw_bytes() if raw is None else raw)
        message.text, message.html = db_text(text), db_text(html)
        message.attachments = db_safe(attachments)


def _read(message: InboundMessage, sources: _Sources) -> dict | tuple[str, str]:
    """The normalized lead, or (status, reason) when there is none."""
    raw = message.raw_bytes()  # read once (from its file, for a large one)
    _read_parts(message, raw)
    dealership = message.dealership
    if dealership is None:
        return Status.UNROUTED, "no dealership for this address"
    if message.source is None:
        message.source = sources.by_sender(dealership, message.sender, message.envelope_sender)
    own = [*sources.own_addresses(dealership), message.recipient]
    parsed = _parse(message, raw, sources.labels(message.source), own)
    if isinstance(parsed, tuple):
        return parsed
    if message.source is None:
        message.source = sources.named(dealership, parsed.get("source"))
        if labels := sources.labels(message.source):
            parsed = _parse(message, raw, labels, own)
            if isinstance(parsed, tuple):
                return parsed
    parsed = db_safe(parsed)  # a NUL in a name or a comment must not stop the batch
    message.parsed = parsed
    return parsed


def _parse(
    message: InboundMessage, raw: bytes, labels: dict[str, str], own_addresses: list[str]
) -> dict | tuple[str, str]:
    """The normalized lead, or (status, reason) when there is none: 'not a lead' for what holds
    no lead by nature (an auto-reply, a bounce, our own mail), else quarantined. The parser
    limit (DEALERLMS_MAX_INBOUND_BYTES) applies to what it reads: the text parts and small
    attachments, not a brochure it never decodes."""
    try:
        return parse_message(
            raw,
            region=message.dealership.country or settings.DEALERLMS_DEFAULT_REGION,
            extra_labels=labels,
            max_bytes=settings.DEALERLMS_MAX_INBOUND_BYTES,
            own_addresses=own_addresses,
            skip_not_a_lead=message.is_lead_confirmed,
        )
    except NotALead as exc:
        return Status.NOT_A_LEAD, " ".join(str(exc).split()) or "not a lead"
    except ParseError as exc:
        return Status.QUARANTINED, " ".join(str(exc).split()) or type(exc).__name__
    except Exception as exc:
        logs.exception_without_text(logger, "inbound message %s: parser failed", message.pk)
        return Status.QUARANTINED, f"internal error: {type(exc).__name__}"


def own_addresses(dealership: Dealership) -> list[str]:
    """The addresses whose mail is the dealership's own (or DealerLMS's): its inbound address,
    its people's addresses, our sender address and sending domain. Mail from them is no lead
    unless it forwards one."""
    found = [dealership.inbound_address or ""]
    found += User.objects.filter(memberships__dealership=dealership, is_active=True).values_list(
        "email", flat=True
    )
    sender = getaddresses([settings.DEFAULT_FROM_EMAIL or ""])
    for _name, address in sender:
        found.append(address)
    domains = {settings.ANYMAIL.get("MAILGUN_SENDER_DOMAIN") or ""}
    domains |= {address.rsplit("@", 1)[1] for _name, address in sender if "@" in address}
    found += [f"@{domain.lower()}" for domain in domains if domain]
    return sorted({a.strip() for a in found if a and a.strip()})


class _Sources:
    """Each dealership's enabled sources and each source's labels, read once per batch."""

    def __init__(self) -> None:
        self._enabled: dict[int, list[Source]] = {}
        self._labels: dict[int, dict[str, str]] = {}
        self._own: dict[int, list[str]] = {}

    def enabled(self, dealership: Dealership) -> list[Source]:
        if dealership.pk not in self._enabled:
            self._enabled[dealership.pk] = list(dealership.sources.filter(is_enabled=True))
        return self._enabled[dealership.pk]

    def by_sender(self, dealership: Dealership, *addresses: str) -> Source | None:
        return _matching(self.enabled(dealership), addresses)

    def named(self, dealership: Dealership, name: str | None) -> Source | None:
        name = (name or "").strip().upper()
        return next((s for s in self.enabled(dealership) if s.name.upper() == name), None)

    def own_addresses(self, dealership: Dealership) -> list[str]:
        if dealership.pk not in self._own:
            self._own[dealership.pk] = own_addresses(dealership)
        return self._own[dealership.pk]

    def labels(self, source: Source | None) -> dict[str, str]:
        if source is None:
            return {}
        if source.pk not in self._labels:
            self._labels[source.pk] = extra_labels_for(source)
        return self._labels[source.pk]


def match_source(dealership: Dealership, *addresses: str) -> Source | None:
    return _matching(list(dealership.sources.filter(is_enabled=True)), addresses)


def _matching(sources: list[Source], addresses: tuple[str, ...]) -> Source | None:
    with_patterns = [s for s in sources if s.sender_patterns]
    for address in addresses:
        if address:
            for source in with_patterns:
                if source.matches_sender(address):
                    return source
    return None


def extra_labels_for(source: Source | None) -> dict[str, str]:
    if source is None:
        return {}
    return dict(source.labels.values_list("label", "field"))


def _not_parsed(message: InboundMessage, status: str, reason: str) -> Outcome:
    message.status = status
    message.failure_reason = reason
    return Outcome(message=message)


def _log_entry(outcome: Outcome, by: User | None) -> InboundMessageLog:
    message = outcome.message
    if outcome.reply_on is not None:
        action, note = Action.REPLY, f"lead #{outcome.reply_on.pk}"
    elif outcome.lead is not None:
        action, note = Action.PARSED, f"lead #{outcome.lead.pk}"
    elif outcome.duplicate_of is not None:
        action, note = Action.MERGED, f"lead #{outcome.duplicate_of.pk}"
    else:
        action = {
            Status.QUARANTINED: Action.QUARANTINED,
            Status.UNROUTED: Action.UNROUTED,
            Status.NOT_A_LEAD: Action.NOT_A_LEAD,
        }
        action, note = action[message.status], message.failure_reason
    return InboundMessageLog(message=message, action=action, actor=by, note=note)


def _write_all(readings: list[tuple[InboundMessage, dict]], by: User | None) -> list[Outcome]:
    if not readings:
        return []
    try:
        with transaction.atomic():
            written = _write(readings, by)
    except (OperationalError, InterfaceError):
        raise  # the database is away, not the messages' fault: the task retries
    except Exception as exc:
        if len(readings) > 1:  # find the message at fault: each alone
            return [outcome for reading in readings for outcome in _write_all([reading], by)]
        message = readings[0][0]
        logs.exception_without_text(
            logger, "inbound message %s: storing its lead failed", message.pk
        )
        return [_not_parsed(message, Status.QUARANTINED, f"internal error: {type(exc).__name__}")]
    for outcome in written:  # only now: a batch rolled back must leave the messages as they were
        outcome.message.failure_reason = ""
        outcome.message.status = Status.PARSED if outcome.lead else Status.MERGED
        outcome.message.merged_into = outcome.duplicate_of
    return written


def _write(readings: list[tuple[InboundMessage, dict]], by: User | None) -> list[Outcome]:
    """Customers, merges and new leads of parsed messages: per dealership, the customers in two
    reads and a write, the open leads they may repeat in one read, then the new leads and every
    event together."""
    outcomes: list[Outcome] = []
    for dealership, group in _per_dealership(readings):
        customers = [(parsed.get("customer") or {}) for _message, parsed in group]
        book = CustomerBook(
            dealership,
            emails=[str(c.get("email") or "") for c in customers],
            numbers=[p.get("number") for c in customers for p in c.get("phones") or []],
        )
        customers = [customer_from(book, data) for data in customers]
        book.save()
        earliest = min(message.received_at for message, _parsed in group)
        candidates = open_leads(dealership=dealership, customers=customers, since=earliest)
        fresh: list[Outcome] = []
        merged: list[Outcome] = []
        for (message, parsed), customer in zip(group, customers, strict=True):
            vehicle = parsed.get("vehicle") or {}
            duplicate = find_duplicate(
                candidates, customer=customer, vehicle=vehicle, at=message.received_at
            )
            if duplicate is not None:
                merged.append(Outcome(message=message, duplicate_of=duplicate))
                continue
            lead = new_lead_from(message, parsed, customer)
            candidates.append(lead)  # a second message of the batch may repeat this one
            fresh.append(Outcome(message=message, lead=lead))
        services.create_leads(leads=[o.lead for o in fresh], by=by)
        services.record_events(events=[_merge_event(o, by) for o in merged])
        outcomes += fresh + merged
    return outcomes


def _per_dealership(readings: list) -> list[tuple[Dealership, list]]:
    groups: dict[int, list] = {}
    for reading in readings:
        groups.setdefault(reading[0].dealership_id, []).append(reading)
    return [(group[0][0].dealership, group) for group in groups.values()]


def _merge_event(outcome: Outcome, by: User | None) -> LeadEvent:
    message, parsed = outcome.message, outcome.message.parsed
    return LeadEvent(
        lead=outcome.duplicate_of,
        kind=EventKind.DUPLICATE_MERGED,
        actor=by,
        note=parsed.get("comments") or "",
        data={
            "inbound_message_id": message.pk,
            "lead_type": parsed.get("lead_type"),
            "source": message.source.name if message.source else parsed.get("source"),
        },
    )


def new_lead_from(message: InboundMessage, parsed: dict, customer: Customer) -> Lead:
    dealership = message.dealership
    return services.new_lead(
        dealership=dealership,
        customer=customer,
        source=message.source,
        lead_type=lead_type_of(parsed.get("lead_type")),
        vehicle=vehicle_from(parsed.get("vehicle") or {}, dealership.currency),
        trade_in=vehicle_from(parsed.get("trade_in") or {}, dealership.currency),
        comments=parsed.get("comments") or "",
        external_id=(parsed.get("external_id") or "")[:120],
        received_at=message.received_at,
        inbound_message=message,
        extra=extra_of(parsed),
    )


def customer_from(book: CustomerBook, data: dict) -> Customer:
    def text(key: str) -> str:
        return _fit(Customer, key, data.get(key))

    phones = [
        (p["number"], p.get("kind") or "unknown")
        for p in data.get("phones") or []
        if p.get("number")
    ]
    return book.find_or_add(
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


def open_leads(*, dealership: Dealership, customers: list[Customer], since) -> list[Lead]:
    """The customers' open leads that a message received at `since` or later could repeat."""
    window = timedelta(hours=settings.DEALERLMS_DUPLICATE_WINDOW_HOURS)
    return list(
        Lead.objects.open()
        .filter(
            dealership=dealership,
            customer_id__in={c.pk for c in customers},
            received_at__gte=since - window,
        )
        .select_related("vehicle")
    )


def find_duplicate(candidates: list[Lead], *, customer: Customer, vehicle: dict, at) -> Lead | None:
    """The customer's earliest open lead about the same vehicle received within the duplicate
    window before `at`, among `candidates` (open_leads, plus the leads of the batch so far)."""
    since = at - timedelta(hours=settings.DEALERLMS_DUPLICATE_WINDOW_HOURS)
    same = [
        lead
        for lead in candidates
        if lead.customer_id == customer.pk
        and lead.received_at >= since
        and same_vehicle(lead.vehicle, vehicle)
    ]
    return min(same, key=lambda lead: (lead.received_at, lead.pk or math.inf), default=None)


def same_vehicle(known: LeadVehicle | None, vehicle: dict) -> bool:
    """Whether a lead's vehicle is the one a message asks about: the same VIN, or stock number,
    or make and model (case-insensitive); a message naming no vehicle repeats a lead naming
    none either."""
    vin, stock, make, model = (
        str(vehicle.get(k) or "") for k in ("vin", "stock_number", "make", "model")
    )
    if not (vin or stock or make or model):
        return known is None or (known.make == "" and known.model == "")
    if known is None:
        return False
    return bool(
        (vin and known.vin.upper() == vin.upper())
        or (stock and known.stock_number.upper() == stock.upper())
        or (
            make
            and model
            and (known.make.upper(), known.model.upper()) == (make.upper(), model.upper())
        )
    )


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


def _fit(model, field: str, value: object) -> str:
    """A parsed string cut to the column it goes into (a long value must not lose the lead)."""
    if value is None:
        return ""
    return str(value)[: model._meta.get_field(field).max_length]
