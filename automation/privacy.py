"""Where the automation app's models hold a customer's personal data (see leads.privacy)."""

from django.db.models import Q

from automation.models import (
    InboundSms,
    MessageTemplate,
    Notification,
    NotificationPreference,
    OptOut,
    OutboundMessage,
    Rule,
    ScheduledAction,
    WhatsAppTemplate,
)
from leads.privacy import How, holds_none, register

register(
    OutboundMessage,
    rows=lambda p: OutboundMessage.objects.filter(
        Q(lead__customer__in=p.customer_ids)
        | Q(to__in=(*p.emails, *p.phones))
        # The e-mail and SMS copies of a staff notification about the customer.
        | Q(action__notification__lead__customer__in=p.customer_ids)
    ),
    fields={"to": How.BLANK, "subject": How.SCRUB, "body": How.BLANK},
    why="the address, and the text as it was sent (it names the customer)",
)
register(
    InboundSms,
    rows=lambda p: InboundSms.objects.filter(
        Q(lead__customer__in=p.customer_ids) | Q(from_number__in=p.phones)
    ),
    fields={"from_number": How.BLANK, "profile_name": How.BLANK, "body": How.BLANK},
    why="the customer's number, their WhatsApp name and what they wrote",
)
register(
    OptOut,
    rows=lambda p: OptOut.objects.filter(
        Q(customer__in=p.customer_ids) | Q(address__in=(*p.emails, *p.phones))
    ),
    delete_rows=True,
    why="the address; an erased customer gets no messages anyway (consent withdrawn)",
)
register(
    Notification,
    rows=lambda p: Notification.objects.filter(lead__customer__in=p.customer_ids),
    fields={"title": How.SCRUB, "body": How.SCRUB},
    why="staff notifications quote the customer's name and reply",
)
register(
    ScheduledAction,
    rows=lambda p: ScheduledAction.objects.filter(
        Q(lead__customer__in=p.customer_ids) | Q(notification__lead__customer__in=p.customer_ids)
    ),
    fields={"reason": How.SCRUB},
    why="a skip reason may name the address",
)
holds_none(MessageTemplate, "the dealership's templates, with placeholders")
holds_none(Rule, "the dealership's automation rules")
holds_none(WhatsAppTemplate, "the dealership's approved WhatsApp templates, with variables")
holds_none(NotificationPreference, "staff preferences")
