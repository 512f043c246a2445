from django import template

from accounts.models import User
from automation import selectors
from automation.consent import customer_address, customer_channels, why_not_to_customer
from automation.forms import LeadMessageForm
from leads.models import Lead

register = template.Library()


@register.simple_tag
def lead_messaging(lead: Lead) -> dict:
    """What the lead page's message panel shows: the form, the consent and opt-outs per channel,
    and the last messages with their delivery status."""
    channels = [
        {
            "label": label,
            "address": customer_address(lead, value),
            "blocked": why_not_to_customer(lead, value),
        }
        for value, label in customer_channels(lead)
    ]
    return {
        "form": LeadMessageForm(lead=lead),
        "channels": channels,
        "opt_outs": selectors.opt_outs_for(lead),
        "messages": selectors.lead_messages(lead),
    }


@register.simple_tag
def unread_notifications(user: User) -> int:
    return selectors.unread_count(user) if user.is_authenticated else 0


@register.simple_tag
def dev_outbox_on() -> bool:
    from django.conf import settings

    return bool(settings.DEV_OUTBOX)
