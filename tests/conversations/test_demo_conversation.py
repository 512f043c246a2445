"""The demo shows a conversation: sanne's lead with the customer's e-mail reply, her answer and
an SMS still waiting, flagged in her inbox; and in Doesburg, one on WhatsApp."""

import pytest
from django.urls import reverse

from accounts.models import User
from automation.models import WhatsAppTemplate
from conversations.selectors import conversation
from dealers.models import Dealership
from demo.builder import build_demo
from leads.models import Lead


@pytest.mark.django_db
def test_the_demo_has_a_conversation_waiting_for_sanne(client):
    build_demo(leads=90, seed=7)
    sanne = User.objects.get(username="sanne")
    lead = Lead.objects.get(assigned_to=sanne, customer_waiting_since__isnull=False)
    entries = conversation(lead)
    assert [(e.direction, e.channel) for e in entries][-3:] == [
        ("in", "email"),
        ("out", "email"),
        ("in", "sms"),
    ]
    assert entries[-2].by == str(sanne) and entries[-2].state_key == "delivered"
    client.force_login(sanne)
    assert "waiting" in client.get(reverse("leads:inbox")).content.decode()
    assert Lead.objects.filter(customer_waiting_since__isnull=False).count() == 2  # and Lyon's


@pytest.mark.django_db
def test_doesburg_answers_on_whatsapp_in_the_demo(client):
    build_demo(leads=90, seed=7)
    doesburg = Dealership.objects.get(slug="doesburg")
    assert doesburg.whatsapp_number
    (template,) = WhatsAppTemplate.objects.filter(dealership=doesburg)
    lead = Lead.objects.get(events__kind="message_received", events__channel="whatsapp")
    entries = [e for e in conversation(lead) if e.channel == "whatsapp"]
    assert [(e.direction, e.state_key) for e in entries] == [
        ("out", "read"),
        ("in", "received"),
        ("out", "delivered"),
    ]
    assert entries[0].text.startswith("Hallo ") and str(lead.vehicle) in entries[0].text
    assert lead.customer_waiting_since is None  # answered
    client.force_login(lead.assigned_to)
    page = client.get(reverse("conversations:thread", args=[lead.pk])).content.decode()
    assert "whatsapp-window open" in page  # the customer wrote within the last 24 hours
    assert template.content_sid.startswith("HX")
