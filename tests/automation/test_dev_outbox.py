"""Development without Twilio or an e-mail provider: messages land in a visible dev outbox,
marked as not sent, instead of showing "failed" (SMS) or looking delivered (console e-mail).
Production keeps refusing SMS without Twilio, and has no dev outbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from automation.models import OutboundMessage
from leads import services as leads
from tests.automation_helpers import new_lead, template
from tests.factories import manager, salesperson

pytestmark = pytest.mark.django_db


def send(client, lead, t, channel: str, capture) -> None:
    with capture(execute=True):
        response = client.post(
            reverse("automation:lead_message", args=[lead.pk]),
            {"message-template": t.pk, "message-channel": channel},
        )
    assert response.status_code == 302


@pytest.fixture
def dev(settings):
    settings.DEV_OUTBOX = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM_NUMBER = ""


def test_without_providers_messages_wait_in_the_dev_outbox(
    client, dealership, dev, django_capture_on_commit_callbacks
):
    seller = salesperson(dealership)
    lead = leads.assign_lead(lead=new_lead(dealership), to=seller)
    lead.customer.consent_sms = True
    lead.customer.save()
    t = template(dealership, body_en="Hello {{ customer_first_name }}, see you soon.")
    client.force_login(seller)
    send(client, lead, t, "sms", django_capture_on_commit_callbacks)
    send(client, lead, t, "email", django_capture_on_commit_callbacks)
    held = OutboundMessage.objects.filter(lead=lead)
    assert {m.channel for m in held} == {"sms", "email"}
    assert all(m.provider_id.startswith("dev-outbox:") for m in held)
    assert not held.filter(status="failed").exists()

    client.force_login(manager(dealership))
    page = client.get(reverse("automation:dev_outbox")).content.decode()
    assert "nothing on this page reached anyone" in page
    assert "Twilio is not configured" in page
    assert page.count("see you soon.") == 2
    outbox = client.get(reverse("automation:outbox")).content.decode()
    assert "in the dev outbox, not sent" in outbox


def test_production_has_no_dev_outbox_and_sms_without_twilio_fails(
    client, dealership, settings, django_capture_on_commit_callbacks
):
    settings.DEV_OUTBOX = False
    settings.TWILIO_ACCOUNT_SID = ""
    seller = salesperson(dealership)
    lead = leads.assign_lead(lead=new_lead(dealership), to=seller)
    lead.customer.consent_sms = True
    lead.customer.save()
    client.force_login(seller)
    send(client, lead, template(dealership), "sms", django_capture_on_commit_callbacks)
    message = OutboundMessage.objects.get(lead=lead, channel="sms")
    assert not message.provider_id.startswith("dev-outbox:")
    client.force_login(manager(dealership))
    assert client.get(reverse("automation:dev_outbox")).status_code == 404
