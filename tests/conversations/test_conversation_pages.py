"""The lead's conversation: e-mails and SMS both ways and calls, one thread by time, with
direction, channel, the dealership's time and the delivery state; shown to whoever may see the
lead and to nobody else."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from automation import dispatcher
from automation.models import ScheduledAction
from calls.models import Call
from conversations.selectors import IN, OUT, conversation
from core import formatting
from leads import services
from tests.automation_helpers import rule
from tests.conversation_world import held_lead
from tests.factories import manager, salesperson
from tests.twilio_edge import signed_post


def sms_from(client, number: str, body: str, sid: str):
    data = {"MessageSid": sid, "From": number, "To": "+3197010000000", "Body": body}
    return signed_post(client, "/hooks/twilio/sms/", data)


@pytest.fixture
def talked(client, dealership, twilio):
    """A lead with an automated e-mail, the customer's SMS, a bridge call and a logged visit."""
    rule(dealership, trigger="assigned")
    seller, lead = held_lead(dealership)
    dispatcher.dispatch_due()  # the e-mail to the customer
    assert sms_from(client, lead.customer.primary_phone, "Is it <b>red</b>?", "SM" + "a" * 32)
    now = timezone.now()
    Call.objects.create(
        dealership=dealership,
        lead=lead,
        direction="bridge",
        state="done",
        outcome="connected",
        agent=seller,
        dialed_at=now + timedelta(seconds=5),
        talk_seconds=95,
    )
    services.log_contact_attempt(
        lead=lead,
        channel="in_person",
        outcome="reached",
        by=seller,
        note="Came by",
        at=now + timedelta(minutes=1),
    )
    return seller, lead


@pytest.mark.django_db
def test_one_thread_by_time_with_direction_channel_and_state(talked):
    _seller, lead = talked
    entries = conversation(lead)
    assert [(e.direction, e.channel) for e in entries] == [
        (OUT, "email"),
        (IN, "sms"),
        (OUT, "phone"),
        (OUT, "in_person"),
    ]
    email, sms, call, visit = entries
    assert email.state_key == "queued" and email.subject.startswith("Hello")
    assert "Unsubscribe" not in email.text  # the footer is the provider's business
    assert sms.text == "Is it <b>red</b>?" and call.detail == "1:35" and call.state == "Connected"
    assert visit.text == "Came by" and visit.state == "Reached"


@pytest.mark.django_db
def test_the_lead_page_shows_the_thread_in_the_dealerships_zone(client, talked):
    seller, lead = talked
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'id="conversation"' in page
    assert "Is it &lt;b&gt;red&lt;/b&gt;?" in page and "<b>red</b>" not in page
    for entry in conversation(lead):
        assert formatting.moment(entry.at, lead.dealership) in page
    assert "From the customer" in page and "To the customer" in page


@pytest.mark.django_db
def test_only_who_may_see_the_lead_sees_its_conversation(client, dealership, talked):
    seller, lead = talked
    colleague, boss = salesperson(dealership), manager(dealership)
    for person, status in ((seller, 200), (boss, 200), (colleague, 404)):
        client.force_login(person)
        assert client.get(reverse("conversations:thread", args=[lead.pk])).status_code == status
    client.force_login(colleague)
    answer = client.post(
        reverse("conversations:reply", args=[lead.pk]),
        {"reply-channel": "email", "reply-text": "Psst"},
    )
    assert answer.status_code == 404
    assert not ScheduledAction.objects.filter(kind="reply").exists()


@pytest.mark.django_db
def test_the_thread_costs_the_same_queries_however_long_it_is(client, talked):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seller, lead = talked

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            conversation(lead)
        return len(captured)

    before = queries()
    for n in range(5):
        sms_from(client, lead.customer.primary_phone, f"Question {n}", f"SM{n:032d}")
        services.log_contact_attempt(lead=lead, channel="phone", outcome="no_answer", by=seller)
    assert len(conversation(lead)) == 4 + 10
    assert queries() == before <= 6
