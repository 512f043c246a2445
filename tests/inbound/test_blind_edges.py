"""Leads at DealerLMS's edges, posted the way the outside world really posts them.

Each request is built here byte by byte as the provider (or a website developer, or Google)
sends it — multipart bodies with raw bytes, JSON as the provider writes it — with the mess real
mail carries: a Latin-1 body declared UTF-8, 8-bit text without a charset, raw bytes in a header,
NUL bytes, an empty body, an HTML-only mail, a forward as an attachment, retries. What a dealer
must see: the message kept exactly as it came, the lead with the customer's name, phone, e-mail
and car, a specific 4xx for a bad request, and a message that is no lead visible, not dropped.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.test import Client

from leads.models import InboundMessage, Lead
from tests import sns_edge
from tests.factories import DealershipFactory, SourceFactory

pytestmark = pytest.mark.django_db

TO = "verkoop@leads.garage-blind.example"
MAILGUN_KEY = "blind-mailgun-signing-key"
SECRET = "hooks:s3cret"
CRLF = b"\r\n"


@pytest.fixture(autouse=True)
def _provider_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "WEBHOOK_SECRET": SECRET}


@pytest.fixture
def garage(db):
    return DealershipFactory(inbound_address=TO, country="NL")


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """A request through the real URL; the parse job queued on commit runs (eagerly)."""

    def send(path: str, body: bytes, content_type: str, **headers):
        client = Client(raise_request_exception=False)
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic("POST", path, body, content_type=content_type, **headers)

    return send


def basic_auth() -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}


def multipart(fields: list[tuple[str, bytes | str]], files=()) -> tuple[bytes, str]:
    """multipart/form-data as providers write it: each value's bytes as they have them."""
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields:
        data = value.encode() if isinstance(value, str) else value
        out += [
            b"--" + boundary.encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            data,
        ]
    for name, filename, content_type, data in files:
        out += [
            b"--" + boundary.encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'.encode(),
            f"Content-Type: {content_type}".encode(),
            b"",
            data,
        ]
    out += [b"--" + boundary.encode() + b"--", b""]
    return CRLF.join(out), f"multipart/form-data; boundary={boundary}"


def mailgun_signature() -> list[tuple[str, str]]:
    timestamp = str(int(time.time()))
    token = uuid.uuid4().hex
    signature = hmac.new(
        MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return [("timestamp", timestamp), ("token", token), ("signature", signature)]


def mailgun_mime(post, raw: bytes, sender: str = "bounce@mailer.example"):
    fields = [
        ("recipient", TO),
        ("sender", sender),
        ("subject", "lead"),
        ("body-mime", raw),
        *mailgun_signature(),
    ]
    body, content_type = multipart(fields)
    return post("/anymail/mailgun/inbound_mime/", body, content_type, **basic_auth())


def eml(headers: list[bytes | str], body: bytes) -> bytes:
    lines = [h.encode() if isinstance(h, str) else h for h in headers]
    return CRLF.join(lines) + CRLF + CRLF + body


def message_id() -> str:
    return f"<{uuid.uuid4().hex}@mail.example>"


def form_mail(body: bytes, *, charset: str | None = "UTF-8", subject: bytes = b"Proefrit") -> bytes:
    content_type = "Content-Type: text/plain" + (f'; charset="{charset}"' if charset else "")
    return eml(
        [
            "From: Website Garage Blind <noreply@website-builder.example>",
            f"To: {TO}",
            b"Subject: " + subject,
            f"Message-ID: {message_id()}",
            "Date: Sat, 05 Dec 2026 10:00:00 +0100",
            "MIME-Version: 1.0",
            content_type,
            "Content-Transfer-Encoding: 8bit",
        ],
        body,
    )


def the_message() -> InboundMessage:
    return InboundMessage.objects.get()


def the_lead() -> Lead:
    return Lead.objects.select_related("customer", "vehicle").get()


def readable(message: InboundMessage) -> str:
    """The stored message as a person downloading it reads it: every text part, decoded. (A
    provider that posts parsed fields, not the MIME, gets the message written out again, its
    parts in base64.)"""
    parsed = email.message_from_bytes(message.raw_bytes(), policy=email.policy.default)
    return "\n".join(
        part.get_content()
        for part in parsed.walk()
        if part.get_content_maintype() == "text" or part.get_content_type().endswith("xml")
    )


def phones(lead: Lead) -> list[str]:
    return [p.number for p in lead.customer.phones.all()]


# --- Mailgun, raw MIME ---------------------------------------------------------------------


def test_mailgun_latin1_body_declared_utf8_keeps_the_accents(post, garage):
    body = (
        "Naam: José Müller\r\nTelefoon: 06 12 34 56 78\r\nE-mail: jose.muller@example.nl\r\n"
        "Auto: Volkswagen Golf\r\nBericht: Graag een proefrit zaterdag.\r\n"
    ).encode("latin-1")
    raw = form_mail(body, charset="UTF-8")

    response = mailgun_mime(post, raw)

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.raw_bytes() == raw  # kept byte for byte, the invalid UTF-8 included
    lead = the_lead()
    assert lead.customer.full_name == "José Müller"
    assert lead.customer.email == "jose.muller@example.nl"
    assert phones(lead) == ["+31612345678"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Volkswagen", "Golf")


def test_mailgun_utf8_template_around_a_visitors_latin1_input(post, garage):
    """A form mailer's own words in UTF-8, the visitor's typed name in Latin-1: both kept."""
    body = "Nieuw bericht via het formulier – reageer snel\r\n".encode() + (
        "Naam: Inès Brouwer\r\nTelefoon: 0612345685\r\nE-mail: ines@example.nl\r\n"
    ).encode("latin-1")
    raw = form_mail(body, charset="UTF-8")

    response = mailgun_mime(post, raw)

    assert response.status_code == 200, response.content
    message = the_message()
    assert "formulier – reageer" in message.text and "Inès Brouwer" in message.text
    assert the_lead().customer.full_name == "Inès Brouwer"


def test_mailgun_8bit_body_without_charset(post, garage):
    body = (
        "Nom : Françoise Lefèvre\r\nTéléphone : +32 470 12 34 56\r\n"
        "E-mail : francoise.lefevre@example.be\r\nVéhicule : Renault Clio\r\n"
    ).encode()
    raw = form_mail(body, charset=None)

    response = mailgun_mime(post, raw)

    assert response.status_code == 200, response.content
    assert the_message().raw_bytes() == raw
    lead = the_lead()
    assert lead.customer.full_name == "Françoise Lefèvre"
    assert lead.customer.email == "francoise.lefevre@example.be"
    assert phones(lead) == ["+32470123456"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Renault", "Clio")


def test_mailgun_raw_non_ascii_bytes_in_headers(post, garage):
    """A form mailer that puts the visitor's name, unencoded Latin-1, in its display name."""
    raw = eml(
        [
            b"From: J\xf6rg Wei\xdf via Website <noreply@website-builder.example>",
            f"To: {TO}".encode(),
            "Subject: Anfrage Škoda Octavia – Probefahrt".encode(),  # raw UTF-8
            f"Message-ID: {message_id()}".encode(),
            b"MIME-Version: 1.0",
            b"Content-Type: text/plain; charset=utf-8",
        ],
        b"Telefon: +49 151 23456789\r\nE-Mail: joerg.weiss@example.de\r\n"
        b"Nachricht: Ich interessiere mich fuer den Skoda Octavia.\r\n",
    )

    response = mailgun_mime(post, raw)

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.raw_bytes() == raw
    assert "Octavia" in message.subject
    lead = the_lead()
    assert lead.customer.email == "joerg.weiss@example.de"
    assert lead.customer.full_name == "Jörg Weiß"
    assert phones(lead) == ["+4915123456789"]


def test_mailgun_nul_bytes_in_the_body(post, garage):
    body = (
        b"Naam: Pieter Bakker\x00\r\nTelefoon: 0612345679\r\n"
        b"E-mail: pieter.bakker@example.nl\x00\x00\r\nAuto: Toyota Yaris\r\n"
    )
    raw = form_mail(body)

    response = mailgun_mime(post, raw)

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.raw_bytes() == raw
    assert "\x00" not in message.text
    lead = the_lead()
    assert lead.customer.full_name == "Pieter Bakker"
    assert lead.customer.email == "pieter.bakker@example.nl"
    assert phones(lead) == ["+31612345679"]


def test_mailgun_zero_byte_message_is_kept_and_visible(post, garage):
    response = mailgun_mime(post, b"")

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.status == InboundMessage.Status.QUARANTINED
    assert message.failure_reason  # a reason the manager can read
    assert not Lead.objects.exists()


def test_an_out_of_office_reply_is_not_a_lead_but_kept(post, garage):
    raw = eml(
        [
            "From: Karin Smit <karin@example.nl>",
            f"To: {TO}",
            "Subject: Automatisch antwoord: Uw offerte Kia Niro",
            "Auto-Submitted: auto-replied",
            f"Message-ID: {message_id()}",
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"Ik ben afwezig tot 14 december. Bel 0612345670 voor dringende zaken.\r\n",
    )

    response = mailgun_mime(post, raw, sender="karin@example.nl")

    assert response.status_code == 200
    message = the_message()
    assert message.status == InboundMessage.Status.NOT_A_LEAD
    assert message.failure_reason
    assert not Lead.objects.exists()


def test_a_very_long_subject(post, garage):
    subject = ("Offerteaanvraag Volkswagen Polo 1.0 TSI Life " * 60).strip().encode()
    raw = form_mail(
        b"Naam: Lotte de Wit\r\nTelefoon: 0612345671\r\nE-mail: lotte@example.nl\r\n",
        subject=subject,
    )

    response = mailgun_mime(post, raw)

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.raw_bytes() == raw
    assert message.subject.startswith("Offerteaanvraag Volkswagen Polo")
    lead = the_lead()
    assert lead.customer.full_name == "Lotte de Wit"
    assert lead.customer.email == "lotte@example.nl"


# --- Mailgun, parsed form ------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def mailgun_parsed(post, *, message_id_header: str, html: str, text: str | None = None):
    headers = [
        ["From", "Website <noreply@garage-blind.example>"],
        ["To", TO],
        ["Subject", "Contactformulier: proefrit"],
        ["Message-Id", message_id_header],
        ["Date", "Sat, 05 Dec 2026 10:00:00 +0100"],
        ["Content-Type", 'multipart/related; boundary="b1"'],
    ]
    fields = [
        ("recipient", TO),
        ("sender", "noreply@garage-blind.example"),
        ("from", "Website <noreply@garage-blind.example>"),
        ("subject", "Contactformulier: proefrit"),
        ("body-html", html),
        ("stripped-html", html),
        ("Message-Id", message_id_header),
        ("message-headers", json.dumps(headers)),
        ("attachment-count", "1"),
        ("content-id-map", json.dumps({"<logo@garage>": "attachment-1"})),
        *mailgun_signature(),
    ]
    if text is not None:
        fields += [("body-plain", text), ("stripped-text", text)]
    body, content_type = multipart(fields, [("attachment-1", "logo.png", "image/png", PNG)])
    return post("/anymail/mailgun/inbound/", body, content_type, **basic_auth())


HTML_FORM = (
    '<html><body><img src="cid:logo@garage" alt="Garage"><h2>Nieuw contactformulier</h2>'
    "<table><tr><td>Naam</td><td>Emma Jans&eacute;n</td></tr>"
    "<tr><td>Telefoon</td><td>06-12345672</td></tr>"
    '<tr><td>E-mail</td><td><a href="mailto:emma.jansen@example.nl">emma.jansen@example.nl</a>'
    "</td></tr><tr><td>Merk</td><td>Opel</td></tr><tr><td>Model</td><td>Corsa</td></tr>"
    "<tr><td>Bericht</td><td>Kan ik dinsdag een proefrit maken?</td></tr></table>"
    "</body></html>"
)


def test_mailgun_parsed_html_only_mail_with_an_inline_image(post, garage):
    response = mailgun_parsed(post, message_id_header=message_id(), html=HTML_FORM)

    assert response.status_code == 200, response.content
    message = the_message()
    assert "emma.jansen@example.nl" in readable(message)
    lead = the_lead()
    assert lead.customer.full_name == "Emma Jansén"
    assert lead.customer.email == "emma.jansen@example.nl"
    assert phones(lead) == ["+31612345672"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Opel", "Corsa")


def test_mailgun_parsed_retry_with_the_same_message_id_is_one_lead(post, garage):
    """Mailgun signs each retry with a fresh token: only the Message-ID says it is the same."""
    mid = message_id()
    first = mailgun_parsed(post, message_id_header=mid, html=HTML_FORM)
    again = mailgun_parsed(post, message_id_header=mid, html=HTML_FORM)

    assert first.status_code == 200 and again.status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Lead.objects.count() == 1


# --- Postmark ------------------------------------------------------------------------------


def postmark(post, payload: dict):
    return post(
        "/anymail/postmark/inbound/",
        json.dumps(payload).encode(),
        "application/json",
        **basic_auth(),
    )


def postmark_payload(**extra) -> dict:
    return {
        "FromName": "Autoportaal",
        "MessageStream": "inbound",
        "From": "leads@autoportaal.example",
        "FromFull": {
            "Email": "leads@autoportaal.example",
            "Name": "Autoportaal",
            "MailboxHash": "",
        },
        "To": TO,
        "ToFull": [{"Email": TO, "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": TO,
        "Subject": "Nieuwe lead",
        "MessageID": str(uuid.uuid4()),
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Sat, 5 Dec 2026 10:00:00 +0100",
        "TextBody": "",
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<bounces@autoportaal.example>"},
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "X-Spam-Score", "Value": "-0.1"},
            {"Name": "Message-ID", "Value": message_id()},
        ],
        "Attachments": [],
        **extra,
    }


ADF = """<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf><prospect>
 <requestdate>2026-12-05T10:00:00+01:00</requestdate>
 <vehicle interest="buy" status="used"><year>2020</year><make>Ford</make><model>Focus</model>
  <stock>ST-4471</stock></vehicle>
 <customer><contact>
  <name part="first">Daan</name><name part="last">van den Berg</name>
  <email>daan.vandenberg@example.nl</email><phone type="voice">+31 6 1234 5673</phone>
 </contact><comments>Is de auto nog beschikbaar?</comments></customer>
 <provider><name part="full">Autoportaal</name></provider>
</prospect></adf>
"""


def test_postmark_without_raw_email_with_an_adf_xml_attachment(post, garage):
    payload = postmark_payload(
        TextBody="Zie de bijgevoegde lead (ADF).",
        Attachments=[
            {
                "Name": "lead-ST-4471.xml",
                "Content": base64.b64encode(ADF.encode()).decode(),
                "ContentType": "text/xml",
                "ContentLength": len(ADF.encode()),
                "ContentID": "",
            }
        ],
    )

    response = postmark(post, payload)

    assert response.status_code == 200, response.content
    message = the_message()
    assert "daan.vandenberg@example.nl" in readable(message)
    lead = the_lead()
    assert lead.customer.full_name == "Daan van den Berg"
    assert lead.customer.email == "daan.vandenberg@example.nl"
    assert phones(lead) == ["+31612345673"]
    assert (lead.vehicle.make, lead.vehicle.model, lead.vehicle.year) == ("Ford", "Focus", 2020)
    assert lead.vehicle.stock_number == "ST-4471"


def test_postmark_raw_email_forwarded_as_an_attached_message(post, garage):
    original = eml(
        [
            "From: Sophie Peeters <sophie.peeters@example.be>",
            "To: info@garage-blind.example",
            "Subject: Vraag over Hyundai Tucson",
            "Message-ID: <orig-1@example.be>",
            "Date: Fri, 04 Dec 2026 18:00:00 +0100",
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"Goedemiddag, is de Hyundai Tucson nog te koop? Mijn gsm: +32 470 98 76 54. "
        b"Groeten, Sophie Peeters\r\n",
    )
    raw = eml(
        [
            "From: Bart Receptie <bart@garage-blind.example>",
            f"To: {TO}",
            "Subject: Fwd: Vraag over Hyundai Tucson",
            f"Message-ID: {message_id()}",
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="fw"',
        ],
        b"--fw\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZie bijlage, graag opvolgen.\r\n"
        b"--fw\r\nContent-Type: message/rfc822\r\n"
        b'Content-Disposition: attachment; filename="Vraag over Hyundai Tucson.eml"\r\n\r\n'
        + original
        + b"\r\n--fw--\r\n",
    )
    payload = postmark_payload(
        From="bart@garage-blind.example",
        FromFull={"Email": "bart@garage-blind.example", "Name": "Bart Receptie"},
        Subject="Fwd: Vraag over Hyundai Tucson",
        TextBody="Zie bijlage, graag opvolgen.",
        RawEmail=raw.decode(),
    )

    response = postmark(post, payload)

    assert response.status_code == 200, response.content
    assert b"sophie.peeters@example.be" in the_message().raw_bytes()
    lead = the_lead()
    assert lead.customer.full_name == "Sophie Peeters"
    assert lead.customer.email == "sophie.peeters@example.be"
    assert "+32 470 98 76 54" in lead.comments  # the number is before the salesperson's eyes
    assert lead.extra["forwarded_by"].endswith("<bart@garage-blind.example>")


def test_a_forwarded_personal_mail_gives_its_phone_and_car(post, garage):
    test_postmark_raw_email_forwarded_as_an_attached_message(post, garage)

    lead = the_lead()
    assert phones(lead) == ["+32470987654"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Hyundai", "Tucson")


# --- SendGrid Inbound Parse ----------------------------------------------------------------


def sendgrid(post, fields: list[tuple[str, bytes | str]], files=()):
    body, content_type = multipart(fields, files)
    return post("/anymail/sendgrid/inbound/", body, content_type, **basic_auth())


def test_sendgrid_raw_mode_quoted_printable_latin1(post, garage):
    raw = eml(
        [
            "From: =?iso-8859-1?Q?Ana=EFs_Dubois?= <anais.dubois@example.fr>",
            f"To: {TO}",
            "Subject: =?iso-8859-1?Q?Demande_d'essai_Citro=EBn_C3?=",
            f"Message-ID: {message_id()}",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: quoted-printable",
        ],
        b"Bonjour, je souhaite essayer la Citro=EBn C3.\r\nT=E9l=E9phone : 06 12 34 56 78\r\n"
        b"Cordialement,\r\nAna=EFs Dubois\r\n",
    )
    fields = [
        ("dkim", "{@example.fr : pass}"),
        ("email", raw),
        ("to", TO),
        ("from", "Anaïs Dubois <anais.dubois@example.fr>"),
        ("subject", "Demande d'essai Citroën C3"),
        ("sender_ip", "192.0.2.10"),
        ("spam_report", ""),
        ("envelope", json.dumps({"to": [TO], "from": "anais.dubois@example.fr"})),
        ("charsets", json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8"})),
        ("SPF", "pass"),
    ]

    response = sendgrid(post, fields)

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.raw_bytes() == raw
    assert message.subject == "Demande d'essai Citroën C3"
    lead = the_lead()
    assert (lead.vehicle.make, lead.vehicle.model) == ("Citroën", "C3")


def test_a_customers_own_mail_makes_its_sender_the_customer(post, garage):
    raw = eml(
        [
            "From: =?iso-8859-1?Q?Ana=EFs_Dubois?= <anais.dubois@example.fr>",
            f"To: {TO}",
            "Subject: Essai Peugeot 3008",
            f"Message-ID: {message_id()}",
            "Content-Type: text/plain; charset=iso-8859-1",
        ],
        b"Bonjour, je souhaite essayer la Peugeot 3008.\r\nT\xe9l\xe9phone : +33 6 12 34 56 78\r\n",
    )

    mailgun_mime(post, raw, sender="anais.dubois@example.fr")

    lead = the_lead()
    assert lead.customer.email == "anais.dubois@example.fr"
    assert lead.customer.full_name == "Anaïs Dubois"


def sendgrid_parsed_fields(mid: str, text: bytes, charset: str) -> list[tuple[str, bytes | str]]:
    headers = (
        f"Received: by mx.sendgrid.net with SMTP id abc\n"
        f"From: Website <formulier@garage-blind.example>\n"
        f"To: {TO}\n"
        f"Subject: Offerteaanvraag\n"
        f"Message-ID: {mid}\n"
        f"Date: Sat, 05 Dec 2026 10:00:00 +0100\n"
        f"MIME-Version: 1.0\n"
        f'Content-Type: text/plain; charset="{charset}"\n'
    )
    return [
        ("headers", headers),
        ("dkim", "{@garage-blind.example : pass}"),
        ("to", TO),
        ("from", "Website <formulier@garage-blind.example>"),
        ("text", text),
        ("sender_ip", "192.0.2.11"),
        ("envelope", json.dumps({"to": [TO], "from": "formulier@garage-blind.example"})),
        ("attachments", "0"),
        ("subject", "Offerteaanvraag"),
        (
            "charsets",
            json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8", "text": charset}),
        ),
        ("SPF", "pass"),
    ]


def test_sendgrid_parsed_mode_text_in_windows_1252(post, garage):
    text = (
        "Naam: Noël Hermans\r\nTelefoon: 0612345674\r\nE-mail: noel.hermans@example.nl\r\n"
        "Auto: Mazda CX-5\r\nBudget: € 25.000 – liefst “zo snel mogelijk”\r\n"
    ).encode("cp1252")

    response = sendgrid(post, sendgrid_parsed_fields(message_id(), text, "windows-1252"))

    assert response.status_code == 200, response.content
    message = the_message()
    assert "Noël Hermans" in readable(message)
    lead = the_lead()
    assert lead.customer.full_name == "Noël Hermans"
    assert lead.customer.email == "noel.hermans@example.nl"
    assert phones(lead) == ["+31612345674"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Mazda", "CX-5")


def test_sendgrid_parsed_retry_with_the_same_message_id_is_one_lead(post, garage):
    mid = message_id()
    text = b"Naam: Jesse Visser\r\nTelefoon: 0612345675\r\nE-mail: jesse@example.nl\r\n"

    first = sendgrid(post, sendgrid_parsed_fields(mid, text, "UTF-8"))
    again = sendgrid(post, sendgrid_parsed_fields(mid, text, "UTF-8"))

    assert first.status_code == again.status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Lead.objects.get().customer.email == "jesse@example.nl"


# --- Amazon SES through SNS ----------------------------------------------------------------


def ses(post, raw: bytes, *, encoding: str):
    content = base64.b64encode(raw).decode() if encoding == "BASE64" else raw.decode()
    event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-12-05T09:00:01.123Z",
            "source": "no-reply@dealerportal.example",
            "messageId": uuid.uuid4().hex[:20],
            "destination": [TO],
            "headersTruncated": False,
            "headers": [{"name": "To", "value": TO}],
            "commonHeaders": {"to": [TO], "subject": "lead"},
        },
        "receipt": {
            "timestamp": "2026-12-05T09:00:01.123Z",
            "processingTimeMillis": 310,
            "recipients": [TO],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "GRAY"},
            "dmarcVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:eu-west-1:123456789012:inbound",
                "encoding": encoding,
            },
        },
        "content": content,
    }
    body = sns_edge.sign(
        {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:inbound",
            "Subject": "Amazon SES Email Receipt Notification",
            "Message": json.dumps(event),
            "Timestamp": "2026-12-05T09:00:02.000Z",
            "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
        }
    )
    return post(
        "/anymail/amazon_ses/inbound/",
        json.dumps(body).encode(),
        "text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID=body["MessageId"],
        HTTP_X_AMZ_SNS_TOPIC_ARN=body["TopicArn"],
        **basic_auth(),
    )


PORTAL_MAIL = eml(
    [
        "From: Dealerportaal <no-reply@dealerportal.example>",
        f"To: {TO}",
        "Reply-To: Ruben Mulder <ruben.mulder@example.nl>",
        "Subject: Nieuwe aanvraag: Nissan Qashqai",
        "Message-ID: <dp-998877@dealerportal.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ],
    "U heeft een nieuwe aanvraag ontvangen.\r\n\r\nNaam: Ruben Mulder\r\n"
    "E-mail: ruben.mulder@example.nl\r\nTelefoon: 06 1234 5676\r\n"
    "Voertuig: Nissan Qashqai 1.3 DIG-T N-Connecta\r\nOpmerking: Inruil mogelijk? Ça va.\r\n".encode(),
)


@pytest.mark.parametrize("encoding", ["BASE64", "UTF8"])
def test_amazon_ses_sns_action(post, garage, encoding):
    response = ses(post, PORTAL_MAIL, encoding=encoding)

    assert response.status_code == 200, response.content
    assert the_message().raw_bytes() == PORTAL_MAIL
    lead = the_lead()
    assert lead.customer.full_name == "Ruben Mulder"
    assert lead.customer.email == "ruben.mulder@example.nl"
    assert phones(lead) == ["+31612345676"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Nissan", "Qashqai")


# --- Mailjet, SparkPost, Brevo -------------------------------------------------------------


def test_mailjet_parse_api(post, garage):
    payload = {
        "Sender": "website@garage-blind.example",
        "Recipient": TO,
        "Date": "20261205T100000",
        "From": "Website <website@garage-blind.example>",
        "Subject": "Contactaanvraag Seat Ibiza",
        "Headers": {
            "Return-Path": ["<website@garage-blind.example>"],
            "Received": ["by mx.mailjet.example", "from web1.garage-blind.example"],
            "Message-ID": message_id(),
            "Date": "Sat, 05 Dec 2026 10:00:00 +0100",
            "From": "Website <website@garage-blind.example>",
            "To": TO,
            "Subject": "Contactaanvraag Seat Ibiza",
            "Content-Type": ['multipart/alternative; boundary="mj"'],
        },
        "Parts": [
            {"Headers": {"Content-Type": 'text/plain; charset="utf-8"'}, "ContentRef": "Text-part"},
            {"Headers": {"Content-Type": 'text/html; charset="utf-8"'}, "ContentRef": "Html-part"},
        ],
        "Text-part": "Naam: Mila Çelik\nTelefoon: 0612345677\nE-mail: mila.celik@example.nl\n"
        "Auto: Seat Ibiza\n",
        "Html-part": "<p>Naam: Mila Çelik<br>Telefoon: 0612345677<br>"
        "E-mail: mila.celik@example.nl<br>Auto: Seat Ibiza</p>",
        "SpamAssassinScore": "0.1",
        "CustomID": "",
        "Payload": "",
    }

    response = post(
        "/anymail/mailjet/inbound/",
        json.dumps(payload).encode(),
        "application/json",
        **basic_auth(),
    )

    assert response.status_code == 200, response.content
    assert "Mila Çelik" in readable(the_message())
    lead = the_lead()
    assert lead.customer.full_name == "Mila Çelik"
    assert lead.customer.email == "mila.celik@example.nl"
    assert phones(lead) == ["+31612345677"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("SEAT", "Ibiza")


def test_sparkpost_relay_of_a_latin1_message(post, garage):
    """SparkPost hands the message over base64 as it was received: not necessarily UTF-8."""
    raw = eml(
        [
            "From: Website <formulier@garage-blind.example>",
            f"To: {TO}",
            "Subject: Proefrit aanvraag",
            f"Message-ID: {message_id()}",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: 8bit",
        ],
        "Naam: Chloé Maes\r\nTelefoon: 0612345678\r\nE-mail: chloe.maes@example.nl\r\n"
        "Auto: Fiat 500\r\n".encode("latin-1"),
    )
    event = {
        "msys": {
            "relay_message": {
                "content": {
                    "email_rfc822": base64.b64encode(raw).decode(),
                    "email_rfc822_is_base64": True,
                    "headers": [{"To": TO}],
                    "html": "",
                    "subject": "Proefrit aanvraag",
                    "text": "",
                    "to": [TO],
                },
                "customer_id": "1337",
                "friendly_from": "formulier@garage-blind.example",
                "msg_from": "formulier@garage-blind.example",
                "rcpt_to": TO,
                "webhook_id": "4839201967643219",
                "protocol": "smtp",
            }
        }
    }

    response = post(
        "/anymail/sparkpost/inbound/",
        json.dumps([event]).encode(),
        "application/json",
        **basic_auth(),
    )

    assert response.status_code == 200, response.content
    assert the_message().raw_bytes() == raw
    lead = the_lead()
    assert lead.customer.full_name == "Chloé Maes"
    assert lead.customer.email == "chloe.maes@example.nl"
    assert (lead.vehicle.make, lead.vehicle.model) == ("Fiat", "500")


def test_brevo_inbound_parse(post, garage, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "BREVO_API_KEY": "xkeysib-blind"}  # (attachments)
    mid = message_id()
    item = {
        "Uuid": [str(uuid.uuid4())],
        "MessageId": mid,
        "InReplyTo": None,
        "From": {"Name": "Website", "Address": "website@garage-blind.example"},
        "To": [{"Name": None, "Address": TO}],
        "Cc": None,
        "ReplyTo": None,
        "SentAtDate": "Sat, 5 Dec 2026 10:00:00 +0100",
        "Subject": "Nieuwe aanvraag: Dacia Sandero",
        "Attachments": [],
        "Headers": {
            "Return-Path": "<website@garage-blind.example>",
            "Delivered-To": TO,
            "Message-ID": mid,
            "From": "Website <website@garage-blind.example>",
            "To": TO,
            "Subject": "Nieuwe aanvraag: Dacia Sandero",
            "Date": "Sat, 5 Dec 2026 10:00:00 +0100",
            "Received": ["from a by b", "from c by d"],
        },
        "SpamScore": 0.4,
        "ExtractedMarkdownMessage": "Naam: Yusuf Öztürk ...",
        "ExtractedMarkdownSignature": None,
        "RawHtmlBody": "<p>Naam: Yusuf Öztürk<br>Telefoon: +31 6 12 34 56 80<br>"
        "E-mail: yusuf.ozturk@example.nl<br>Auto: Dacia Sandero</p>",
        "RawTextBody": "Naam: Yusuf Öztürk\nTelefoon: +31 6 12 34 56 80\n"
        "E-mail: yusuf.ozturk@example.nl\nAuto: Dacia Sandero\n",
    }

    response = post(
        "/anymail/brevo/inbound/",
        json.dumps({"items": [item]}).encode(),
        "application/json",
        **basic_auth(),
    )

    assert response.status_code == 200, response.content
    assert "Yusuf Öztürk" in readable(the_message())
    lead = the_lead()
    assert lead.customer.full_name == "Yusuf Öztürk"
    assert lead.customer.email == "yusuf.ozturk@example.nl"
    assert phones(lead) == ["+31612345680"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Dacia", "Sandero")


# --- The website API -----------------------------------------------------------------------


@pytest.fixture
def website(garage):
    source = SourceFactory(dealership=garage, name="Website", kind="website")
    source.token = source.rotate_api_token()
    source.save()
    return source


def api(post, website, body: bytes, content_type: str = "application/json"):
    return post("/api/v1/leads", body, content_type, HTTP_AUTHORIZATION=f"Bearer {website.token}")


def test_api_json_with_extra_keys_nulls_strings_and_a_spaced_phone(post, website):
    body = {
        "customer": {
            "full_name": "Zoë Ñúñez-Ødegård",
            "email": "zoe.nunez@example.nl",
            "phone": "06 12 34 56 81",
            "street": None,
            "newsletter": "yes",
        },
        "vehicle": {"make": "Peugeot", "model": "208", "year": "2021", "mileage_km": None},
        "lead_type": "quote",
        "comments": None,
        "external_id": None,
        "utm_source": "google",
        "utm_campaign": "winter-2026",
        "gdpr_consent": True,
        "submitted_at": "2026-12-05T10:00:00+01:00",
    }

    response = api(post, website, json.dumps(body).encode())

    assert response.status_code == 201, response.content
    lead = Lead.objects.select_related("customer", "vehicle").get(pk=response.json()["lead_id"])
    assert lead.inbound_message.raw_bytes() == json.dumps(body).encode()
    assert lead.customer.full_name == "Zoë Ñúñez-Ødegård"
    assert lead.customer.email == "zoe.nunez@example.nl"
    assert phones(lead) == ["+31612345681"]
    assert (lead.vehicle.make, lead.vehicle.model, lead.vehicle.year) == ("Peugeot", "208", 2021)


def test_api_flat_dutch_form_keys(post, website):
    body = {
        "voornaam": "Sanne",
        "achternaam": "de Vries",
        "telefoonnummer": "+31 (0)6 1234 5682",
        "e-mailadres": "sanne.devries@example.nl",
        "merk": "Kia",
        "model": "Niro",
        "bericht": "Graag een offerte.",
        "form_id": 7,
        "page_url": "https://garage-blind.example/occasions/kia-niro",
    }

    response = api(post, website, json.dumps(body).encode())

    assert response.status_code == 201, response.content
    lead = the_lead()
    assert lead.customer.full_name == "Sanne de Vries"
    assert lead.customer.email == "sanne.devries@example.nl"
    assert phones(lead) == ["+31612345682"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Kia", "Niro")


def test_api_form_encoded_post_from_a_php_script(post, website):
    """curl -d / http_build_query posts application/x-www-form-urlencoded: the lead is no less
    a lead for it."""
    body = (
        b"name=Tom+Peters&email=tom.peters%40example.nl&phone=06+12+34+56+83"
        b"&make=Skoda&model=Fabia&message=Bel+me+maar%21"
    )

    response = api(post, website, body, "application/x-www-form-urlencoded")

    assert response.status_code == 201, response.content
    lead = the_lead()
    # Kept as the JSON object the form stands for (what the parser and the page read).
    assert json.loads(lead.inbound_message.raw_bytes())["name"] == "Tom Peters"
    assert lead.customer.full_name == "Tom Peters"
    assert lead.customer.email == "tom.peters@example.nl"
    assert phones(lead) == ["+31612345683"]


def test_api_json_sent_as_text_plain(post, website):
    """navigator.sendBeacon and no-cors fetch can only send text/plain: the body is still JSON."""
    body = json.dumps(
        {"customer": {"full_name": "Lisa Bos", "email": "lisa.bos@example.nl"}, "comments": "Hoi"}
    ).encode()

    response = api(post, website, body, "text/plain;charset=UTF-8")

    assert response.status_code == 201, response.content
    assert the_lead().customer.email == "lisa.bos@example.nl"


def test_api_body_that_is_not_json_gets_a_reason(post, website):
    body = b"<lead><name>Karel</name></lead>"

    response = api(post, website, body, "application/json")

    assert response.status_code == 400
    assert "JSON" in response.content.decode()
    assert not Lead.objects.exists()
    message = the_message()  # kept, to be seen
    assert message.raw_bytes() == body and message.failure_reason


def test_api_without_any_contact_says_what_is_missing(post, website):
    body = json.dumps({"customer": {"full_name": "Anoniem"}, "vehicle": {"make": "BMW"}}).encode()

    response = api(post, website, body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("email" in key or "phone" in key or "customer" in key for key in errors), errors
    assert not Lead.objects.exists()


def test_api_invalid_email_is_named(post, website):
    body = json.dumps({"customer": {"full_name": "Jan", "email": "jan@"}}).encode()

    response = api(post, website, body)

    assert response.status_code == 400
    assert "customer.email" in response.json()["errors"]
    assert not Lead.objects.exists()


def test_api_oversize_body_is_refused_with_413(post, website, settings):
    padding = "x" * (settings.DEALERLMS_MAX_INBOUND_BYTES + 1)
    body = json.dumps({"customer": {"email": "big@example.nl"}, "comments": padding}).encode()

    response = api(post, website, body)

    assert response.status_code == 413
    assert not Lead.objects.exists()


# --- Google Ads lead forms -----------------------------------------------------------------

GOOGLE_KEY = "gAds-blind-key-0001"


@pytest.fixture
def google_source(garage):
    source = SourceFactory(dealership=garage, name="Google Ads", kind="portal")
    source.set_google_ads_key(GOOGLE_KEY)
    source.save()
    return source


def google_payload(*, lead_id: str | None = None, is_test: bool = False, key: str = GOOGLE_KEY):
    return {
        "lead_id": lead_id
        or "Cj0KCQiA-" + uuid.uuid4().hex + "-TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "user_column_data": [
            {
                "column_name": "Full Name",
                "string_value": "Femke Hoekstra",
                "column_id": "FULL_NAME",
            },
            {
                "column_name": "User Phone",
                "string_value": "+31 6 12345684",
                "column_id": "PHONE_NUMBER",
            },
            {
                "column_name": "User Email",
                "string_value": "femke.hoekstra@example.nl",
                "column_id": "EMAIL",
            },
            {"column_name": "Postal Code", "string_value": "8911 AB", "column_id": "POSTAL_CODE"},
            {
                "column_name": "Vehicle Model",
                "string_value": "Toyota C-HR",
                "column_id": "VEHICLE_MODEL",
            },
            {
                "column_name": "Wanneer wilt u langskomen?",
                "string_value": "Zaterdagochtend",
                "column_id": "wanneer_wilt_u_langskomen?",
            },
        ],
        "api_version": "1.0",
        "form_id": 123456789012,
        "campaign_id": 20987654321,
        "google_key": key,
        "is_test": is_test,
        "gcl_id": "EAIaIQobChMI-blind",
        "adgroup_id": 150000000000,
        "creative_id": 600000000000,
    }


def google(post, source, payload: dict):
    return post(
        f"/inbound/google-ads/{source.pk}/", json.dumps(payload).encode(), "application/json"
    )


def test_google_ads_lead_form_webhook(post, google_source):
    response = google(post, google_source, google_payload())

    assert response.status_code == 200, response.content
    message = the_message()
    assert message.channel == "api" and b"Femke Hoekstra" in message.raw_bytes()
    lead = the_lead()
    assert lead.source == google_source
    assert lead.customer.full_name == "Femke Hoekstra"
    assert lead.customer.email == "femke.hoekstra@example.nl"
    assert lead.customer.postal_code.replace(" ", "") == "8911AB"
    assert phones(lead) == ["+31612345684"]
    assert (lead.vehicle.make, lead.vehicle.model) == ("Toyota", "C-HR")
    # The custom question's answer is where the salesperson reads the lead.
    assert "Zaterdagochtend" in lead.comments + json.dumps(lead.extra, ensure_ascii=False)
    assert GOOGLE_KEY not in json.dumps(lead.extra) + lead.comments


def test_google_ads_retry_of_the_same_lead_is_one_lead(post, google_source):
    payload = google_payload()

    first = google(post, google_source, payload)
    again = google(post, google_source, payload)

    assert first.status_code == again.status_code == 200
    assert InboundMessage.objects.count() == 1 and Lead.objects.count() == 1


def test_google_ads_test_lead_is_kept_not_made_a_lead(post, google_source):
    response = google(post, google_source, google_payload(is_test=True))

    assert response.status_code == 200
    message = the_message()
    assert message.status == InboundMessage.Status.NOT_A_LEAD
    assert "test" in message.failure_reason
    assert not Lead.objects.exists()


def test_google_ads_wrong_key_is_refused_and_nothing_stored(post, google_source):
    response = google(post, google_source, google_payload(key="guessed"))

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
