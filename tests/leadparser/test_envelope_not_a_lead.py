"""The envelope step refuses what is no lead by nature: auto-replies, delivery reports, mass
mailings without a customer, the dealership's own mail and our own mail coming back."""

from __future__ import annotations

import pytest

from leadparser import NoLeadFound, NotALead, parse_message

LEAD_BODY = "Naam: Jan Jansen\nE-mail: jan.jansen@example.nl\nTelefoon: 06 12345678\n"
NO_CONTACT = "Bedankt voor uw bericht. Ik ben terug op maandag.\n"


def mail(
    *headers: str,
    body: str = LEAD_BODY,
    subject: str = "Aanvraag",
    sender: str = "Portal <leads@portal.example>",
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    head = [
        f"From: {sender}",
        "To: dealer@leads.example",
        f"Subject: {subject}",
        "Date: Thu, 15 Oct 2026 10:15:00 +0200",
        "Message-ID: <m-1@portal.example>",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
        *headers,
    ]
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


def refused(raw: bytes, **kwargs) -> str:
    with pytest.raises(NotALead) as excinfo:
        parse_message(raw, **kwargs)
    return str(excinfo.value)


def test_an_ordinary_lead_passes_the_envelope() -> None:
    assert parse_message(mail())["customer"]["full_name"] == "Jan Jansen"


# --- auto-replies ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["auto-replied", "auto-notified", "Auto-Replied; owner-email"])
def test_auto_submitted_other_than_no_is_an_auto_reply(value: str) -> None:
    reason = refused(mail(f"Auto-Submitted: {value}"))
    assert reason == f"auto-reply (Auto-Submitted: {value.split(';')[0].lower()})"


def test_auto_submitted_no_is_a_person_writing() -> None:
    assert parse_message(mail("Auto-Submitted: no"))["customer"]["full_name"] == "Jan Jansen"


def test_auto_generated_is_a_lead_when_it_holds_one_and_refused_when_it_holds_none() -> None:
    # Lead notifications of some portals carry it too: only a contact-less one is refused.
    assert parse_message(mail("Auto-Submitted: auto-generated"))["customer"]["email"]
    assert "auto-generated" in refused(mail("Auto-Submitted: auto-generated", body=NO_CONTACT))


@pytest.mark.parametrize(
    "header", ["X-Autoreply: yes", "X-Autorespond: Vacation", "Precedence: auto_reply"]
)
def test_auto_reply_headers(header: str) -> None:
    assert refused(mail(header)).startswith("auto-reply (")


def test_x_auto_response_suppress_alone_is_not_an_auto_reply() -> None:
    # Outlook puts it on ordinary mail it sends too.
    lead = parse_message(mail("X-Auto-Response-Suppress: All"))
    assert lead["customer"]["full_name"] == "Jan Jansen"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Aanvraag",
        "Automatic reply: Your enquiry",
        "Automatisch antwoord: Uw aanvraag",
        "Afwezig: proefrit",
        "Abwesend: Ihre Anfrage",
        "Abwesenheitsnotiz: Ihre Anfrage",
        "=?utf-8?q?R=C3=A9ponse_automatique_:_Demande?=",
        "Absence du bureau",
        "=?utf-8?q?Respuesta_autom=C3=A1tica:_Consulta?=",
        "Risposta automatica: Richiesta",
        "RE: Automatic reply: Your enquiry",
    ],
)
def test_auto_reply_subjects(subject: str) -> None:
    assert refused(mail(subject=subject)).startswith("auto-reply (subject")


@pytest.mark.parametrize(
    "subject", ["Proefrit na mijn afwezigheid", "Vakantie: camper huren", "Urlaub im Wohnmobil"]
)
def test_a_subject_that_only_mentions_absence_or_holidays_is_a_lead(subject: str) -> None:
    lead = parse_message(mail(subject=subject))
    assert lead["customer"]["full_name"] == "Jan Jansen"


# --- delivery reports ------------------------------------------------------------------------

DSN = (
    "--b1\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n" + LEAD_BODY.replace("\n", "\r\n")
    + "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
    "Final-Recipient: rfc822; jan@example.nl\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b1--\r\n"
)  # fmt: skip


def test_a_multipart_report_is_a_delivery_report() -> None:
    raw = mail(
        body=DSN, content_type='multipart/report; report-type=delivery-status; boundary="b1"'
    )
    assert refused(raw) == "delivery report (message/delivery-status)"


def test_a_delivery_status_part_inside_another_multipart_is_a_delivery_report() -> None:
    assert "delivery report" in refused(
        mail(body=DSN, content_type='multipart/mixed; boundary="b1"')
    )


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example.nl", "Mail Delivery System <postmaster@example.de>"]
)
def test_mail_from_the_mailer_daemon_or_postmaster_is_a_delivery_report(sender: str) -> None:
    assert refused(mail(sender=sender)).startswith("delivery report (from ")


@pytest.mark.parametrize(
    "subject",
    ["Undeliverable: Offerte", "Onbestelbaar: Offerte", "Unzustellbar: Angebot",
     "Non remis : Devis", "Mail delivery failed: returning message to sender"],
)  # fmt: skip
def test_exchange_and_mta_bounce_subjects_are_delivery_reports(subject: str) -> None:
    assert refused(mail(subject=subject)).startswith("delivery report (subject")


def test_a_read_receipt_is_not_a_lead() -> None:
    body = (
        "--b2\nContent-Type: text/plain\n\nYour message was read.\n" + LEAD_BODY
        + "--b2\nContent-Type: message/disposition-notification\n\n"
        "Final-Recipient: rfc822;jan@example.nl\nDisposition: manual-action/MDN-sent-manually;"
        " displayed\n\n--b2--\n"
    )  # fmt: skip
    raw = mail(
        body=body, subject="Gelezen: Offerte",
        content_type='multipart/report; report-type=disposition-notification; boundary="b2"',
    )  # fmt: skip
    assert refused(raw) == "read receipt (disposition notification)"


def test_a_delivery_report_wins_over_a_list_header_and_a_contact() -> None:
    raw = mail("List-Unsubscribe: <mailto:u@portal.example>", subject="Undeliverable: x")
    assert refused(raw).startswith("delivery report")


# --- newsletters and statistics ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("List-Unsubscribe: <https://portal.example/u>", "newsletter (List-Unsubscribe)"),
        ("List-Id: Nieuws <nieuws.portal.example>", "newsletter (List-Id)"),
        ("Precedence: bulk", "newsletter (Precedence: bulk)"),
        ("Precedence: list", "newsletter (Precedence: list)"),
    ],
)
def test_a_mass_mailing_without_a_customer_is_not_a_lead(header: str, reason: str) -> None:
    assert refused(mail(header, body="Bekijk onze nieuwste occasions!\n")) == reason


def test_a_portal_lead_sent_through_a_bulk_mailer_is_still_a_lead() -> None:
    lead = parse_message(mail("List-Unsubscribe: <https://portal.example/u>", "Precedence: bulk"))
    assert lead["customer"]["email"] == "jan.jansen@example.nl"


@pytest.mark.parametrize(
    "subject",
    ["Ihre Inseratsstatistik für Oktober", "Uw advertentie-statistieken van oktober",
     "Votre bilan mensuel d'octobre"],
)  # fmt: skip
def test_a_statistics_mailing_with_a_bulk_header_is_refused_even_with_a_phone_in_it(
    subject: str,
) -> None:
    raw = mail("List-Unsubscribe: <https://portal.example/u>", subject=subject)
    assert refused(raw).startswith("portal statistics or marketing mailing (List-Unsubscribe)")


def test_a_statistics_subject_alone_refuses_only_a_message_without_contact() -> None:
    assert "statistics" in refused(mail(subject="Ihre Inseratsstatistik", body=NO_CONTACT))
    assert parse_message(mail(subject="Ihre Inseratsstatistik"))["customer"]["email"]


def test_a_mass_mailing_is_not_made_a_lead_by_its_reply_to() -> None:
    raw = mail(
        "List-Unsubscribe: <https://news.example/u>",
        "Reply-To: redactie@other-news.example",
        sender="Nieuws <noreply@news.example>",
        body="Het nieuws van deze week.\n",
    )
    assert refused(raw) == "newsletter (List-Unsubscribe)"


# --- own mail and our own mail -----------------------------------------------------------------


@pytest.mark.parametrize(
    "own",
    [["piet@autohuis.example"], ["PIET@Autohuis.example"], ["@autohuis.example"],
     ["Piet de Vries <piet@autohuis.example>"]],
)  # fmt: skip
def test_mail_from_the_dealerships_own_address_is_not_a_lead(own: list[str]) -> None:
    raw = mail(sender="Piet <piet@autohuis.example>")
    assert refused(raw, own_addresses=own) == "from the dealership's own address"


def test_mail_from_anyone_else_is_read() -> None:
    raw = mail(sender="Piet <piet@autohuis.example>")
    assert parse_message(raw, own_addresses=["@other.example", "sanne@autohuis.example"])


def test_own_mail_that_forwards_a_lead_is_unwrapped() -> None:
    body = (
        "Graag oppakken.\n\n---------- Forwarded message ---------\n"
        "From: Portal <leads@portal.example>\nDate: Wed, 14 Oct 2026 09:00:00 +0200\n"
        "Subject: Aanvraag\nTo: <piet@autohuis.example>\n\n" + LEAD_BODY
    )
    raw = mail(sender="Piet <piet@autohuis.example>", subject="Fwd: Aanvraag", body=body)
    lead = parse_message(raw, own_addresses=["piet@autohuis.example"])
    assert lead["customer"]["full_name"] == "Jan Jansen"
    assert lead["source"] == "Portal"


def test_a_forward_of_our_own_colleagues_mail_is_not_a_lead() -> None:
    body = (
        "---------- Forwarded message ---------\nFrom: Sanne <sanne@autohuis.example>\n"
        "Date: Wed, 14 Oct 2026 09:00:00 +0200\nSubject: Planning\nTo: <piet@autohuis.example>"
        "\n\nJan Jansen bellen.\nTel: 06 12345678\n"
    )
    raw = mail(sender="Piet <piet@autohuis.example>", subject="Fwd: Planning", body=body)
    assert "own address" in refused(raw, own_addresses=["@autohuis.example"])


def test_mail_carrying_our_loop_header_is_a_mail_loop() -> None:
    assert refused(mail("X-DealerLMS: automation")) == "sent by DealerLMS (mail loop)"


def test_mail_with_our_message_id_is_a_mail_loop() -> None:
    raw = mail().replace(b"<m-1@portal.example>", b"<3f9e2c1a@dealerlms>")
    assert "mail loop" in refused(raw)


def test_a_reply_to_our_mail_is_no_loop() -> None:
    # A customer's answer names our Message-ID in In-Reply-To: that is no loop.
    lead = parse_message(mail("In-Reply-To: <3f9e2c1a@dealerlms>", "References: <x@dealerlms>"))
    assert lead["customer"]["full_name"] == "Jan Jansen"


def test_a_person_saying_it_is_a_lead_skips_the_filter() -> None:
    raw = mail("Auto-Submitted: auto-replied", subject="Automatisch antwoord: Aanvraag")
    lead = parse_message(raw, skip_not_a_lead=True)
    assert lead["customer"]["full_name"] == "Jan Jansen"


def test_without_the_filter_a_message_without_contact_is_still_no_lead() -> None:
    raw = mail("List-Unsubscribe: <https://x.example/u>", body=NO_CONTACT)
    with pytest.raises(NoLeadFound):
        parse_message(raw, skip_not_a_lead=True)


def test_a_bare_document_has_no_envelope() -> None:
    # The JSON of an API has no headers: "own addresses" do not apply to it.
    lead = parse_message(b'{"customer": {"full_name": "Jan"}}', own_addresses=["@x.example"])
    assert lead["customer"]["full_name"] == "Jan"
