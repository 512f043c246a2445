"""Customers waiting for an answer: flagged in the salesperson's inbox and the lead list with
their waiting time, cleared when someone answers, counted on the dashboard with the longest
wait; the salesperson told of each reply as they chose (bell, e-mail, SMS)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from automation import dispatcher
from automation.models import Notification
from automation.preferences import Preference, save_preferences
from leads import services
from leads.models import EventKind, Lead
from tests.conversation_world import held_lead
from tests.factories import manager
from tests.twilio_edge import signed_post


def customer_writes(lead, *, hours_ago: float, data: dict | None = None) -> None:
    services.record_event(
        lead=lead,
        kind=EventKind.MESSAGE_RECEIVED,
        channel="sms",
        note="Hello?",
        occurred_at=timezone.now() - timedelta(hours=hours_ago),
        data=data or {},
    )


@pytest.mark.django_db
def test_the_inbox_flags_a_waiting_customer_until_someone_answers(client, dealership):
    seller, lead = held_lead(dealership)
    _other_seller, quiet = held_lead(dealership)
    customer_writes(lead, hours_ago=2.2)
    client.force_login(seller)
    inbox = client.get(reverse("leads:inbox")).content.decode()
    assert "waiting 2 h" in inbox
    listed = client.get(reverse("leads:list"), {"unanswered": "true"}).content.decode()
    assert "waiting 2 h" in listed and str(lead.customer) in listed

    services.log_contact_attempt(lead=lead, channel="phone", outcome="reached", by=seller)
    assert Lead.objects.get(pk=lead.pk).customer_waiting_since is None
    assert "waiting 2 h" not in client.get(reverse("leads:inbox")).content.decode()
    assert Lead.objects.get(pk=quiet.pk).customer_waiting_since is None


@pytest.mark.django_db
def test_an_automated_message_is_no_answer_and_stop_is_no_question(dealership):
    _seller, lead = held_lead(dealership)
    customer_writes(lead, hours_ago=1, data={"keyword": "stop"})
    assert Lead.objects.get(pk=lead.pk).customer_waiting_since is None
    customer_writes(lead, hours_ago=1)
    since = Lead.objects.get(pk=lead.pk).customer_waiting_since
    customer_writes(lead, hours_ago=0.5)  # the first unanswered message counts
    services.record_event(
        lead=lead, kind=EventKind.MESSAGE_SENT, channel="email", data={"recipient": "customer"}
    )  # an automation's (no person)
    assert Lead.objects.get(pk=lead.pk).customer_waiting_since == since


@pytest.mark.django_db
def test_the_dashboard_counts_waiting_customers_and_the_longest_wait(client, dealership):
    boss = manager(dealership)
    for hours in (3.5, 1):
        _seller, lead = held_lead(dealership)
        customer_writes(lead, hours_ago=hours)
    _seller, closed = held_lead(dealership)
    customer_writes(closed, hours_ago=9)
    services.change_status(lead=closed, to="lost", lost_reason="price")
    client.force_login(boss)
    page = client.get(reverse("dashboards:dashboard")).content.decode()
    figure = page.split('data-kpi="unanswered"')[1].split("</div>")[0]
    assert ">2</a>" in figure and "longest wait 3 h" in figure


@pytest.mark.django_db
def test_the_assignee_is_told_by_the_channels_they_chose(client, dealership, twilio):
    seller, lead = held_lead(dealership, phone="+31622222222")
    save_preferences(user=seller, choices={"reply": Preference(True, False, True)})
    dispatcher.dispatch_due()
    mail.outbox.clear()
    data = {
        "MessageSid": "SM" + "d" * 32,
        "From": lead.customer.primary_phone,
        "To": "+3197010000000",
        "Body": "Can I come today?",
    }
    assert signed_post(client, "/hooks/twilio/sms/", data).status_code == 200
    dispatcher.dispatch_due()
    note = Notification.objects.get(user=seller, kind="reply")
    assert "Can I come today?" in note.body
    assert [c["data"]["To"] for c in twilio.calls] == ["+31622222222"]  # SMS, as chosen
    assert not [m for m in mail.outbox if m.to == [seller.email]]  # no e-mail, as chosen
    assert Lead.objects.get(pk=lead.pk).customer_waiting_since is not None
