"""The outbox: messages queued now for the dispatcher (a salesperson's template to the customer,
a test-send to oneself), and the kick that starts the dispatcher after the commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from automation import whatsapp
from automation.consent import customer_address, why_not_to_customer
from automation.errors import AutomationError
from automation.models import (
    ActionKind,
    Channel,
    MessageTemplate,
    RecipientKind,
    ScheduledAction,
    WhatsAppTemplate,
)
from core import jobs
from leads.models import Lead


def kick_dispatcher() -> None:
    """Send what is due now without waiting for the next beat (after the commit, so that the
    worker sees the rows): one dispatcher run for everything due, not one per message."""
    from automation.tasks import DISPATCH_JOB, dispatch

    transaction.on_commit(lambda: jobs.queue_once(dispatch, DISPATCH_JOB))


@transaction.atomic
def queue_lead_message(
    *, lead: Lead, template: MessageTemplate, channel: str, by: User
) -> ScheduledAction:
    """A salesperson sends a template to the customer now (through the dispatcher)."""
    if template.dealership_id != lead.dealership_id:
        raise AutomationError(_("That template belongs to another dealership."))
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise AutomationError(_("A message template goes by e-mail or SMS."))
    reason = why_not_to_customer(lead, channel)
    if reason:
        raise AutomationError(_("Not sent: %(reason)s.") % {"reason": reason})
    action = ScheduledAction.objects.create(
        kind=ActionKind.MANUAL,
        template=template,
        lead=lead,
        recipient_kind=RecipientKind.CUSTOMER,
        channel=channel,
        due_at=timezone.now(),
        created_by=by,
    )
    kick_dispatcher()
    return action


@transaction.atomic
def queue_test_send(
    *, template: MessageTemplate, lead: Lead, channel: str, by: User, language: str = ""
) -> ScheduledAction:
    """The template, rendered for a real lead, to the person themself (no lead event)."""
    if channel == Channel.EMAIL and not by.email:
        raise AutomationError(_("Your profile has no e-mail address."))
    if channel == Channel.SMS and not by.phone:
        raise AutomationError(_("Your profile has no mobile phone number."))
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise AutomationError(_("A message template goes by e-mail or SMS."))
    action = ScheduledAction.objects.create(
        kind=ActionKind.TEST,
        template=template,
        lead=lead,
        recipient_kind=RecipientKind.USER,
        recipient_user=by,
        channel=channel,
        due_at=timezone.now(),
        reason=language,
        created_by=by,
    )
    kick_dispatcher()
    return action


@transaction.atomic
def queue_reply(
    *,
    lead: Lead,
    channel: str,
    text: str = "",
    by: User,
    subject: str = "",
    whatsapp_template: WhatsAppTemplate | None = None,
) -> ScheduledAction:
    """A person's own words to the customer, now, through the dispatcher (logged on the lead,
    sent at most once). Consent and opt-outs apply; the sending window of automations does not:
    a salesperson answering a customer chooses the moment themself. By WhatsApp: free text only
    within 24 hours after the customer's last WhatsApp message, else an approved template."""
    text = text.strip()
    if channel not in Channel.values:
        raise AutomationError(_("Choose e-mail, SMS or WhatsApp."))
    if whatsapp_template is not None and channel != Channel.WHATSAPP:
        raise AutomationError(_("An approved WhatsApp template goes by WhatsApp only."))
    if not text and whatsapp_template is None:
        raise AutomationError(_("Write a message first."))
    reason = why_not_to_customer(lead, channel)
    if reason:
        raise AutomationError(_("Not sent: %(reason)s.") % {"reason": reason})
    if channel == Channel.WHATSAPP:
        _check_whatsapp(lead, text=text, template=whatsapp_template)
    action = ScheduledAction.objects.create(
        kind=ActionKind.REPLY,
        lead=lead,
        recipient_kind=RecipientKind.CUSTOMER,
        channel=channel,
        due_at=timezone.now(),
        subject=subject.strip()[:200] if channel == Channel.EMAIL else "",
        body=text if whatsapp_template is None else "",
        whatsapp_template=whatsapp_template,
        created_by=by,
    )
    kick_dispatcher()
    return action


def _check_whatsapp(lead: Lead, *, text: str, template: WhatsAppTemplate | None) -> None:
    """WhatsApp's rule, kept here and not only in the form: free text within the customer's
    24-hour window; outside it, an approved template of the dealership, every variable filled."""
    if template is None:
        number = customer_address(lead, Channel.WHATSAPP)
        if not whatsapp.window(lead.dealership, number).is_open:
            raise AutomationError(
                _(
                    "Not sent: the customer has not written on WhatsApp in the last 24 hours, "
                    "so WhatsApp allows only an approved template until they write again."
                )
            )
        return
    if template.dealership_id != lead.dealership_id or not template.is_enabled:
        raise AutomationError(_("Choose an approved WhatsApp template of this dealership."))
    empty = whatsapp.empty_placeholders(template, lead)
    if empty:
        raise AutomationError(
            _("Not sent: %(names)s would be empty for this lead.")
            % {"names": ", ".join("{{ %s }}" % n for n in empty)}  # noqa: UP031
        )
