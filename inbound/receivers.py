"""Anymail's inbound signal → inbound.ingest. Connected in InboundConfig.ready()."""

from __future__ import annotations

import base64
import binascii
import re

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
            text = _form_field(data, "body-mime")
        elif esp == "sendgrid" and hasattr(data, "POST") and "headers" not in data.POST:
            text = _form_field(data, "email")
        elif esp == "postmark" and isinstance(data, dict):
            text = data.get("RawEmail")
        elif esp == "sparkpost" and isinstance(data, dict):
            content = ((data.get("msys") or {}).get("relay_message") or {}).get("content") or {}
            text = content.get("email_rfc822")
            if isinstance(text, str) and content.get("email_rfc822_is_base64"):
                return base64.b64decode(text.encode("ascii"))
        elif esp == "amazon ses" and isinstance(data, dict):
            action = (data.get("receipt") or {}).get("action") or {}
            text = data.get("content") if action.get("type") == "SNS" else None
            if isinstance(text, str) and action.get("encoding") == "BASE64":
                return base64.b64decode(text.encode("ascii"))
        else:
            return None
    except (AttributeError, TypeError, ValueError, binascii.Error):
        return None
    if isinstance(text, bytes):
        return text or None
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) and text else None


def _form_field(request, name: str) -> str | bytes | None:
    """A multipart form field as posted. Django decodes fields as UTF-8, replacing what is not
    (a Latin-1 body declared UTF-8, an 8-bit header): the message would lose its accents for
    good. Only then are the field's own bytes cut from the request body (the guard has read it)."""
    text = request.POST.get(name)
    if not isinstance(text, str) or "\ufffd" not in text:
        return text
    return _field_bytes(request.body, request.content_params.get("boundary", ""), name) or text


def _field_bytes(body: bytes, boundary: str, name: str) -> bytes | None:
    if not boundary:
        return None
    delimiter = b"\r\n--" + boundary.encode("ascii", "replace")
    wanted = re.compile(
        rb'content-disposition:[^\r\n]*\bname="?' + re.escape(name.encode()) + rb'"?(?:;|\r|$)',
        re.I,
    )
    for part in (b"\r\n" + body).split(delimiter)[1:]:
        head, sep, data = part.partition(b"\r\n\r\n")
        if sep and wanted.search(head):
            return data
    return None
