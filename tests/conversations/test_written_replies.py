"""A salesperson's own reply from the lead page: by e-mail or SMS, consent and opt-outs
respected, no sending window, through the dispatcher (logged once, sent once); the waiting
customer is answered; it is no contact attempt (only a logged attempt is)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from automation import dispatcher
from automation.consent import record_opt_out
from automation.models import ScheduledAction
from leads import services
from leads.models import EventKind, Lead, LeadEvent
from leads.reply_address import reply_address
from tests.automation_helpers import rule
from tests.conversation_world import held_lead

HTMX = {"HTTP_HX_REQUEST": "true"}


def write(client, lead, channel: str, text: str, subject: str = ""):
    return client.post(
        reverse("conversations:reply", args=[lead.pk]),
        {"reply-channel": channel, "reply-text": text, "reply-subject": subject},
        **HTMX,
    )


@pytest.fixture
def waiting(dealership):
    """A customer who wrote an hour ago."""
    seller, lead = held_lead(dealership)
    services.record_event(
        lead=lead,
        kind=EventKind.MESSAGE_RECEIVED,
        channel="sms",
        note="Still available?",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    return seller, Lead.objects.get(pk=lead.pk)


@pytest.mark.django_db
def test_an_email_reply_goes_out_once_with_the_reply_address(client, waiting):
    seller, lead = waiting
    assert lead.customer_waiting_since is not None
    client.force_login(seller)
    answer = write(client, lead, "email", "Yes, it is.\n<b>Come</b> by!")
    assert answer.status_code == 200 and "Reply queued" in answer.content.decode()
    assert "Yes, it is." in answer.content.decode()  # shown at once, as queued
    mail.outbox.clear()
    dispatcher.dispatch_due()
    dispatcher.dispatch_due()
    (sent,) = [m for m in mail.outbox if m.to == [lead.customer.email]]
    assert sent.reply_to == [reply_address(lead)] and sent.subject
    assert sent.body.startswith("Yes, it is.\n<b>Come</b> by!")
    html = sent.alternatives[0][0]
    assert "&lt;b&gt;Come&lt;/b&gt;" in html and "<b>Come</b>" not in html
    (event,) = LeadEvent.objects.filter(kind=EventKind.MESSAGE_SENT)
    assert event.actor == seller and event.channel == "email"
    lead.refresh_from_db()
    assert lead.customer_waiting_since is None  # answered
    assert lead.first_attempt_at is None  # a message is no logged contact attempt


@pytest.mark.django_db
def test_an_sms_reply_goes_through_twilio(client, waiting, twilio):
    seller, lead = waiting
    client.force_login(seller)
    write(client, lead, "sms", "See you at 10.")
    dispatcher.dispatch_due()
    (call,) = [c for c in twilio.calls if c["data"]["To"] == lead.customer.primary_phone]
    assert call["data"]["Body"] == "See you at 10."
    page = client.get(reverse("conversations:thread", args=[lead.pk])).content.decode()
    assert "See you at 10." in page and "Queued" in page  # Twilio said 'queued'


@pytest.mark.django_db
def test_no_sending_window_for_a_persons_reply(client, waiting):
    seller, lead = waiting
    today = timezone.localtime(timezone.now(), lead.dealership.tz).weekday()
    rule(lead.dealership, trigger="contact_attempt", window_days=[(today + 1) % 7])
    services.log_contact_attempt(lead=lead, channel="phone", outcome="no_answer", by=seller)
    client.force_login(seller)
    write(client, lead, "email", "Now, not tomorrow.")
    dispatcher.dispatch_due()
    assert ScheduledAction.objects.get(kind="reply").state == "sent"
    assert ScheduledAction.objects.get(kind="rule").state == "pending"  # waits for its window


@pytest.mark.django_db
def test_consent_and_opt_outs_are_respected(client, waiting):
    seller, lead = waiting
    lead.customer.consent_sms = False
    lead.customer.save()
    record_opt_out(channel="email", address=lead.customer.email, origin="link")
    client.force_login(seller)
    page = client.get(reverse("conversations:thread", args=[lead.pk])).content.decode()
    assert "no consent for SMS" in page and "opted out" in page
    assert "Send reply" not in page  # no channel left
    for channel in ("email", "sms"):
        answer = write(client, lead, channel, "Hello?")
        assert answer.status_code == 200
    assert not ScheduledAction.objects.filter(kind="reply").exists()
    lead.refresh_from_db()
    assert lead.customer_waiting_since is not None


@pytest.mark.django_db
def test_an_empty_reply_is_refused(client, waiting):
    seller, lead = waiting
    client.force_login(seller)
    answer = write(client, lead, "email", "   ")
    assert answer.status_code == 200 and not ScheduledAction.objects.filter(kind="reply").exists()
