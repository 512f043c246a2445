"""A customer answers an e-mail: through the inbound webhook, by the lead's reply address, onto
the lead's conversation — stored first, never a new lead, the salesperson told, the customer
flagged as waiting. A forged or foreign token goes the normal way."""

import pytest
from django.urls import reverse

from automation.models import Notification
from leads.models import EventKind, InboundMessage, InboundMessageLog, Lead, LeadEvent
from leads.reply_address import reply_address, token_for
from tests import inbound_payloads as wire
from tests.conversation_world import customer_email, deliver, held_lead
from tests.factories import DealershipFactory

QUOTED = (
    "Yes, Saturday at 10 works.\n\nOn Mon, 1 Dec 2026, Sanne wrote:\n> Shall we say Saturday?\n"
)


@pytest.fixture(autouse=True)
def _anymail(settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)


@pytest.mark.django_db
def test_a_reply_lands_on_the_leads_conversation(
    client, dealership, django_capture_on_commit_callbacks
):
    seller, lead = held_lead(dealership)
    to = reply_address(lead)
    raw = customer_email(sender=lead.customer.email, to=to, text=QUOTED)

    assert deliver(raw, to, django_capture_on_commit_callbacks) == 200

    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.REPLY and message.merged_into == lead
    assert bytes(message.raw) == raw  # stored as it came
    assert message.log.filter(action=InboundMessageLog.Action.REPLY).exists()
    assert Lead.objects.count() == 1  # not parsed as a new lead
    event = LeadEvent.objects.get(kind=EventKind.MESSAGE_RECEIVED)
    assert (event.lead, event.channel, event.note) == (lead, "email", "Yes, Saturday at 10 works.")
    assert event.data["inbound_message_id"] == message.pk
    lead.refresh_from_db()
    assert lead.customer_waiting_since == message.received_at
    note = Notification.objects.get(user=seller, kind="reply")
    assert note.lead == lead and "Saturday" in note.body

    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Yes, Saturday at 10 works." in page and "Shall we say" not in page


@pytest.mark.django_db
def test_an_html_reply_is_shown_as_text(client, dealership, django_capture_on_commit_callbacks):
    seller, lead = held_lead(dealership)
    to = reply_address(lead)
    html = (
        '<p>Is the <b>Myli</b> still there?</p><script>alert("x")</script><p>&lt;img src=x&gt;</p>'
    )
    deliver(customer_email(sender=lead.customer.email, to=to, text=None, html=html), to,
            django_capture_on_commit_callbacks)  # fmt: skip

    client.force_login(seller)
    page = client.get(reverse("conversations:thread", args=[lead.pk])).content.decode()
    assert "Is the Myli still there?" in page
    assert "&lt;img src=x&gt;" in page and "<img src=x>" not in page and "alert" not in page


@pytest.mark.django_db
def test_a_forged_token_goes_the_normal_way(dealership, django_capture_on_commit_callbacks):
    _seller, lead = held_lead(dealership)
    local, domain = dealership.inbound_address.split("@")
    head = token_for(lead.pk).split("-")[0]
    to = f"{local}+{head}-0123456789abcdef@{domain}"
    deliver(
        wire.email_to(wire.sample("adf-tradein.eml"), to), to, django_capture_on_commit_callbacks
    )

    message = InboundMessage.objects.get()
    assert message.dealership == dealership and message.status == InboundMessage.Status.PARSED
    assert Lead.objects.count() == 2
    assert not LeadEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).exists()


@pytest.mark.django_db
def test_another_dealerships_lead_is_no_reply_here(django_capture_on_commit_callbacks):
    here, there = DealershipFactory(), DealershipFactory()
    _seller, foreign = held_lead(there)
    local, domain = here.inbound_address.split("@")
    to = f"{local}+{token_for(foreign.pk)}@{domain}"
    deliver(customer_email(sender="x@example.test", to=to, text="Hello"), to,
            django_capture_on_commit_callbacks)  # fmt: skip

    message = InboundMessage.objects.get()
    assert message.dealership == here and message.status != InboundMessage.Status.REPLY
    assert not LeadEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).exists()
