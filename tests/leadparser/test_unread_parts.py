"""Attachments no reader needs are never decoded: an e-mail's parts are found in its bytes
(leadparser.parts), images, PDFs and archives and attachments over the limit are left out before
the stdlib reads the message, and the parser limit counts what is read, not the brochure."""

from __future__ import annotations

import base64
import os
import tracemalloc
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.policy import compat32

import pytest

from leadparser import InputTooLarge, ParseError, parse_message
from leadparser.mime import decode_bytes, outline, without_unread_parts
from leadparser.parts import decoded_size, locate_parts
from tests.shared import SAMPLES

MB = 1024 * 1024
FORM = "Naam: Ruud Verbeek\nE-mail: ruud.verbeek@example.nl\nTelefoon: 06 11 22 33 44\n"
ADF = (SAMPLES / "adf-basic.xml").read_bytes()


def mail(text: str | None = FORM, *, subject: str = "Offerte aanvraag") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Website <formulier@garage-verbeek.example>"
    msg["To"] = "leads@dealer.example"
    msg["Subject"] = subject
    if text is not None:
        msg.set_content(text)
    return msg


def pdf(msg: EmailMessage, size: int, name: str = "brochure.pdf") -> EmailMessage:
    msg.add_attachment(os.urandom(size), maintype="application", subtype="pdf", filename=name)
    return msg


def stdlib_outline(raw: bytes) -> tuple[str, str, list[dict]]:
    """The stdlib's reading, every part decoded: what outline() must equal."""
    text, html, attachments = "", "", []
    for part in message_from_bytes(raw, policy=compat32).walk():
        if part.is_multipart():
            continue
        kind, filename = part.get_content_type(), part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename or "attachment" in str(part.get("Content-Disposition", "")).lower():
            attachments.append(
                {"filename": str(filename or ""), "content_type": kind, "size": len(payload)}
            )
        elif kind == "text/plain" and not text:
            text = decode_bytes(payload, part.get_content_charset(), [], "text part")
        elif kind == "text/html" and not html:
            html = decode_bytes(payload, part.get_content_charset(), [], "HTML part")
    return text, html, attachments


def _alternative_with_photo_and_pdf() -> EmailMessage:
    msg = mail()
    msg.add_alternative("<p>Naam: Ruud Verbeek</p>", subtype="html")
    msg.add_attachment(b"\xff\xd8\xff" + os.urandom(5000), maintype="image", subtype="jpeg",
                       filename="auto.jpg", disposition="inline")  # fmt: skip
    return pdf(msg, 70_000)


def _forward_with_a_brochure() -> EmailMessage:
    outer = mail("Zie de doorgestuurde aanvraag.", subject="Fwd: Offerte aanvraag")
    outer.add_attachment(pdf(mail(), 50_000))  # message/rfc822, with its own PDF
    return outer


def _adf_as_octet_stream() -> EmailMessage:
    msg = mail("Lead attached.")
    msg.add_attachment(ADF, maintype="application", subtype="octet-stream", filename="lead.dat")
    return pdf(msg, 30_000)


def _digest() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "Digest"
    msg.make_mixed()
    msg.set_type("multipart/digest")
    msg.attach(mail())
    msg.attach(mail("Naam: Piet"))
    return msg


def _preamble_and_epilogue() -> bytes:
    return (
        b"From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        b"This is a multi-part message in MIME format.\r\n--outer\r\n"
        b'Content-Type: multipart/alternative; boundary="outer2"\r\n\r\n--outer2\r\n'
        b"Content-Type: text/plain\r\n\r\nNaam: Jan\r\n--outer2\r\n"
        b"Content-Type: text/html\r\n\r\n<b>Jan</b>\r\n--outer2--\r\n--outer\r\n"
        b"\r\nno headers at all\r\n--outer\r\n"
        b'Content-Type: application/zip; name="x.zip"\r\nContent-Transfer-Encoding: base64\r\n'
        b'Content-Disposition: attachment; filename="x.zip"\r\n\r\n'
        + base64.encodebytes(os.urandom(999)).replace(b"\n", b"\r\n")
        + b"--outer--\r\nepilogue\r\n"
    )


MESSAGES = {
    "text only": lambda: mail().as_bytes(),
    "alternative, photo and PDF": lambda: _alternative_with_photo_and_pdf().as_bytes(),
    "the same with CRLF": lambda: _alternative_with_photo_and_pdf().as_bytes(policy=policy.SMTP),
    "a forward carrying a brochure": lambda: _forward_with_a_brochure().as_bytes(),
    "ADF as an octet stream": lambda: _adf_as_octet_stream().as_bytes(policy=policy.SMTP),
    "a digest": lambda: _digest().as_bytes(),
    "preamble, epilogue, a part without headers": _preamble_and_epilogue,
}


def _parsed(raw: bytes) -> dict | str:
    try:
        return parse_message(raw)
    except ParseError as exc:
        return str(exc)


@pytest.mark.parametrize("build", MESSAGES.values(), ids=MESSAGES.keys())
def test_the_parts_found_in_the_bytes_are_the_ones_the_stdlib_finds(build):
    raw = build()

    assert locate_parts(raw) is not None
    assert outline(raw) == stdlib_outline(raw)  # sizes from the encoding: exact for base64
    # Read without the parts no reader needs, the message gives the same lead (or reason).
    read, _notes = without_unread_parts(raw)
    assert _parsed(read) == _parsed(raw)


def test_a_30_mb_brochure_is_neither_copied_nor_decoded():
    raw = pdf(mail(), 30 * MB).as_bytes(policy=policy.SMTP)

    tracemalloc.start()
    try:
        lead = parse_message(raw)
        parsing = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        text, _html, attachments = outline(raw)
        listing = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert lead["customer"]["full_name"] == "Ruud Verbeek"
    assert "Ruud Verbeek" in text
    assert attachments == [
        {"filename": "brochure.pdf", "content_type": "application/pdf", "size": 30 * MB}
    ]
    # The message is 41 MB; reading the lead and listing the parts hold a few kB besides it.
    assert parsing < 2 * MB and listing < 2 * MB, (parsing, listing)


def test_the_parser_limit_counts_what_is_read_not_the_brochure():
    raw = pdf(mail(), 12 * MB).as_bytes()
    assert len(raw) > 16 * MB

    lead = parse_message(raw, max_bytes=1 * MB)
    assert lead["customer"]["email"] == "ruud.verbeek@example.nl"

    too_much_text = pdf(mail(FORM + "x" * (2 * MB)), 3 * MB).as_bytes()
    with pytest.raises(InputTooLarge, match="without its attachments"):
        parse_message(too_much_text, max_bytes=1 * MB)


def test_an_adf_attachment_beside_a_large_brochure_is_read():
    raw = pdf(_adf_as_octet_stream(), 5 * MB).as_bytes()

    lead = parse_message(raw)

    assert lead["format"] == "adf"


def test_a_forwarded_lead_is_read_from_an_attached_message_with_a_large_brochure():
    outer = mail("Zie de doorgestuurde aanvraag.", subject="Fwd: Offerte aanvraag")
    outer.add_attachment(pdf(mail(), 5 * MB))

    lead = parse_message(outer.as_bytes())

    assert lead["customer"]["full_name"] == "Ruud Verbeek"


def test_a_large_attachment_a_reader_could_read_is_left_out_with_a_note():
    msg = mail()
    msg.add_attachment(b"<adf>" + b"a" * (3 * MB), maintype="text", subtype="xml",
                       filename="huge.xml")  # fmt: skip

    lead = parse_message(msg.as_bytes())

    assert "huge.xml: attachment over" in lead["extra"]["parse_notes"]


def test_a_pdf_under_another_type_is_not_read_but_an_unknown_octet_stream_is():
    named_pdf = mail("Lead attached.")
    named_pdf.add_attachment(ADF, maintype="application", subtype="octet-stream",
                             filename="brochure.pdf")  # fmt: skip
    with pytest.raises(ParseError):
        parse_message(named_pdf.as_bytes())

    assert parse_message(_adf_as_octet_stream().as_bytes())["format"] == "adf"


def test_what_the_byte_search_cannot_place_is_left_to_the_stdlib():
    no_boundary = (
        b"From: a@b.example\r\nSubject: x\r\nContent-Type: multipart/mixed\r\n\r\n"
        + FORM.encode()
        + b"x" * (3 * MB)
    )
    assert locate_parts(no_boundary) is None
    assert without_unread_parts(no_boundary) == (no_boundary, [])
    assert isinstance(_parsed(no_boundary), (dict, str))  # read (or refused) by the stdlib


@pytest.mark.parametrize(
    "encoded, encoding, size",
    [
        (base64.encodebytes(b"x" * 1000), "base64", 1000),
        (base64.encodebytes(b"x" * 1001).replace(b"\n", b"\r\n"), "base64", 1001),
        (base64.b64encode(b"x" * 1002), "base64", 1002),
        (b"caf=C3=A9 =\r\nen meer", "quoted-printable", len("café en meer".encode())),
        (b"caf=C3=A9 =\nen meer", "quoted-printable", len("café en meer".encode())),
        (b"plain", "7bit", 5),
    ],
)
def test_a_size_is_reckoned_from_the_encoded_body(encoded, encoding, size):
    assert decoded_size(encoded, encoding) == size
    assert decoded_size(encoded.decode(), encoding) == size
