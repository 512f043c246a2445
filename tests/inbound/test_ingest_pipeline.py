"""Stored message → parse task → lead, merge or quarantine (tasks run eagerly: our real code)."""

import base64
import json
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inbound import ingest
from inbound.tasks import parse_received_messages
from leads.lifecycle import Status as LeadStatus
from leads.models import InboundMessage, Lead, LeadEvent
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, LeadFactory, SourceFactory

pytestmark = pytest.mark.django_db

GOOD = [
    "adf-basic.xml",
    "adf-tradein.eml",
    "html-website-nl.eml",
    "json-api.json",
    "text-portal-fr.eml",
]
LABELLED = b"""From: Occasion Portal <leads@occasions.example>
To: dealer@leads.test
Subject: Aanvraag
Message-ID: <lbl-1@occasions.example>
Date: Mon, 19 Oct 2026 10:00:00 +0200
Content-Type: text/plain; charset=utf-8

Kontaktpersoon gegevens:
Wie: Piet Pieterse
Bereikbaar: piet.pieterse@example.nl
Auto: Ligier JS50
"""


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Store a message as the webhook does; its parse task runs when the transaction commits."""

    def store(raw: bytes, dealership, **fields) -> InboundMessage:
        with django_capture_on_commit_callbacks(execute=True):
            message = ingest.store_message(
                channel="email", raw=raw, dealership=dealership, **fields
            )
        message.refresh_from_db()
        return message

    return store


def expected(name: str) -> dict:
    return json.loads((wire.SAMPLES / "expected" / (name.rsplit(".", 1)[0] + ".json")).read_text())


@pytest.mark.parametrize("name", GOOD)
def test_every_sample_becomes_a_lead_with_its_fields(deliver, name):
    country = "FR" if name.endswith("-fr.eml") else "NL"
    dealership = DealershipFactory(country=country)
    want = expected(name)

    message = deliver(wire.sample(name), dealership)

    assert message.status == InboundMessage.Status.PARSED, message.failure_reason
    lead = message.lead
    customer = want["customer"]
    assert " ".join(lead.customer.full_name.lower().split()) == customer["full_name"].lower()
    assert lead.customer.email.lower() == (customer["email"] or "").lower()
    assert set(lead.customer.phones.values_list("number", flat=True)) == {
        p["number"] for p in customer["phones"]
    }
    assert lead.lead_type == want["lead_type"]
    assert lead.external_id == (want["external_id"] or "")
    assert lead.extra["source"].lower() == want["source"].lower()
    assert lead.extra.get("requested_at") == want["requested_at"]
    for side in ("vehicle", "trade_in"):
        got, wanted = getattr(lead, side), want[side]
        if wanted is None:
            assert got is None
            continue
        assert (got.make, got.year, got.mileage_km) == (
            wanted["make"],
            wanted["year"],
            wanted["mileage_km"],
        )
        assert f"{got.model} {got.trim}".startswith(wanted["model"])
        assert got.registration == (wanted["registration"] or "")
        if wanted["price"]:
            assert got.price == Decimal(wanted["price"]["amount"]) and got.currency == "EUR"
    assert lead.received_at == message.received_at
    # Created, then routed on commit by distribution: this dealership has no salespeople, so
    # the lead waits in the unassigned queue, and the timeline says so.
    assert list(lead.events.values_list("kind", flat=True)) == ["created", "distribution"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [("bad-xxe.xml", "entit"), ("bad-unclosed.xml", "")],
)
def test_hostile_or_malformed_input_is_quarantined_with_its_reason(
    deliver, dealership, name, reason
):
    message = deliver(wire.sample(name), dealership)

    assert message.status == InboundMessage.Status.QUARANTINED
    assert message.failure_reason and reason in message.failure_reason.lower()
    assert "\n" not in message.failure_reason and "root:" not in message.failure_reason
    assert bytes(message.raw) == wire.sample(name)
    assert not Lead.objects.exists()
    assert list(message.log.values_list("action", flat=True)) == ["quarantined"]


def test_a_message_over_the_size_limit_is_kept_but_not_parsed(deliver, dealership, settings):
    settings.DEALERLMS_MAX_INBOUND_BYTES = 1000
    raw = wire.sample("adf-basic.xml").replace(b"</adf>", b"<!--" + b"x" * 2000 + b"--></adf>")

    message = deliver(raw, dealership)

    assert message.status == InboundMessage.Status.QUARANTINED
    assert message.failure_reason == f"input too large: {len(raw)} bytes (limit 1000)"
    assert bytes(message.raw) == raw


def test_the_parse_task_run_twice_makes_one_lead(deliver, dealership):
    message = deliver(wire.sample("adf-basic.xml"), dealership)

    parse_received_messages()
    parse_received_messages()

    assert Lead.objects.count() == 1 and message.log.filter(action="parsed").count() == 1


def test_the_source_is_matched_by_sender(deliver, dealership):
    portal = SourceFactory(
        dealership=dealership, name="Occasions", sender_patterns="occasions.example"
    )
    SourceFactory(dealership=dealership, name="Off", sender_patterns="x.example", is_enabled=False)

    message = deliver(LABELLED, dealership, sender="leads@occasions.example")

    assert message.source == portal


def test_the_source_is_found_by_the_name_the_message_gives(deliver, dealership):
    autoscout = SourceFactory(dealership=dealership, name="autoscout24")

    message = deliver(wire.sample("adf-basic.xml"), dealership, sender="unknown@example.org")

    assert message.source == autoscout and message.lead.source == autoscout


def test_labels_of_the_source_are_used_when_parsing(deliver, dealership):
    source = SourceFactory(
        dealership=dealership, name="Occasions", sender_patterns="occasions.example"
    )
    source.labels.create(label="Wie", field="customer.full_name")
    source.labels.create(label="Bereikbaar", field="customer.email")

    message = deliver(LABELLED, dealership, sender="leads@occasions.example")

    assert message.status == InboundMessage.Status.PARSED
    assert message.lead.customer.email == "piet.pieterse@example.nl"


def _again(deliver, dealership, message_id: str, received_at=None) -> InboundMessage:
    raw = wire.sample("adf-basic.xml")
    message = deliver(raw, dealership, message_id=message_id)
    if received_at is not None:
        InboundMessage.objects.filter(pk=message.pk).update(received_at=received_at)
    return message


def test_the_same_customer_and_vehicle_within_the_window_adds_an_event(deliver, dealership):
    first = _again(deliver, dealership, "<one@x>")
    second = _again(deliver, dealership, "<two@x>")

    assert Lead.objects.count() == 1
    assert second.status == InboundMessage.Status.MERGED and second.merged_into == first.lead
    merged = LeadEvent.objects.get(kind="duplicate_merged")
    assert merged.lead == first.lead and merged.data["inbound_message_id"] == second.pk


def test_a_request_after_the_window_is_a_new_lead_of_the_same_customer(
    deliver, dealership, settings
):
    settings.DEALERLMS_DUPLICATE_WINDOW_HOURS = 24
    first = _again(deliver, dealership, "<one@x>")
    Lead.objects.filter(pk=first.lead.pk).update(received_at=timezone.now() - timedelta(hours=25))

    second = _again(deliver, dealership, "<two@x>")

    assert second.status == InboundMessage.Status.PARSED
    assert second.lead != first.lead and second.lead.customer == first.lead.customer


def test_a_returning_customer_after_a_closed_lead_gets_a_new_lead(deliver, dealership):
    first = _again(deliver, dealership, "<one@x>")
    Lead.objects.filter(pk=first.lead.pk).update(status=LeadStatus.LOST)

    second = _again(deliver, dealership, "<two@x>")

    assert Lead.objects.filter(customer=first.lead.customer).count() == 2
    assert second.lead.customer == first.lead.customer


def test_a_new_lead_announces_its_created_event_once(deliver, dealership):
    """What starts distribution: leads announces 'created' (leads.signals) once per new lead,
    and a receiver's on_commit work runs once the lead is stored."""
    from django.db import transaction

    from leads.signals import lead_events_recorded

    heard, after_commit = [], []

    def receiver(sender, events, **kwargs):
        for event in events:
            heard.append((event.kind, event.lead_id))
            if event.kind == "created":
                transaction.on_commit(
                    lambda pk=event.lead_id: after_commit.append(Lead.objects.get(pk=pk))
                )

    lead_events_recorded.connect(receiver, dispatch_uid="test-created")
    try:
        message = deliver(wire.sample("adf-basic.xml"), dealership, message_id="<ann@x>")
    finally:
        lead_events_recorded.disconnect(dispatch_uid="test-created")

    # Distribution's own events follow; 'created' itself is announced exactly once.
    assert [h for h in heard if h[0] == "created"] == [("created", message.lead.pk)]
    assert after_commit == [message.lead]


def test_the_new_lead_page_shows_the_customers_earlier_requests(client, deliver, dealership):
    """A returning customer's new lead links to their earlier one on the lead page, both ways,
    and a salesperson sees only the earlier leads they may see."""
    from django.urls import reverse

    from leads import services
    from tests.factories import manager, salesperson

    first = _again(deliver, dealership, "<one@x>").lead
    Lead.objects.filter(pk=first.pk).update(status=LeadStatus.LOST)
    second = _again(deliver, dealership, "<two@x>").lead
    assert second != first

    client.force_login(manager(dealership))
    page = client.get(reverse("leads:detail", args=[second.pk])).content.decode()
    assert "Other requests of this customer" in page
    assert reverse("leads:detail", args=[first.pk]) in page
    back = client.get(reverse("leads:detail", args=[first.pk])).content.decode()
    assert reverse("leads:detail", args=[second.pk]) in back

    seller = salesperson(dealership)
    services.assign_lead(lead=second, to=seller)
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[second.pk])).content.decode()
    assert reverse("leads:detail", args=[first.pk]) not in page  # not theirs to see


def test_the_same_customer_asking_about_another_vehicle_gets_a_new_lead(deliver, dealership):
    first = _again(deliver, dealership, "<one@x>")
    other = LeadFactory(dealership=dealership, customer=first.lead.customer)
    other.vehicle.make, other.vehicle.model = "Aixam", "City"
    other.vehicle.save()
    Lead.objects.filter(pk=first.lead.pk).update(status=LeadStatus.LOST)

    second = _again(deliver, dealership, "<two@x>")

    assert second.status == InboundMessage.Status.PARSED
    assert Lead.objects.filter(customer=first.lead.customer).count() == 3


def test_the_same_portal_mail_to_two_dealerships_is_a_lead_at_each(deliver):
    a, b = DealershipFactory(), DealershipFactory()
    raw = wire.sample("adf-basic.xml")

    deliver(raw, a, message_id="<m@x>", recipient=a.inbound_address)
    deliver(raw, b, message_id="<m@x>", recipient=b.inbound_address)

    assert {lead.dealership for lead in Lead.objects.all()} == {a, b}


def test_a_lead_from_another_dealership_is_never_a_duplicate(deliver):
    a, b = DealershipFactory(), DealershipFactory()

    _again(deliver, a, "<one@x>")
    _again(deliver, b, "<two@x>")

    assert Lead.objects.count() == 2


def test_requeue_picks_up_a_message_whose_task_never_ran(
    dealership, django_capture_on_commit_callbacks
):
    from inbound.tasks import requeue_waiting_messages

    message = ingest.store_message(
        channel="email", raw=wire.sample("adf-basic.xml"), dealership=dealership, enqueue=False
    )
    InboundMessage.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - timedelta(minutes=10)
    )

    assert requeue_waiting_messages() == 1
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.PARSED


BROKEN = (
    b"From: =?utf-8?b?////?= <leads@portal.example>\r\nTo: dealer@leads.test\r\n"
    b"Subject: =?x-unknown?q?caf=E9?=\r\nMessage-ID: <broken-1@portal.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"!!!not base64\xff\xfe\r\nNaam: J\xe9r\xf4me\r\n"
)


def test_broken_encodings_are_stored_and_never_crash_the_pipeline(dealership, deliver):
    from anymail.inbound import AnymailInboundMessage

    parsed_by_the_provider = AnymailInboundMessage.parse_raw_mime_bytes(
        BROKEN.replace(b"dealer@leads.test", dealership.inbound_address.encode())
    )
    with_webhook = ingest.receive_email(message=parsed_by_the_provider, provider="Test")
    assert with_webhook.dealership == dealership and bytes(with_webhook.raw)

    message = deliver(BROKEN, dealership, message_id="<broken-2@portal.example>")

    assert message.status in (InboundMessage.Status.PARSED, InboundMessage.Status.QUARANTINED)
    if message.status == InboundMessage.Status.QUARANTINED:
        assert message.failure_reason and "\n" not in message.failure_reason
    assert bytes(message.raw) == BROKEN


def test_more_text_than_the_parser_limit_is_kept_but_not_parsed(deliver, dealership, settings):
    """The limit is on what the parser reads: a PDF beside the text does not count (it is never
    read: tests/inbound/test_large_attachments.py), a text part does."""
    settings.DEALERLMS_MAX_INBOUND_BYTES = 50_000
    raw = (
        b"From: leads@portal.example\r\nTo: x@y\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nNaam: Jan\r\n" + b"A" * 60_000 + b"\r\n--b\r\n"
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="x.pdf"\r\n\r\n'
        b"%PDF-1.4\r\n--b--\r\n"
    )

    message = deliver(raw, dealership)

    assert message.status == InboundMessage.Status.QUARANTINED
    assert message.failure_reason.startswith("input too large")
    assert message.raw_bytes() == raw


def test_a_lead_in_the_text_part_with_a_30_mb_attachment_becomes_a_lead(deliver, dealership):
    brochure = base64.encodebytes(os.urandom(30 * 1024 * 1024))
    raw = (
        b"From: Website <formulier@garage.example>\r\nTo: x@y\r\nSubject: Offerte aanvraag\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Naam: Ruud Verbeek\r\nE-mail: ruud@example.nl\r\nTelefoon: 0611223344\r\n--b\r\n"
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="brochure.pdf"'
        b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + brochure + b"\r\n--b--\r\n"
    )

    message = deliver(raw, dealership)

    assert message.status == InboundMessage.Status.PARSED, message.failure_reason
    assert message.lead.customer.full_name == "Ruud Verbeek"
    assert message.raw_bytes() == raw  # kept whole (in a file: test_large_attachments.py)
    assert [a["filename"] for a in message.attachments] == ["brochure.pdf"]


def test_the_worker_keeps_the_text_html_and_attachment_list_for_people(deliver, dealership):
    raw = (
        b"From: leads@portal.example\r\nTo: x@y\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nNaam: J\xe9r\xf4me \x80\r\n--b\r\n"
        b"Content-Type: text/html\r\n\r\n<p>Naam: J&eacute;r&ocirc;me</p>\r\n--b\r\n"
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="offer.pdf"'
        b"\r\n\r\n%PDF-1.4\r\n--b--\r\n"
    )

    message = deliver(raw, dealership)

    assert message.text.strip() == "Naam: Jérôme €"
    assert message.html.strip() == "<p>Naam: J&eacute;r&ocirc;me</p>"
    assert message.attachments == [
        {"filename": "offer.pdf", "content_type": "application/pdf", "size": 8}
    ]


def test_external_entities_never_read_a_local_file(deliver, dealership, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE adf [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<adf><prospect><customer><contact><name part="full">&s;</name>'
        "<email>x@example.com</email></contact></customer></prospect></adf>"
    ).encode()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<adf><prospect><customer><contact><name>&lol3;</name></contact></customer>"
        b"</prospect></adf>"
    )

    for n, raw in enumerate((xml, laughs)):
        message = deliver(raw, dealership, message_id=f"<hostile-{n}@x>")
        assert message.status == InboundMessage.Status.QUARANTINED
        assert "TOP-SECRET" not in f"{message.parsed} {message.failure_reason}"
    assert not Lead.objects.exists()
