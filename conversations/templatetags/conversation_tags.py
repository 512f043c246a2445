from django import template

from automation.consent import customer_address
from automation.models import Channel
from conversations.forms import ReplyForm
from conversations.selectors import conversation, last_inbound_channel, reply_options
from leads.models import Lead

register = template.Library()


@register.simple_tag
def lead_conversation(lead: Lead, form: ReplyForm | None = None) -> dict:
    """What the lead page's conversation panel shows: the thread, and the reply form with the
    channels the customer may get (and why not, for the others), by default on the channel the
    customer last wrote by; for WhatsApp, its 24-hour window."""
    entries = conversation(lead)
    if not isinstance(form, ReplyForm):  # the lead page has none in its context
        form = ReplyForm(options=reply_options(lead), channel=last_inbound_channel(entries))
    options = form.options
    return {
        "entries": entries,
        "form": form,
        "channels": [
            {
                "label": label,
                "address": customer_address(lead, value),
                "blocked": options.blocked[value],
            }
            for value, label in options.channels
        ],
        "can_reply": not all(options.blocked.values()),
        "whatsapp": options if options.whatsapp_offered else None,
        "whatsapp_chosen": form.channel == Channel.WHATSAPP,
    }
