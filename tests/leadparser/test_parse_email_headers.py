"""E-mail headers as senders write them — encoded words (RFC 2047), raw UTF-8, folded lines, and
hostile ones — read into the lead's type and source."""

from __future__ import annotations

import base64
import time

from leadparser import parse_message

BODY = b"Naam: Jan Jansen\r\nE-mail: jan@example.nl\r\nTelefoon: 06 12345678\r\n"


def mail(subject: bytes, sender: bytes = b"Portal <leads@portal.example>") -> bytes:
    return (
        b"From: " + sender + b"\r\nTo: dealer@example.nl\r\nSubject: " + subject + b"\r\n"
        b"Date: Thu, 15 Oct 2026 10:15:00 +0200\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + BODY
    )


def test_an_encoded_subject_decides_the_lead_type() -> None:
    lead = parse_message(mail(b"=?utf-8?q?Aanvraag_proefrit_Ligier_JS50?="))
    assert lead["lead_type"] == "test_drive"
    lead = parse_message(mail(b"=?iso-8859-1?q?Demande_de_devis_=E0_Lyon?="), region="FR")
    assert lead["lead_type"] == "quote"


def test_an_encoded_display_name_is_the_source() -> None:
    name = base64.b64encode(b"Occasions Zuid-Holland").decode()
    lead = parse_message(mail(b"Lead", f"=?utf-8?b?{name}?= <leads@x.example>".encode()))
    assert lead["source"] == "Occasions Zuid-Holland"


def test_raw_utf8_and_folded_headers_are_read() -> None:
    lead = parse_message(mail("Réservation d'un\r\n\tessai routier".encode()), region="FR")
    assert lead["lead_type"] == "test_drive"
    lead = parse_message(mail(b"Lead", "Gebrauchtwagen Müller <a@b.example>".encode()))
    assert lead["source"] == "Gebrauchtwagen Müller"


def test_a_broken_encoded_word_is_kept_as_it_came() -> None:
    lead = parse_message(mail(b"=?x-unknown?q?caf=E9?= =?utf-8?b?////?="))
    assert lead["customer"]["full_name"] == "Jan Jansen"


def test_a_subject_of_300000_encoded_words_is_read_quickly() -> None:
    started = time.monotonic()
    lead = parse_message(mail(b" ".join([b"=?utf-8?q?x?="] * 300_000)))
    assert time.monotonic() - started < 2
    assert lead["customer"]["email"] == "jan@example.nl"
