"""A customer's SMS reply (Twilio's signed inbound webhook): on the timeline of their latest open
lead, the salesperson notified, STOP honoured by every later SMS."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from automation import dispatcher
from automation.models import InboundSms, Notification, OptOut, ScheduledAction
from leads import services as leads
from leads.models import EventKind, LeadEvent
from tests.automation_helpers import new_lead, rule
from tests.factories import salesperson
from tests.twilio_edge import signed_post

PATH = "/hooks/twilio/sms/"


def reply(client, number: str, body: str, sid: str = "SM" + "b" * 32):
    return signed_post(
        client, PATH, {"MessageSid": sid, "From": number, "To": "+3197010000000", "Body": body}
    )


@pytest.fixture
def leads_of_one_customer(dealership, twilio):
    seller = salesperson(dealership, phone="+31622222222")
    old = new_lead(dealership, received_at=timezone.now() - timedelta(days=30))
    newest_closed = leads.create_lead(dealership=dealership, customer=old.customer)
    leads.change_status(lead=newest_closed, to="lost", lost_reason="price")
    open_lead = leads.create_lead(
        dealership=dealership, customer=old.customer, received_at=timezone.now() - timedelta(days=2)
    )
    leads.assign_lead(lead=open_lead, to=seller)
    dispatcher.dispatch_due()  # the assignment's notification goes out first
    return seller, open_lead, old.customer.primary_phone


@pytest.mark.django_db
def test_a_reply_lands_on_the_latest_open_lead_and_notifies_the_salesperson(
    client, leads_of_one_customer
):
    seller, lead, number = leads_of_one_customer
    mail.outbox.clear()
    response = reply(client, number, "Can I come <b>Saturday</b>?")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    (event,) = LeadEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED)
    assert (
        event.lead == lead
        and event.channel == "sms"
        and event.note == "Can I come <b>Saturday</b>?"
    )
    note = Notification.objects.get(user=seller, kind="reply")
    assert note.lead == lead and "Saturday" in note.body
    dispatcher.dispatch_due()  # the e-mail copy of the notification (the seller's default)
    assert [m.to for m in mail.outbox] == [[seller.email]]
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "&lt;b&gt;Saturday&lt;/b&gt;" in page and "<b>Saturday</b>" not in page


@pytest.mark.django_db
def test_the_same_reply_delivered_twice_is_recorded_once(client, leads_of_one_customer):
    _seller, _lead, number = leads_of_one_customer
    reply(client, number, "Hello")
    reply(client, number, "Hello")
    assert InboundSms.objects.count() == 1
    assert LeadEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).count() == 1


@pytest.mark.django_db
def test_an_unknown_number_is_kept_without_a_lead(client, leads_of_one_customer):
    assert reply(client, "+32470000000", "Who is this?").status_code == 200
    assert InboundSms.objects.get().lead is None
    assert not LeadEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).exists()


@pytest.mark.django_db
def test_unsigned_replies_and_bad_numbers_are_refused(client, leads_of_one_customer):
    _seller, _lead, number = leads_of_one_customer
    assert client.post(PATH, {"MessageSid": "SM1", "From": number, "Body": "x"}).status_code == 403
    assert reply(client, "0612345678", "x").status_code == 400
    assert not InboundSms.objects.exists()


@pytest.mark.django_db
def test_stop_opts_out_of_sms_and_every_later_sms_is_skipped(
    client, dealership, leads_of_one_customer, twilio
):
    _seller, lead, number = leads_of_one_customer
    reply(client, number, "STOP")
    assert OptOut.objects.get().address == number
    rule(dealership, trigger="contact_attempt", channel="sms")
    leads.log_contact_attempt(lead=lead, channel="phone", outcome="no_answer", by=None)
    calls = len(twilio.calls)
    dispatcher.dispatch_due()
    assert len(twilio.calls) == calls
    assert (
        ScheduledAction.objects.get(kind="rule").reason == "the customer opted out of this channel"
    )
    reply(client, number, "START", sid="SM" + "c" * 32)
    assert not OptOut.objects.exists()
