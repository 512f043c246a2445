"""Writing in a lead's conversation: a person's reply (e-mail, SMS, WhatsApp), through the automation outbox (consent,
opt-outs, the dispatcher's at-most-once sending, the lead's "message sent" event)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from automation.models import Channel, ScheduledAction, WhatsAppTemplate
from automation.outbox import queue_reply
from conversations.selectors import conversation, last_email_subject
from leads.models import Lead


def reply_subject(lead: Lead) -> str:
    """'Re: ' the last e-mail's subject, else one naming the dealership."""
    last = last_email_subject(conversation(lead))
    if last:
        return last if last.lower().startswith("re:") else f"Re: {last}"
    return _("Your request at %(dealership)s") % {"dealership": lead.dealership.name}


def send_reply(
    *,
    lead: Lead,
    channel: str,
    text: str = "",
    by: User,
    subject: str = "",
    whatsapp_template: WhatsAppTemplate | None = None,
) -> ScheduledAction:
    """Queue the reply now. Sending hours do not apply (a person answering chooses the moment);
    it does not count as a contact attempt either: like a template sent from the lead page,
    only a logged attempt does (leads.services.log_contact_attempt). By WhatsApp, free text only
    within the customer's 24-hour window, else an approved template (automation.outbox)."""
    if channel == Channel.EMAIL and not subject.strip():
        subject = reply_subject(lead)
    return queue_reply(
        lead=lead,
        channel=channel,
        text=text,
        subject=subject,
        by=by,
        whatsapp_template=whatsapp_template,
    )
