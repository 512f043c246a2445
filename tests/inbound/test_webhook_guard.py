"""The webhook door: replayed or old Mailgun signatures, tracking events without authentication,
MIME bombs, and deliveries that are the same message (or a correction of one)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from automation.models import OptOut
from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory

pytestmark = pytest.mark.django_db

TO = "guard@leads.dealerlms.example"


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    cache.clear()


@pytest.fixture
def dealership():
    return DealershipFactory(inbound_address=TO)


def lead_mail(name: str = "Noor Jansen", message_id: str | None = "<m1@portal.example>") -> bytes:
    mid = f"Message-ID: {message_id}\r\n" if message_id else ""
    return (
        f"From: Portal <leads@portal.example>\r\nTo: {TO}\r\nSubject: Nieuwe aanvraag\r\n{mid}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Naam: {name}\r\nE-mail: noor@example.nl\r\nTelefoon: 0612345678\r\n"
    ).encode()


def signed(timestamp: int | None = None, token: str | None = None) -> dict:
    timestamp = str(timestamp or int(time.time()))
    token = token or uuid.uuid4().hex
    signature = hmac.new(
        wire.MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


def mailgun_post(raw: bytes, signature: dict):
    data = {"body-mime": raw.decode(), "recipient": TO, "sender": "b@portal.example", **signature}
    return Client().post("/anymail/mailgun/inbound_mime/", data, **wire.basic_auth())


def test_a_captured_signature_is_not_accepted_again_with_a_new_body(dealership):
    signature = signed()
    assert mailgun_post(lead_mail(), signature).status_code == 200
    replay = mailgun_post(lead_mail("Mallory", "<evil@x.example>"), signature)
    assert replay.status_code == 403 and "used before" in replay.json()["error"]
    assert InboundMessage.objects.count() == 1


def test_a_signature_older_than_five_minutes_is_refused(dealership):
    old = signed(timestamp=int(time.time()) - 400 * 24 * 3600)
    answer = mailgun_post(lead_mail(), old)
    assert answer.status_code == 403 and "older than five minutes" in answer.json()["error"]
    assert not InboundMessage.objects.exists()


def test_a_wrong_signature_cannot_burn_a_real_token(dealership):
    real = signed()
    forged = {**real, "signature": "0" * 64}
    assert mailgun_post(lead_mail(), forged).status_code == 400  # anymail refuses it
    assert mailgun_post(lead_mail(), real).status_code == 200


def test_mailgun_tracking_is_replay_protected_too(dealership):
    body = {"signature": signed(), "event-data": {"event": "delivered", "id": "x",
            "timestamp": time.time(), "recipient": "a@b.example", "message": {"headers": {}}}}  # fmt: skip
    first = Client().post("/anymail/mailgun/tracking/", json.dumps(body),
                          content_type="application/json", **wire.basic_auth())  # fmt: skip
    again = Client().post("/anymail/mailgun/tracking/", json.dumps(body),
                          content_type="application/json", **wire.basic_auth())  # fmt: skip
    assert first.status_code == 200 and again.status_code == 403


def test_tracking_without_a_webhook_secret_is_closed(settings):
    settings.ANYMAIL = {}
    event = [{"event": "spamreport", "email": "klant@example.nl", "sg_message_id": "x.1",
              "timestamp": int(time.time())}]  # fmt: skip
    answer = Client().post("/anymail/sendgrid/tracking/", json.dumps(event),
                           content_type="application/json")  # fmt: skip
    assert answer.status_code == 400
    assert not OptOut.objects.exists()


def test_a_mime_bomb_is_refused_with_413_and_kept(dealership):
    depth = 3000
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    raw = f"From: x@y.example\r\nTo: {TO}\r\nSubject: bomb\r\n{head}\r\nboom\r\n".encode()
    answer = mailgun_post(raw, signed())
    assert answer.status_code == 413
    assert "nested or split too deeply" in answer.json()["error"]
    kept = InboundMessage.objects.get()
    assert kept.status == "quarantined" and "multipart containers" in kept.failure_reason


def test_mailgun_without_message_id_delivered_three_times_is_one_lead(
    dealership, django_capture_on_commit_callbacks
):
    for _ in range(3):  # a fresh token each retry
        with django_capture_on_commit_callbacks(execute=True):
            assert mailgun_post(lead_mail(message_id=None), signed()).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Lead.objects.count() == 1


def test_the_same_message_id_with_other_content_is_kept_as_a_possible_correction(
    dealership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mailgun_post(lead_mail("Noor Jansen"), signed())
        mailgun_post(lead_mail("Noor Jansen"), signed())  # a retry: the same message
        mailgun_post(lead_mail("Noor Jansen-de Boer"), signed())  # corrected by the sender
    first, second = InboundMessage.objects.order_by("pk")
    assert InboundMessage.objects.count() == 2
    note = second.log.filter(note__startswith="possible correction").get().note
    assert f"#{first.pk}" in note
    assert first.log.filter(action="duplicate").count() == 1


def test_a_hundred_thousand_tiny_parts_are_refused_quickly(dealership):
    parts = "".join("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(100_000))
    raw = (
        f'From: x@y.example\r\nTo: {TO}\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        f"{parts}--b--\r\n"
    ).encode()
    started = time.monotonic()
    answer = mailgun_post(raw, signed())
    assert answer.status_code == 413 and "part delimiters" in answer.json()["error"]
    assert time.monotonic() - started < 10  # not the 21 s of parsing every part


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(dealership, settings):
    settings.DEALERLMS_WEBHOOK_MAX_BYTES = 10_000
    answer = mailgun_post(lead_mail() + b"x" * 20_000, signed())
    assert answer.status_code == 413 and "over the limit" in answer.json()["error"]
    assert not InboundMessage.objects.exists()


def test_one_address_flooding_the_webhook_gets_429(dealership, settings):
    settings.DEALERLMS_WEBHOOK_RATE_PER_MINUTE = 3
    answers = [
        mailgun_post(lead_mail(message_id=f"<r{i}@p.example>"), signed()).status_code
        for i in range(5)
    ]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429]
