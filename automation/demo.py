"""Demo automations: the ready-made templates and rules (switched on) for each demo dealership,
a custom "sorry we missed you" SMS rule, a few messages already sent on recent leads (with their
delivery status), unread notifications so that the bell shows something, and for a dealership
with a WhatsApp sender one approved WhatsApp template."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext

from automation import customer_rules, render
from automation.models import (
    ActionKind,
    ActionState,
    DeliveryStatus,
    MessageTemplate,
    Notification,
    NotificationKind,
    OutboundMessage,
    RecipientKind,
    Rule,
    ScheduledAction,
    WhatsAppTemplate,
)
from dealers.models import Dealership
from leads.lifecycle import OPEN_STATUSES
from leads.models import ContactOutcome, EventKind, Lead
from leads.services import record_event

SORRY = {
    "nl": "Beste {{ customer_name }}, we probeerden u te bellen{% if vehicle %} over de {{ vehicle }}{% endif %}. "
    "Wanneer komt het u uit? Groet, {{ salesperson }} ({{ dealership }})",
    "fr": "Bonjour {{ customer_name }}, nous avons essayé de vous joindre au sujet de la "
    "{{ vehicle|default:'voiture' }}. Quand pouvons-nous vous rappeler ? {{ salesperson }} ({{ dealership }})",
    "en": "Dear {{ customer_name }}, we tried to call you{% if vehicle %} about the {{ vehicle }}{% endif %}. When suits "
    "you? {{ salesperson }} ({{ dealership }})",
}


SORRY_NAME = {
    "nl": "Sorry, we misten u",
    "fr": "Désolé, nous vous avons manqué",
    "en": "Sorry we missed you",
}


def build(*, dealerships: dict[str, Dealership], now: datetime) -> None:
    for dealership in dealerships.values():
        customer_rules.install_ready_made(dealership=dealership, enable_rules=True)
        sorry = MessageTemplate.objects.create(
            dealership=dealership,
            name=SORRY_NAME[dealership.language] + " (SMS)",
            **{f"body_{code}": text for code, text in SORRY.items()},
        )
        Rule.objects.create(
            dealership=dealership,
            name=SORRY_NAME[dealership.language],
            trigger="contact_attempt",
            offset_amount=30,
            offset_unit="minutes",
            statuses=["new", "assigned"],
            to_customer=True,
            channel="sms",
            template=sorry,
            window_start=time(9),
            window_end=time(19),
            window_days=[0, 1, 2, 3, 4, 5],
        )
        _history(dealership, now)
        if dealership.whatsapp_number:
            whatsapp_template(dealership)


# The demo's approved WhatsApp template (its content SID is made up: without Twilio, the dev
# outbox keeps what would have gone out).
WHATSAPP_TEMPLATE = {
    "name": "Proefrit voorstellen",
    "content_sid": "HX" + "d0e5b0c9" * 4,
    "language": "nl",
    "body": "Hallo {{1}}, u vroeg naar de {{2}}. Zullen we een proefrit plannen? "
    "Stuur gerust een berichtje terug. Groet, {{3}} ({{4}})",
    "variables": ["customer_first_name", "vehicle", "salesperson", "dealership"],
}


def whatsapp_template(dealership: Dealership) -> WhatsAppTemplate:
    template, _created = WhatsAppTemplate.objects.get_or_create(
        dealership=dealership, name=WHATSAPP_TEMPLATE["name"], defaults=WHATSAPP_TEMPLATE
    )
    return template


def _history(dealership: Dealership, now: datetime) -> None:
    confirmation = MessageTemplate.objects.get(dealership=dealership, key="confirmation")
    rule = Rule.objects.get(dealership=dealership, template=confirmation)
    recent = (
        Lead.objects.filter(dealership=dealership, status__in=OPEN_STATUSES)
        .exclude(customer__email="")
        .select_related("customer", "assigned_to")
        .order_by("-received_at")[:6]
    )
    for n, lead in enumerate(recent):
        # The confirmation goes out a minute after receipt, or (for a lead whose demo timeline
        # already moved on) just after its latest event: timelines run forward.
        latest = max(e.occurred_at for e in lead.events.all())
        at = max(lead.received_at + timedelta(minutes=1), latest + timedelta(milliseconds=1))
        at = min(at, timezone.now())
        action = ScheduledAction.objects.create(
            kind=ActionKind.RULE,
            rule=rule,
            lead=lead,
            recipient_kind=RecipientKind.CUSTOMER,
            channel="email",
            anchor_at=lead.received_at,
            due_at=at,
            state=ActionState.SENT,
            attempts=1,
            claimed_at=at,
            finished_at=at,
        )
        language, subject, body = confirmation.version(lead.customer.language, dealership.language)
        text = render.render(
            subject, body, render.lead_context(lead, language=language), language=language
        )
        message = OutboundMessage.objects.create(
            action=action,
            lead=lead,
            channel="email",
            to=lead.customer.email,
            subject=text.subject,
            body=text.text,
            language=language,
            status=DeliveryStatus.BOUNCED if n == 5 else DeliveryStatus.DELIVERED,
            provider_id=f"<demo-{lead.pk}@dealerlms>",
            created_at=at,
        )
        record_event(
            lead=lead,
            kind=EventKind.MESSAGE_SENT,
            occurred_at=at,
            channel="email",
            outcome=ContactOutcome.SENT,
            note=message.subject,
            data={"to": message.to, "rule_id": rule.pk, "action_id": action.pk},
        )
        if lead.assigned_to_id and n < 3:
            with translation.override(lead.assigned_to.language):
                title = gettext("New lead for you: %(customer)s") % {"customer": lead.customer}
            Notification.objects.create(
                user=lead.assigned_to,
                kind=NotificationKind.ASSIGNED,
                lead=lead,
                title=title,
                body=str(lead.vehicle or ""),
                created_at=lead.received_at,
            )
