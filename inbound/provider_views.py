"""Anymail inbound views where anymail assumes more of the wire than providers deliver."""

from __future__ import annotations

import base64
import binascii

from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView


class SparkPostInbound(SparkPostInboundWebhookView):
    """SparkPost relays the message base64 as it was received, and anymail decodes it as UTF-8:
    a Latin-1 message was a 500, retried by SparkPost until it gave up (the lead lost). Parsed
    here from its bytes (which are stored as posted: receivers.as_posted)."""

    def esp_to_anymail_event(self, event_class, event, raw_event):
        content = event.get("content") if isinstance(event, dict) else None
        if (
            event_class != "relay_message"
            or event.get("protocol") != "smtp"
            or not isinstance(content, dict)
            or not content.get("email_rfc822_is_base64")
        ):
            return super().esp_to_anymail_event(event_class, event, raw_event)
        try:
            raw = base64.b64decode(str(content.get("email_rfc822") or ""))
        except (binascii.Error, ValueError):
            return super().esp_to_anymail_event(event_class, event, raw_event)
        message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
        message.envelope_sender = event.get("msg_from")
        message.envelope_recipient = event.get("rcpt_to")
        return AnymailInboundEvent(
            event_type=EventType.INBOUND,
            timestamp=None,  # (SparkPost gives none, nor an idempotent id)
            event_id=None,
            esp_event=raw_event,
            message=message,
        )
