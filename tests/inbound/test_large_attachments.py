"""An e-mail with a large attachment: a website form's lead in the text part and a 30 MB brochure,
posted by the provider to the real webhook. The raw message is kept whole in a file outside its
row (written before the row), the lead is read without decoding the brochure, and the file goes
wherever the message goes: the quarantine's download, retries, erasure, retention, the access
export. Small messages stay in their row."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leads import services, tasks
from leads.models import InboundMessage, InboundMessageLog, Lead
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, SourceFactory, manager

pytestmark = pytest.mark.django_db

TO = "doesburg@leads.dealerlms.example"
MB = 1024 * 1024
FILE_NAME = re.compile(r"inbound/\d{4}/\d{2}/[0-9a-f]{64}-[0-9a-f]{16}\.eml")
FORM = (
    "Nieuwe aanvraag via het contactformulier op garage-verbeek.example\n\n"
    "Naam: Ruud Verbeek\n"
    "E-mail: ruud.verbeek@example.nl\n"
    "Telefoon: 06 11 22 33 44\n"
    "Merk: Volkswagen\n"
    "Model: Golf\n"
    "Opmerking: Graag een offerte voor inruil, de brochure van mijn huidige auto zit erbij.\n"
)


def website_form(
    *, brochure: int, text: str = FORM, message_id: str | None = "<form-4711@garage.example>"
) -> bytes:
    """As a mail client sends it: CRLF line ends, the PDF in base64."""
    msg = EmailMessage()
    msg["From"] = "Website Garage Verbeek <formulier@garage-verbeek.example>"
    msg["To"] = TO
    msg["Subject"] = "Offerte aanvraag Volkswagen Golf"
    msg["Date"] = "Mon, 19 Oct 2026 10:00:00 +0200"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(text)
    if brochure:
        msg.add_attachment(
            os.urandom(brochure), maintype="application", subtype="pdf", filename="brochure.pdf"
        )
    return msg.as_bytes(policy=policy.SMTP)


@pytest.fixture(scope="module")
def thirty_mb() -> bytes:
    return website_form(brochure=30 * MB)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def doesburg(db):
    return DealershipFactory(inbound_address=TO, country="NL")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Post like the provider does; the parse job queued on commit then runs (eagerly)."""

    def post(raw: bytes, provider: str = "mailgun"):
        with django_capture_on_commit_callbacks(execute=True):
            response = wire.PROVIDERS[provider](Client(), raw, TO)
        assert response.status_code == 200, response.content
        return response

    return post


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("provider", ["mailgun", "postmark"])
def test_a_website_form_with_a_30_mb_brochure_becomes_a_lead(
    send, doesburg, media, thirty_mb, provider
):
    send(thirty_mb, provider)

    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.PARSED, message.failure_reason
    lead = Lead.objects.get()
    assert lead.inbound_message == message and lead.dealership == doesburg
    assert lead.customer.full_name == "Ruud Verbeek"
    assert lead.customer.email == "ruud.verbeek@example.nl"
    assert lead.customer.primary_phone == "+31611223344"
    assert (lead.vehicle.make, lead.vehicle.model) == ("Volkswagen", "Golf")
    assert "brochure van mijn huidige auto" in lead.comments
    # Kept whole, outside the row: the exact bytes the provider posted, in one file.
    assert bytes(message.raw) == b""
    assert FILE_NAME.fullmatch(message.raw_file.name)
    assert files_in(media) == [media / message.raw_file.name]
    assert (media / message.raw_file.name).read_bytes() == thirty_mb
    assert message.raw_bytes() == thirty_mb and message.raw_size == len(thirty_mb)
    # For people: the text part, and the brochure listed with its size (never decoded).
    assert "Naam: Ruud Verbeek" in message.text
    assert message.attachments == [
        {"filename": "brochure.pdf", "content_type": "application/pdf", "size": 30 * MB}
    ]


def test_a_small_message_stays_in_its_row(send, doesburg, media):
    raw = website_form(brochure=100_000)

    send(raw)

    message = InboundMessage.objects.get()
    assert bytes(message.raw) == raw and message.raw_file.name == ""
    assert message.raw_size == len(raw) and message.raw_bytes() == raw
    assert files_in(media) == []
    assert Lead.objects.get().customer.full_name == "Ruud Verbeek"


@pytest.mark.parametrize("provider", wire.PROVIDERS)
def test_every_provider_s_message_is_kept_byte_for_byte(send, doesburg, provider):
    """As the provider posted it (CRLF line ends, the headers as folded), not anymail's message
    written out again."""
    raw = website_form(brochure=10_000).replace(
        b"Subject: Offerte aanvraag Volkswagen Golf",
        b"Subject: Offerte aanvraag Volkswagen Golf, met inruil van een Ligier JS50 uit 2019"
        b" en de vraag of de auto nog te bezichtigen is",
    )

    send(raw, provider)

    message = InboundMessage.objects.get()
    assert message.raw_bytes() == raw
    assert Lead.objects.get().customer.full_name == "Ruud Verbeek"


def test_the_size_over_which_a_message_goes_to_a_file_is_a_setting(send, doesburg, media, settings):
    settings.DEALERLMS_INBOUND_INLINE_BYTES = 50_000
    raw = website_form(brochure=100_000)

    send(raw)

    message = InboundMessage.objects.get()
    assert bytes(message.raw) == b"" and message.raw_bytes() == raw
    assert files_in(media) == [media / message.raw_file.name]


def test_a_retry_of_the_same_delivery_stores_no_second_file_or_message(send, doesburg, media):
    raw = website_form(brochure=2 * MB)

    send(raw)
    send(raw)  # Mailgun again, with a fresh token

    message = InboundMessage.objects.get()
    assert files_in(media) == [media / message.raw_file.name]
    assert Lead.objects.count() == 1
    assert message.log.filter(action=InboundMessageLog.Action.DUPLICATE_DELIVERY).count() == 1


def test_a_retry_without_a_message_id_is_recognised_by_its_content(send, doesburg, media):
    raw = website_form(brochure=2 * MB, message_id=None)

    send(raw)
    send(raw)

    message = InboundMessage.objects.get()
    assert message.dedup_key.startswith("raw:")
    assert files_in(media) == [media / message.raw_file.name]
    assert Lead.objects.count() == 1


def test_the_same_message_id_with_other_content_is_kept_with_a_file_of_its_own(
    send, doesburg, media
):
    first, correction = (
        website_form(brochure=2 * MB),
        website_form(brochure=2 * MB, text=FORM.replace("Golf", "Polo")),
    )

    send(first)
    send(correction)

    messages = list(InboundMessage.objects.order_by("pk"))
    assert [m.raw_bytes() for m in messages] == [first, correction]
    # Each its own file; the correction's first try (under the first one's key) left none behind.
    assert files_in(media) == sorted(media / m.raw_file.name for m in messages)
    assert "possible correction" in messages[1].log.get(action="received").note


def test_the_quarantine_shows_downloads_and_parses_again_a_large_message(
    client, send, doesburg, media, django_capture_on_commit_callbacks
):
    source = SourceFactory(
        dealership=doesburg, name="Website", sender_patterns="garage-verbeek.example"
    )
    text = "Wie: Ruud Verbeek\nBereikbaar: ruud.verbeek@example.nl\nAuto: Volkswagen Golf\n"
    raw = website_form(brochure=2 * MB, text=text)
    send(raw)
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.QUARANTINED and message.raw_file
    client.force_login(manager(doesburg))

    page = client.get(reverse("inbound:quarantine_detail", args=[message.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Offerte aanvraag Volkswagen Golf" in html  # the headers, read from the file
    assert "Wie: Ruud Verbeek" in html and "brochure.pdf" in html
    download = reverse("inbound:quarantine_raw", args=[message.pk])
    assert download in html

    answer = client.get(download)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "message/rfc822"
    assert f'filename="message-{message.pk}.eml"' in answer["Content-Disposition"]
    assert b"".join(answer.streaming_content) == raw

    # The source's labels, then the whole message is parsed again (from its file).
    source.labels.create(label="Wie", field="customer.full_name")
    source.labels.create(label="Bereikbaar", field="customer.email")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inbound:quarantine_reparse", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.PARSED, message.failure_reason
    assert message.lead.customer.email == "ruud.verbeek@example.nl"


def test_another_dealerships_manager_cannot_download_it(client, send, doesburg):
    send(website_form(brochure=2 * MB))
    message = InboundMessage.objects.get()
    client.force_login(manager(DealershipFactory()))

    answer = client.get(reverse("inbound:quarantine_raw", args=[message.pk]))

    assert answer.status_code in (403, 404)


def test_erasing_the_customer_deletes_the_message_file(
    send, doesburg, media, django_capture_on_commit_callbacks
):
    send(website_form(brochure=2 * MB))
    message = InboundMessage.objects.get()
    stored = media / message.raw_file.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_customer(customer=Lead.objects.get().customer, by=manager(doesburg))

    message.refresh_from_db()
    assert message.raw_file.name == "" and bytes(message.raw) == b"" and message.text == ""
    assert not stored.exists() and files_in(media) == []


def test_retention_deletes_the_file_of_an_old_message(
    send, doesburg, media, django_capture_on_commit_callbacks
):
    doesburg.retention_months = 12
    doesburg.save(update_fields=["retention_months"])
    send(website_form(brochure=2 * MB))
    old = InboundMessage.objects.get()
    InboundMessage.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=400)
    )
    send(website_form(brochure=2 * MB, message_id="<form-4712@garage.example>"))
    new = InboundMessage.objects.exclude(pk=old.pk).get()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.erase_past_retention.delay()

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.raw_file.name == "" and old.raw_bytes() == b""
    assert files_in(media) == [media / new.raw_file.name]


def test_the_access_export_holds_a_large_message_as_it_arrived(client, send, doesburg):
    send(website_form(brochure=2 * MB))
    lead = Lead.objects.get()
    client.force_login(manager(doesburg))

    answer = client.get(reverse("leads:personal_data_json", args=[lead.pk]))

    assert answer.status_code == 200
    (message,) = json.loads(answer.content)["records"]["leads.InboundMessage"]
    assert "Naam: Ruud Verbeek" in message["raw"] and "brochure.pdf" in message["raw"]
    assert message["raw_file"] == lead.inbound_message.raw_file.name


def test_the_parser_limit_applies_to_what_it_reads_not_to_the_brochure(send, doesburg, settings):
    settings.DEALERLMS_MAX_INBOUND_BYTES = 50_000  # far below the message's 2.8 MB

    send(website_form(brochure=2 * MB))

    assert Lead.objects.get().customer.full_name == "Ruud Verbeek"


def test_a_file_whose_row_was_never_written_is_swept_after_a_day(send, doesburg, media):
    """The process died between writing the file and inserting its row, and the provider never
    retried: the file holds personal data no row points to. The hourly sweep deletes it once it
    is a day old; files with a row, and a file that may still be waiting for its row, stay."""
    import os
    import time

    from leads import tasks

    send(website_form(brochure=2 * MB))
    kept = media / InboundMessage.objects.get().raw_file.name
    orphan = kept.with_name("0" * 64 + "-0123456789abcdef.eml")
    orphan.write_bytes(b"From: someone@example.nl\r\n\r\nNaam: Iemand\r\n")
    fresh = kept.with_name("1" * 64 + "-0123456789abcdef.eml")
    fresh.write_bytes(b"From: other@example.nl\r\n\r\n")
    two_days_ago = time.time() - 2 * 86400
    for path in (kept, orphan):
        os.utime(path, (two_days_ago, two_days_ago))

    assert tasks.sweep_unreferenced_message_files.delay().get() == 1
    assert files_in(media) == sorted([kept, fresh])
