"""Anymail's inbound signal → inbound.ingest. Connected in InboundConfig.ready()."""

from __future__ import annotations

import base64
import binascii

from core.webhooks import refuse_unless_authenticated
from inbound import ingest


def on_inbound(sender, event, esp_name: str, **kwargs) -> None:
    refuse_unless_authenticated(esp_name, "inbound")
    ingest.receive_email(
        message=event.message,
        provider=esp_name,
        event_id=event.event_id,
        raw=as_posted(event, esp_name),
    )


def as_posted(event, esp_name: str) -> bytes | None:
    """The raw message as the provider posted it, where it posts the raw MIME (the bytes anymail
    parsed): kept exactly as it came (anymail's message written out again has other line
    endings and refolded headers), and without writing out a 41 MB message a second time (0.6 s
    of the provider's wait). None: the message is written out from anymail's."""
    data, esp = event.esp_event, esp_name.lower()  # anymail's names: "Mailgun", "Amazon SES"
    try:
        if esp == "mailgun" and hasattr(data, "POST"):
            text = data.POST.get("body-mime")
        elif esp == "sendgrid" and hasattr(data, "POST") and "headers" not in data.POST:
            text = data.POST.get("email")
        elif esp == "postmark" and isinstance(data, dict):
            text = data.get("RawEmail")
        elif esp == "amazon ses" and isinstance(data, dict):
            action = (data.get("receipt") or {}).get("action") or {}
            text = data.get("content") if action.get("type") == "SNS" else None
            if isinstance(text, str) and action.get("encoding") == "BASE64":
                return base64.b64decode(text.encode("ascii"))
        else:
            return None
    except (AttributeError, TypeError, ValueError, binascii.Error):
        return None
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) and text else None
