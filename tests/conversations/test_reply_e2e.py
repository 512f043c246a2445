"""End to end with a real Celery worker on the real Redis broker: the customer answers the
e-mail the dispatcher sent, at its Reply-To; the webhook stores the reply, the worker puts it on
the lead's conversation, the salesperson is told and answers from the lead page."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from automation.models import Notification
from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.automation_helpers import rule
from tests.conftest import wait_for
from tests.conversation_world import customer_email, held_lead
from tests.factories import DealershipFactory

TO = "doesburg@leads.dealerlms.example"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="shared-cache SQLite locks tables across threads"
    ),
]


@pytest.fixture
def doesburg(transactional_db, settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    return DealershipFactory(inbound_address=TO)


def test_a_reply_to_our_email_reaches_the_conversation(live_worker, doesburg):
    rule(doesburg, trigger="assigned")
    seller, lead = held_lead(doesburg)
    sent = wait_for(lambda: [m for m in mail.outbox if m.to == [lead.customer.email]], timeout=15)
    (reply_to,) = sent[0].reply_to
    assert reply_to.startswith("doesburg+") and reply_to.endswith("@leads.dealerlms.example")

    raw = customer_email(sender=lead.customer.email, to=reply_to, text="Saturday at 10?")
    assert wire.mailgun(Client(), raw, reply_to).status_code == 200

    message = wait_for(
        lambda: InboundMessage.objects.filter(status=InboundMessage.Status.REPLY).first(),
        timeout=15,
    )
    assert message.merged_into_id == lead.pk and Lead.objects.count() == 1
    wait_for(lambda: Notification.objects.filter(user=seller, kind="reply").exists(), timeout=15)
    client = Client()
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert (
        "Saturday at 10?" in page
        and "waiting" in client.get(reverse("leads:inbox")).content.decode()
    )
