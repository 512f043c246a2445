"""Delivery status from the outside world: Twilio's status callbacks (signature checked for real
with RequestValidator), anymail tracking webhooks (a signed Mailgun webhook), and the customer's
unsubscribe link."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from automation import consent, dispatcher, links
from automation.models import OptOut, OutboundMessage, ScheduledAction
from tests.automation_helpers import new_lead, rule
from tests.inbound_payloads import ANYMAIL_SETTINGS, MAILGUN_KEY, basic_auth
from tests.twilio_edge import AUTH_TOKEN, signed_post


@pytest.fixture
def sms(dealership, twilio):
    rule(dealership, channel="sms")
    new_lead(dealership)
    dispatcher.dispatch_due()
    message = OutboundMessage.objects.get()
    assert message.provider_id == twilio.calls[0]["sid"]
    return message


def status_path(message: OutboundMessage) -> str:
    return reverse("hooks:twilio_status", args=[message.uid])


@pytest.mark.django_db
def test_the_sms_asks_twilio_to_call_back_with_our_message(sms, twilio):
    callback = twilio.calls[0]["data"]["StatusCallback"]
    assert callback.endswith(status_path(sms))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("twilio_status", "ours"),
    [
        ("queued", "queued"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("undelivered", "failed"),
        ("failed", "failed"),
    ],
)
def test_a_signed_status_callback_updates_the_message(client, sms, twilio_status, ours):
    data = {"MessageSid": sms.provider_id, "MessageStatus": twilio_status, "AccountSid": "AC1"}
    if twilio_status in ("undelivered", "failed"):
        data["ErrorCode"] = "30003"
    assert signed_post(client, status_path(sms), data).status_code == 204
    sms.refresh_from_db()
    assert sms.status == ours
    if ours == "failed":
        assert "30003" in sms.status_detail


@pytest.mark.django_db
def test_statuses_only_move_forward(client, sms):
    for status in ("delivered", "sent", "queued"):
        signed_post(
            client, status_path(sms), {"MessageSid": sms.provider_id, "MessageStatus": status}
        )
    sms.refresh_from_db()
    assert sms.status == "delivered"


@pytest.mark.django_db
def test_unsigned_or_wrongly_signed_callbacks_are_refused(client, sms):
    data = {"MessageSid": sms.provider_id, "MessageStatus": "delivered"}
    assert client.post(status_path(sms), data).status_code == 403
    assert signed_post(client, status_path(sms), data, token="not-the-token").status_code == 403
    # Signed for another URL (another message): refused too.
    other = reverse("hooks:twilio_status", args=[uuid.uuid4()])
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"http://testserver{other}", data)
    assert client.post(status_path(sms), data, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    # A tampered body under a valid signature.
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        f"http://testserver{status_path(sms)}", data
    )
    tampered = {**data, "MessageStatus": "failed"}
    assert (
        client.post(status_path(sms), tampered, HTTP_X_TWILIO_SIGNATURE=signature).status_code
        == 403
    )
    sms.refresh_from_db()
    assert sms.status == "queued"


@pytest.mark.django_db
def test_without_an_auth_token_every_callback_is_refused(client, sms, settings):
    data = {"MessageSid": sms.provider_id, "MessageStatus": "delivered"}
    settings.TWILIO_AUTH_TOKEN = ""
    assert signed_post(client, status_path(sms), data).status_code == 403


def mailgun_tracking(client, event: dict):
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(
        MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    payload = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"timestamp": time.time(), **event},
    }
    return client.post(
        "/anymail/mailgun/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **basic_auth(),
    )


@pytest.fixture
def email(dealership, settings):
    settings.ANYMAIL = ANYMAIL_SETTINGS
    rule(dealership)
    new_lead(dealership)
    dispatcher.dispatch_due()
    return OutboundMessage.objects.get()


@pytest.mark.django_db
def test_anymail_tracking_finds_the_message_by_its_id(client, email):
    event = {
        "event": "delivered",
        "recipient": email.to,
        "message": {"headers": {"message-id": email.provider_id.strip("<>")}},
    }
    assert mailgun_tracking(client, event).status_code == 200
    email.refresh_from_db()
    assert email.status == "delivered"


@pytest.mark.django_db
def test_anymail_tracking_finds_the_message_by_our_uid_and_a_bounce_stops_later_mail(
    client, email, dealership
):
    event = {
        "event": "failed",
        "severity": "permanent",
        "reason": "bounce",
        "recipient": email.to,
        "user-variables": {"dealerlms_uid": str(email.uid)},
        "message": {"headers": {"message-id": "someone-elses@mailgun"}},
    }
    assert mailgun_tracking(client, event).status_code == 200
    email.refresh_from_db()
    assert email.status == "bounced"
    assert OptOut.objects.filter(channel="email", address=email.to).exists()


@pytest.mark.django_db
def test_a_complaint_at_the_provider_is_an_opt_out(client, email):
    event = {
        "event": "complained",
        "recipient": email.to.upper(),
        "message": {"headers": {"message-id": "x@y"}},
    }
    assert mailgun_tracking(client, event).status_code == 200
    assert consent.opted_out("email", email.to)


@pytest.mark.django_db
def test_an_unsigned_tracking_webhook_is_refused(client, email, settings):
    payload = {
        "signature": {"timestamp": "1", "token": "t", "signature": "bad"},
        "event-data": {"event": "delivered"},
    }
    response = client.post(
        "/anymail/mailgun/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **basic_auth(),
    )
    assert response.status_code == 400
    email.refresh_from_db()
    assert email.status == "queued"


@pytest.mark.django_db
def test_the_unsubscribe_link_in_the_email_records_an_opt_out_honoured_later(client, dealership):
    rule(dealership)
    lead = new_lead(dealership)
    dispatcher.dispatch_due()
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)  # anonymous: the token is the credential
    assert page.status_code == 200 and lead.customer.email in page.content.decode()
    assert not OptOut.objects.exists()  # a mail scanner's GET unsubscribes nobody
    assert client.post(path).status_code == 200
    opt_out = OptOut.objects.get()
    assert (opt_out.channel, opt_out.address, opt_out.customer) == (
        "email",
        lead.customer.email,
        lead.customer,
    )
    from leads import services as leads

    leads.create_lead(dealership=dealership, customer=lead.customer)  # the customer asks again
    mail.outbox.clear()
    dispatcher.dispatch_due()
    assert ScheduledAction.objects.latest("pk").reason == "the customer opted out of this channel"
    assert not mail.outbox


@pytest.mark.django_db
def test_a_forged_unsubscribe_token_is_a_404(client):
    token = links.unsubscribe_token(channel="email", address="a@example.test")
    assert client.get(reverse("hooks:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404
    assert client.post(reverse("hooks:unsubscribe", args=["nonsense"])).status_code == 404
    assert not OptOut.objects.exists()
