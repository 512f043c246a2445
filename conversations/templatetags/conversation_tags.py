from django import template

from automation.consent import customer_address, why_not_to_customer
from automation.models import Channel
from conversations.forms import ReplyForm
from conversations.selectors import conversation
from leads.models import Lead

register = template.Library()


@register.simple_tag
def lead_conversation(lead: Lead, form: ReplyForm | None = None) -> dict:
    """What the lead page's conversation panel shows: the thread, and the reply form with the
    channels the customer may get (and why not, for the others)."""
    blocked = {value: why_not_to_customer(lead, value) for value in Channel.values}
    return {
        "entries": conversation(lead),
        "form": form or ReplyForm(blocked=blocked),
        "channels": [
            {"label": label, "address": customer_address(lead, value), "blocked": blocked[value]}
            for value, label in Channel.choices
        ],
        "can_reply": not all(blocked.values()),
    }
