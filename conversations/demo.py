"""Demo conversations: on one open lead of each demo dealership's first salesperson, the
customer's e-mail reply (stored as it would arrive at the lead's reply address), the
salesperson's written answer, and the customer's SMS after it that still waits for an answer —
so the inbox flags it, the dashboard counts it and the bell shows the reply. Where the
dealership has a WhatsApp sender, another lead's conversation is on WhatsApp: the approved
template the salesperson sent (read), the customer's answer, and the salesperson's free text
inside the 24-hour window."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext

from automation import whatsapp
from automation.demo import whatsapp_template
from automation.models import (
    ActionKind,
    ActionState,
    Channel,
    DeliveryStatus,
    InboundSms,
    Notification,
    NotificationKind,
    OutboundMessage,
    RecipientKind,
    ScheduledAction,
    WhatsAppTemplate,
)
from dealers.models import Dealership
from leads.lifecycle import OPEN_STATUSES
from leads.models import ContactOutcome, EventKind, InboundMessage, Lead
from leads.reply_address import reply_address
from leads.services import record_event

TEXTS = {
    "nl": (
        "Is de {vehicle} nog beschikbaar? Ik kan zaterdagochtend langskomen.",
        "Goedemorgen, ja, hij staat klaar. Zaterdag om 10 uur past prima. Groet, {seller}",
        "Top, tot zaterdag! Mag ik mijn huidige auto meenemen voor een taxatie?",
    ),
    "fr": (
        "La {vehicle} est-elle toujours disponible ? Je peux passer samedi matin.",
        "Bonjour, oui, elle vous attend. Samedi à 10 h, c'est parfait. {seller}",
        "Parfait, à samedi ! Puis-je venir avec ma voiture actuelle pour une reprise ?",
    ),
}
OTHER = "Re: "
DEMO_SELLERS = ("sanne", "camille")


def build(*, dealerships: dict[str, Dealership], now: datetime) -> None:
    for dealership in dealerships.values():
        candidates = (
            Lead.objects.filter(
                dealership=dealership, status__in=OPEN_STATUSES, assigned_to__isnull=False
            )
            .exclude(customer__email="")
            .filter(customer__phones__isnull=False)
            .select_related("customer", "assigned_to", "vehicle", "dealership")
            # A lead quiet for a few hours, so the conversation has room before now.
            .annotate(last_event=Max("events__occurred_at"))
            .filter(last_event__lt=now - timedelta(hours=3))
            .order_by("-received_at")
        )
        # The README's salespeople first: who logs in as sanne or camille sees it at once.
        lead = (
            candidates.filter(assigned_to__username__in=DEMO_SELLERS).first() or candidates.first()
        )
        if lead is not None:
            _conversation(lead, now)
        if dealership.whatsapp_number:
            others = candidates.exclude(pk=lead.pk) if lead is not None else candidates
            on_whatsapp = (
                others.filter(assigned_to__username__in=DEMO_SELLERS, vehicle__isnull=False).first()
                or others.filter(vehicle__isnull=False).first()
            )
            if on_whatsapp is not None:
                _whatsapp_conversation(on_whatsapp, whatsapp_template(dealership))


def _conversation(lead: Lead, now: datetime) -> None:
    # Timelines run forward and never into the future: between the lead's last event and the
    # real now (other demo parts write while the demo loads).
    latest = max((e.occurred_at for e in lead.events.all()), default=lead.received_at)
    end = max(timezone.now(), latest)
    start = max(latest, end - timedelta(hours=5))
    step = (end - start) / 4
    asked, answered, again = (start + step * n for n in (1, 2, 3))
    language = lead.dealership.language if lead.dealership.language in TEXTS else "nl"
    question, answer, follow_up = TEXTS[language]
    seller = lead.assigned_to
    vehicle = str(lead.vehicle) if lead.vehicle_id else "auto"
    question = question.format(vehicle=vehicle)
    subject = f"{OTHER}{lead.dealership.name}"

    # 1. The customer answers an e-mail: stored as it came, on the conversation.
    to = reply_address(lead)
    raw = EmailMessage()
    raw["From"], raw["To"], raw["Subject"] = lead.customer.email, to, subject
    raw["Message-ID"] = f"<{uuid.uuid4()}@mail.example>"
    raw.set_content(f"{question}\n\n> …")
    stored = InboundMessage.objects.create(
        received_at=asked,
        channel="email",
        provider="demo",
        recipient=to,
        sender=lead.customer.email,
        subject=subject,
        dealership=lead.dealership,
        raw=raw.as_bytes(),
        text=f"{question}\n\n> …",
        status=InboundMessage.Status.REPLY,
        merged_into=lead,
        processed_at=asked,
    )
    record_event(
        lead=lead,
        kind=EventKind.MESSAGE_RECEIVED,
        channel="email",
        occurred_at=asked,
        note=question,
        data={"inbound_message_id": stored.pk, "from": lead.customer.email, "subject": subject},
    )

    # 2. The salesperson answers in their own words (sent and delivered).
    text = answer.format(seller=seller)
    _reply_sent(
        lead,
        answered,
        channel="email",
        to=lead.customer.email,
        subject=subject,
        body=text,
        language=language,
        status=DeliveryStatus.DELIVERED,
        provider_id=f"<demo-reply-{lead.pk}@dealerlms>",
        note=subject,
    )

    # 3. The customer's SMS after it: unanswered, so the inbox flags it with its waiting time.
    number = lead.customer.phones.first().number
    sms = InboundSms.objects.create(
        sid=f"SMdemo{uuid.uuid4().hex}", from_number=number, body=follow_up, lead=lead,
        received_at=again,
    )  # fmt: skip
    record_event(
        lead=lead,
        kind=EventKind.MESSAGE_RECEIVED,
        channel="sms",
        occurred_at=again,
        note=follow_up,
        data={"from": number, "sid": sms.sid, "inbound_sms_id": sms.pk},
    )
    with translation.override(seller.language):
        title = gettext("%(customer)s replied") % {"customer": lead.customer}
    Notification.objects.create(
        user=seller, kind=NotificationKind.REPLY, lead=lead, title=title, body=follow_up,
        created_at=again,
    )  # fmt: skip


WHATSAPP_TEXTS = (
    "Ja graag! Kan het donderdag na 17 uur? Ik kom met mijn vrouw.",
    "Donderdag 17:30 staat genoteerd, de {vehicle} staat dan voor u klaar. Tot donderdag! {seller}",
)


def _whatsapp_conversation(lead: Lead, template: WhatsAppTemplate) -> None:
    """On WhatsApp: the salesperson's approved template (outside any window: the customer had
    not written yet), the customer's answer (which opens the 24-hour window), and the
    salesperson's free text in it, read by the customer. Answered: nobody waits."""
    latest = max((e.occurred_at for e in lead.events.all()), default=lead.received_at)
    end = max(timezone.now(), latest)
    start = max(latest, end - timedelta(hours=4))
    step = (end - start) / 4
    invited, answered, confirmed = (start + step * n for n in (1, 2, 3))
    seller, dealership = lead.assigned_to, lead.dealership
    number = lead.customer.phones.first().number
    filled = whatsapp.fill(template, lead)
    _whatsapp_sent(lead, invited, body=filled.text, template=template, status="read")
    answer, confirmation = WHATSAPP_TEXTS
    message = InboundSms.objects.create(
        sid=f"SMdemo{uuid.uuid4().hex}",
        channel=Channel.WHATSAPP,
        from_number=number,
        to_number=dealership.whatsapp_number,
        profile_name=str(lead.customer),
        body=answer,
        lead=lead,
        received_at=answered,
    )
    record_event(
        lead=lead,
        kind=EventKind.MESSAGE_RECEIVED,
        channel="whatsapp",
        occurred_at=answered,
        note=answer,
        data={"from": number, "sid": message.sid, "inbound_sms_id": message.pk},
    )
    text = confirmation.format(vehicle=lead.vehicle, seller=seller.first_name or seller)
    _whatsapp_sent(lead, confirmed, body=text, status="delivered")


def _whatsapp_sent(
    lead: Lead, at: datetime, *, body: str, status: str, template: WhatsAppTemplate | None = None
) -> None:
    _reply_sent(
        lead,
        at,
        channel="whatsapp",
        to=lead.customer.phones.first().number,
        body=body,
        language="nl",
        status=status,
        provider_id=f"SMdemo{uuid.uuid4().hex}",
        note=body[:300],
        template=template,
    )


def _reply_sent(
    lead: Lead,
    at: datetime,
    *,
    channel: str,
    to: str,
    body: str,
    language: str,
    status: str,
    provider_id: str,
    note: str,
    subject: str = "",
    template: WhatsAppTemplate | None = None,
) -> None:
    """A reply the salesperson sent from the lead page, as the dispatcher leaves it: the action,
    the message with its delivery state, the timeline's "message sent"."""
    seller = lead.assigned_to
    action = ScheduledAction.objects.create(
        kind=ActionKind.REPLY,
        lead=lead,
        recipient_kind=RecipientKind.CUSTOMER,
        channel=channel,
        due_at=at,
        state=ActionState.SENT,
        attempts=1,
        claimed_at=at,
        finished_at=at,
        subject=subject,
        body="" if template else body,
        whatsapp_template=template,
        created_by=seller,
        created_at=at,
    )
    message = OutboundMessage.objects.create(
        action=action,
        lead=lead,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        language=language,
        status=status,
        provider_id=provider_id,
        created_at=at,
    )
    record_event(
        lead=lead,
        kind=EventKind.MESSAGE_SENT,
        actor=seller,
        occurred_at=at,
        channel=channel,
        outcome=ContactOutcome.SENT,
        note=note,
        data={
            "to": to,
            "recipient": "customer",
            "action_id": action.pk,
            "message_uid": str(message.uid),
        },
    )
