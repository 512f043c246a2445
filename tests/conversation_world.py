"""Building blocks for the conversation tests: a lead held by a salesperson, and a customer's
e-mail reply as their mail program writes it."""

from __future__ import annotations

import uuid
from email.message import EmailMessage

from django.test import Client

from leads import services
from leads.models import Lead
from tests import inbound_payloads as wire
from tests.automation_helpers import new_lead
from tests.factories import salesperson


def held_lead(dealership, **seller_fields) -> tuple:
    seller = salesperson(dealership, **seller_fields)
    lead = new_lead(dealership)
    services.assign_lead(lead=lead, to=seller)
    return seller, Lead.objects.get(pk=lead.pk)


def customer_email(
    *, sender: str, to: str, text: str | None, html: str | None = None, subject: str = "Re: Myli"
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@mail.example>"
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    return message.as_bytes()


def deliver(raw: bytes, to: str, capture) -> int:
    """Through the Mailgun inbound webhook, the parse job run when the request commits."""
    with capture(execute=True):
        return wire.mailgun(Client(), raw, to).status_code
