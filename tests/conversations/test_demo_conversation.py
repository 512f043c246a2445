"""The demo shows a conversation: sanne's lead with the customer's e-mail reply, her answer and
an SMS still waiting, flagged in her inbox."""

import pytest
from django.urls import reverse

from accounts.models import User
from conversations.selectors import conversation
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
