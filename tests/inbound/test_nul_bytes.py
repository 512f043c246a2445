"""One bad byte never stalls intake: a NUL (which PostgreSQL refuses in text and JSON) in a
subject, an ADF name, a text or HTML body, or a website's JSON is removed where it enters; the
message and the ones after it become leads, and a message whose content the database still
refuses is quarantined alone."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from inbound import ingest
from inbound.tasks import parse_received_messages
from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, SourceFactory

pytestmark = pytest.mark.django_db

TO = "nul@leads.dealerlms.example"

PLAIN = (
    "From: Website <formulier@garage-nul.example>\r\nTo: " + TO + "\r\n"
    "Subject: Proefrit aanvraag\x00 Peugeot 208\r\nMessage-ID: <a1@garage-nul.example>\r\n"
    "Date: Sat, 05 Dec 2026 09:12:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Naam: Sanne\x00 de Wit\r\nE-mail: sanne.dewit@example.nl\r\nTelefoon: 06 12 34 56 78\r\n"
    "Opmerking: graag\x00 zaterdag\r\n"
).encode()

HTML = (
    "From: Portal <leads@portal-nul.example>\r\nTo: " + TO + "\r\n"
    "Subject: Nieuwe aanvraag\r\nMessage-ID: <a2@portal-nul.example>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<table><tr><td>Naam</td><td>Kees\x00 Visser</td></tr>"
    "<tr><td>E-mail</td><td>kees@example.nl</td></tr></table>"
).encode()

ADF = (
    "From: Leads <adf@portal-nul.example>\r\nTo: " + TO + "\r\nSubject: ADF\r\n"
    "Message-ID: <a3@portal-nul.example>\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n"
    '<?xml version="1.0"?><adf><prospect><customer><contact>'
    '<name part="full">Anna\x00 Bos</name><email>anna@example.nl</email>'
    "</contact></customer></prospect></adf>"
).encode()

GOOD = (
    "From: Website <formulier@garage-nul.example>\r\nTo: " + TO + "\r\n"
    "Subject: Offerte\r\nMessage-ID: <a4@garage-nul.example>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nNaam: Tom Bakker\r\nE-mail: tom@example.nl\r\n"
).encode()


@pytest.fixture
def dealership():
    return DealershipFactory(inbound_address=TO)


def store_all(dealership, *raws: bytes) -> list[InboundMessage]:
    return [
        ingest.store_message(channel="email", raw=raw, dealership=dealership, enqueue=False)
        for raw in raws
    ]


def test_nul_bytes_anywhere_in_a_batch_stop_nothing(dealership):
    stored = store_all(dealership, PLAIN, HTML, ADF, GOOD)
    parse_received_messages()
    statuses = dict(InboundMessage.objects.values_list("pk", "status"))
    assert [statuses[m.pk] for m in stored] == ["parsed"] * 4
    names = set(Lead.objects.values_list("customer__full_name", flat=True))
    assert names == {"Sanne de Wit", "Kees Visser", "Anna Bos", "Tom Bakker"}
    for message in InboundMessage.objects.all():
        assert b"\x00" in bytes(message.raw) or message.pk == stored[3].pk  # raw kept as it came
        assert "\x00" not in message.subject + message.text + message.html


def test_a_nul_in_the_subject_through_the_real_webhook(
    client, dealership, settings, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    with django_capture_on_commit_callbacks(execute=True):
        answer = wire.mailgun(Client(), PLAIN, TO)
    assert answer.status_code == 200
    message = InboundMessage.objects.get()
    assert message.subject == "Proefrit aanvraag Peugeot 208"
    assert message.status == "parsed"


def test_the_website_api_takes_json_with_a_nul(client, dealership):
    source = SourceFactory(dealership=dealership, name="Website", kind="website")
    token = source.rotate_api_token()
    source.save()
    body = json.dumps(
        {
            "customer": {"full_name": "Lotte\u0000 Smit", "email": "lotte@example.nl"},
            "comments": "bel\u0000 me",
            "subject": "form\u0000",
        }
    )
    answer = client.post(
        "/api/v1/leads", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert answer.status_code == 201, answer.content
    lead = Lead.objects.get(pk=answer.json()["lead_id"])
    assert lead.customer.full_name == "Lotte Smit" and lead.comments == "bel me"


def test_a_message_the_database_still_refuses_is_quarantined_alone(dealership, monkeypatch):
    first, second = store_all(
        dealership, GOOD, GOOD.replace(b"a4@", b"a5@").replace(b"tom@", b"bo@")
    )
    real = ingest.update_rows

    def refuse_the_first(objs, fields, **kwargs):
        if any(o.pk == first.pk for o in objs) and objs[0].text:
            raise ingest.DatabaseError("invalid byte sequence")  # what a refused value raises
        return real(objs, fields, **kwargs)

    monkeypatch.setattr(ingest, "update_rows", refuse_the_first)
    parse_received_messages()
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == "parsed"
    assert first.status in ("parsed", "quarantined")
    assert "the database refused its content" in first.failure_reason
    assert bytes(first.raw) == GOOD
    assert parse_received_messages() == 0  # nothing left waiting: no poison message
