"""Webhook requests exactly as each e-mail provider sends them (the outside world's HTTP edge)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

from tests import sns_edge
from tests.shared import SAMPLES

MAILGUN_KEY = "mailgun-signing-key-for-tests"
WEBHOOK_SECRET = "anymail-user:anymail-pass"

ANYMAIL_SETTINGS = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def basic_auth(credentials: str = WEBHOOK_SECRET) -> dict:
    token = base64.b64encode(credentials.encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def email_to(raw: bytes, recipient: str) -> bytes:
    """The sample with its To: header pointing at a test dealership's inbound address."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    lines = [
        line
        for line in head.splitlines()
        if not line.lower().startswith((b"to:", b"delivered-to:"))
    ]
    lines.insert(1, b"To: " + recipient.encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def mailgun(
    client, raw: bytes, recipient: str, *, key: str = MAILGUN_KEY, auth: dict | None = None
):
    timestamp = str(int(time.time()))
    token = uuid.uuid4().hex  # Mailgun sends a fresh token with every POST, retries included
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "body-mime": raw.decode("utf-8", "surrogateescape"),
        "recipient": recipient,
        "sender": "bounces@portal.example",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    # Signed with the key, and (as configured in the route's URL) with the basic auth secret too.
    return client.post(
        "/anymail/mailgun/inbound_mime/", data, **(basic_auth() if auth is None else auth)
    )


def postmark(client, raw: bytes, recipient: str, *, auth: dict | None = None, message_id=None):
    payload = {
        "FromFull": {"Email": "leads@portal.example", "Name": "Portal"},
        "ToFull": [{"Email": recipient, "Name": ""}],
        "OriginalRecipient": recipient,
        "Subject": "lead",
        "MessageID": message_id or str(uuid.uuid4()),
        "Headers": [],
        "RawEmail": raw.decode("utf-8", "surrogateescape"),
    }
    return client.post(
        "/anymail/postmark/inbound/",
        json.dumps(payload),
        content_type="application/json",
        **(basic_auth() if auth is None else auth),
    )


def sendgrid(client, raw: bytes, recipient: str, *, auth: dict | None = None):
    data = {
        "email": raw.decode("utf-8", "surrogateescape"),
        "envelope": json.dumps({"from": "leads@portal.example", "to": [recipient]}),
        "charsets": json.dumps({"email": "utf-8"}),
    }
    return client.post(
        "/anymail/sendgrid/inbound/", data, **(basic_auth() if auth is None else auth)
    )


def ses_notification(raw: bytes, recipient: str, *, ses_id=None) -> dict:
    """The SNS Notification that SES posts for one received e-mail (action SNS), unsigned."""
    ses_event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-10-15T08:15:01.000Z",
            "source": "leads@portal.example",
            "messageId": ses_id or uuid.uuid4().hex,
            "destination": [recipient],
        },
        "receipt": {
            "recipients": [recipient],
            "spamVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:eu-west-1:1:in",
                "encoding": "BASE64",
            },
        },
        "content": base64.b64encode(raw).decode(),
    }
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:inbound",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-10-15T08:15:02.000Z",
    }


def post_sns(client, body: dict, *, auth: dict | None = None, path="/anymail/amazon_ses/inbound/"):
    """An SNS HTTP(S) delivery: the JSON body as text/plain, its type and id in headers too."""
    return client.post(
        path,
        json.dumps(body),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=str(body.get("Type")),
        HTTP_X_AMZ_SNS_MESSAGE_ID=str(body.get("MessageId")),
        **(basic_auth() if auth is None else auth),
    )


def amazon_ses(client, raw: bytes, recipient: str, *, auth: dict | None = None, ses_id=None):
    # Signed as SNS signs (tests/sns_edge.py: the certificate is served by the faked edge).
    body = sns_edge.sign(ses_notification(raw, recipient, ses_id=ses_id))
    return post_sns(client, body, auth=auth)


PROVIDERS = {
    "mailgun": mailgun,
    "postmark": postmark,
    "sendgrid": sendgrid,
    "amazon_ses": amazon_ses,
}


def sparkpost(client, raw: bytes, recipient: str, *, auth: dict | None = None):
    """SparkPost's relay webhook: a JSON list of relay_message events (basic auth)."""
    event = {
        "msys": {
            "relay_message": {
                "protocol": "smtp",
                "msg_from": "bounces@portal.example",
                "rcpt_to": recipient,
                "webhook_id": "1234",
                "content": {
                    "email_rfc822": base64.b64encode(raw).decode(),
                    "email_rfc822_is_base64": True,
                },
            }
        }
    }
    return client.post(
        "/anymail/sparkpost/inbound/",
        json.dumps([event]),
        content_type="application/json",
        **(basic_auth() if auth is None else auth),
    )
