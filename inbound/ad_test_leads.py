"""Test leads of the ad platforms ("Send test data" in Google Ads, Facebook's Lead Ads Testing
Tool): kept like every message and read at once with the same parser and the source's labels,
then marked *not a lead* with the reason "test lead: …". No customer or lead is made, so nobody
is assigned and no figure counts them; the source's page links the last one, to show what was
read and that the connection works. Each delivery is kept (the platforms resend one test id)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from core.text import db_safe
from inbound import ingest
from leadparser import ParseError, parse_message
from leads.models import InboundMessage, Source

REASON = "test lead: kept, not made into a lead, not routed"
SHAPES = {"google_ads": "Google Ads", "facebook": "Facebook Lead Ads"}


def store(*, source: Source, raw: bytes, shape: str, provider: str) -> InboundMessage:
    """Keep a test lead and read it now; the caller holds a transaction."""
    name = SHAPES.get(shape, shape)
    message = ingest.store_message(
        channel="api",
        provider=provider,
        raw=raw,
        dealership=source.dealership,
        source=source,
        sender=name,
        subject=f"{name} test lead",
        enqueue=False,
        dedup_basis=f"adtest:{uuid.uuid4().hex}",
    )
    try:
        parsed = parse_message(
            raw,
            region=source.dealership.country or settings.DEALERLMS_DEFAULT_REGION,
            extra_labels=ingest.extra_labels_for(source),
            max_bytes=settings.DEALERLMS_MAX_INBOUND_BYTES,
        )
        reason = f"{REASON} ({name})"
    except ParseError as exc:
        parsed, reason = None, f"{REASON} ({name}); it could not be read: {exc}"
    message.parsed = db_safe(parsed)
    message.status = InboundMessage.Status.NOT_A_LEAD
    message.failure_reason = reason
    message.parse_attempts += 1
    message.processed_at = timezone.now()
    message.save(
        update_fields=["parsed", "status", "failure_reason", "parse_attempts", "processed_at"]
    )
    ingest.log(message, ingest.Action.NOT_A_LEAD, note=reason)
    return message


def latest(source: Source) -> InboundMessage | None:
    """The last test lead of this source, for its settings page."""
    return (
        source.inbound_messages.filter(
            status=InboundMessage.Status.NOT_A_LEAD, failure_reason__startswith=REASON
        )
        .defer("raw")
        .order_by("-received_at")
        .first()
    )
