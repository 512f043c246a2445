"""What a customer sent never reaches the logs at INFO or above: leads come in through the e-mail
webhooks (Mailgun, Amazon SES), the website API, a refused delivery and a parser that fails on
them, all with every logger at DEBUG; no record at INFO+ holds the customer's name, e-mail or
phone (nor a message body or SNS payload, which would hold them)."""

import json
import logging

import pytest
from django.test import Client

from inbound import ingest
from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, SourceFactory, salesperson

pytestmark = pytest.mark.django_db
TO = "doesburg@leads.dealerlms.example"
NAME, EMAIL, PHONE, PHONE_E164 = (
    "Joop Jansen",
    "joop.jansen@example.nl",
    "0313 - 47 22 10",
    "+31313472210",
)
SECRETS = ("Joop", "Jansen", "joop.jansen", "47 22 10", "313472210", "Hendriks", "bram@example.nl")


@pytest.fixture
def doesburg(settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    dealership = DealershipFactory(inbound_address=TO)
    SourceFactory(dealership=dealership, name="Marktplaats", sender_patterns="portal.example")
    salesperson(dealership)
    return dealership


def _with_email(raw: bytes) -> bytes:
    return raw.replace(
        b'<phone type="voice">', f'<email>{EMAIL}</email><phone type="voice">'.encode(), 1
    )


def _leaks(caplog) -> list[str]:
    found = []
    for record in caplog.records:
        if record.levelno < logging.INFO:
            continue
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        found += [f"{record.name} {record.levelname}: {s}" for s in SECRETS if s in text]
    return found


def test_intake_logs_no_name_email_or_phone(doesburg, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    raw = _with_email(wire.email_to(wire.sample("adf-tradein.eml"), TO))
    website = SourceFactory(dealership=doesburg, name="Website", kind="website")
    token = website.rotate_api_token()
    website.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert wire.mailgun(Client(), raw, TO).status_code == 200
        assert wire.amazon_ses(Client(), raw.replace(b"4711", b"4712"), TO).status_code == 200
        refused = wire.mailgun(Client(), raw, TO, key="not-the-key")  # anymail refuses it
        assert refused.status_code == 400
        api = Client().post(
            "/api/v1/leads",
            json.dumps(
                {
                    "customer": {
                        "full_name": "Bram Hendriks",
                        "email": "bram@example.nl",
                        "phone": "0645454545",
                    },
                    "vehicle": {"make": "Ligier", "model": "JS50"},
                }
            ),  # fmt: skip
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert api.status_code == 201, api.content

    assert Lead.objects.filter(customer__full_name=NAME).exists()
    assert Lead.objects.filter(customer__full_name="Bram Hendriks").exists()
    assert caplog.records, "the pipeline logged nothing at all: the check would prove nothing"
    assert _leaks(caplog) == []


def test_a_failing_parser_logs_its_stack_but_not_what_it_read(doesburg, caplog, monkeypatch):
    """An exception's text may quote the message (here, as a real one might): at ERROR only its
    type and stack; the text at DEBUG."""

    def broken_parser(raw: bytes, **kwargs):
        raise ValueError(f"cannot read phone {PHONE} of {NAME} <{EMAIL}>")

    monkeypatch.setattr(ingest, "parse_message", broken_parser)
    caplog.set_level(logging.DEBUG)
    message = ingest.store_message(
        channel="email",
        raw=_with_email(wire.email_to(wire.sample("adf-tradein.eml"), TO)),
        dealership=doesburg,
        message_id="<broken@portal.example>",
        enqueue=False,
    )

    ingest.parse_next_batch()

    message.refresh_from_db()
    assert message.status == InboundMessage.Status.QUARANTINED
    assert _leaks(caplog) == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (
        errors
        and "ValueError" in errors[0].getMessage()
        and "broken_parser" in errors[0].getMessage()
    )
    assert any(
        NAME in (r.exc_text or "") or r.exc_info
        for r in caplog.records
        if r.levelno == logging.DEBUG
    )
