"""Forwarded and quoted leads are read from the innermost original: its sender is the source,
its customer the customer, never the colleague who forwarded it. And the envelope's clues:
Reply-To behind a relay, a relay's display name."""

from __future__ import annotations

import time

import pytest

from leadparser import NoLeadFound, parse_message
from leadparser.forwards import html_lines

OWN = ["piet@autohuis.example"]
ORIGINAL = "Naam: Eva Smit\nE-mail: eva.smit@example.nl\nTelefoon: 06 11223344\n"
SIGNATURE = "Groet,\nPiet de Vries\nTel: 0341 556677\nE-mail: piet@autohuis.example\n"


def mail(
    body: str,
    *,
    subject: str = "Fwd: Aanvraag",
    sender: str = "Piet de Vries <piet@autohuis.example>",
    content_type: str = "text/plain; charset=utf-8",
    headers: tuple[str, ...] = (),
) -> bytes:
    head = [
        f"From: {sender}",
        "To: leads@inbound.example",
        f"Subject: {subject}",
        "Date: Fri, 16 Oct 2026 08:00:00 +0200",
        "Message-ID: <fwd-1@autohuis.example>",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
        *headers,
    ]
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


def assert_original(lead: dict, source: str = "Occasions Portal") -> None:
    assert lead["customer"]["full_name"] == "Eva Smit"
    assert lead["customer"]["email"] == "eva.smit@example.nl"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31611223344"]
    assert lead["source"] == source


def header_block(from_label="From", date_label="Date", subject_label="Subject", to_label="To"):
    return (
        f"{from_label}: Occasions Portal <leads@portal.example>\n"
        f"{date_label}: Thu, 15 Oct 2026 10:15:00 +0200\n"
        f"{subject_label}: Aanvraag\n{to_label}: piet@autohuis.example\n\n"
    )


@pytest.mark.parametrize(
    ("marker", "labels"),
    [
        ("---------- Forwarded message ---------", ("From", "Date", "Subject", "To")),
        ("---------- Doorgestuurd bericht ---------", ("Van", "Date", "Subject", "To")),
        ("---------- Weitergeleitete Nachricht ---------", ("Von", "Date", "Subject", "To")),
        ("---------- Message transféré ---------", ("De ", "Date", "Subject", "To")),
        ("---------- Mensaje reenviado ---------", ("De", "Date", "Subject", "To")),
    ],
)
def test_gmail_forwards(marker: str, labels: tuple[str, ...]) -> None:
    body = "Kun je deze oppakken?\n\n" + SIGNATURE + f"\n{marker}\n" + header_block(*labels)
    lead = parse_message(mail(body + ORIGINAL), own_addresses=OWN)
    assert_original(lead)
    assert lead["requested_at"] == "2026-10-15T10:15:00+02:00"  # the original's date
    assert lead["extra"]["forwarded_by"] == "Piet de Vries <piet@autohuis.example>"


@pytest.mark.parametrize(
    ("marker", "labels"),
    [
        ("-----Original Message-----", ("From", "Sent", "Subject", "To")),
        ("-----Oorspronkelijk bericht-----", ("Van", "Verzonden", "Onderwerp", "Aan")),
        ("-----Ursprüngliche Nachricht-----", ("Von", "Gesendet", "Betreff", "An")),
        ("-----Message d'origine-----", ("De ", "Envoyé ", "Objet ", "À ")),
        ("-----Mensaje original-----", ("De", "Enviado el", "Asunto", "Para")),
        ("-----Messaggio originale-----", ("Da", "Inviato", "Oggetto", "A")),
    ],
)
def test_outlook_desktop_plain_forwards(marker: str, labels: tuple[str, ...]) -> None:
    body = SIGNATURE + f"\n{marker}\n" + header_block(*labels)
    lead = parse_message(mail(body + ORIGINAL, subject="FW: Aanvraag"), own_addresses=OWN)
    assert_original(lead)


def outlook_html(labels: tuple[str, str, str, str]) -> str:
    f, d, t, s = labels
    return (
        '<html><head><style>p.MsoNormal{margin:0cm}</style></head><body><div class="WordSection1">'
        '<p class="MsoNormal">Graag oppakken.<o:p></o:p></p>'
        '<p class="MsoNormal">Piet de Vries<br>Tel: 0341 556677<br>E-mail: '
        '<a href="mailto:piet@autohuis.example">piet@autohuis.example</a></p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f'<p class="MsoNormal"><b>{f}:</b> Occasions Portal &lt;leads@portal.example&gt; <br>'
        f"<b>{d}:</b> donderdag 15 oktober 2026 10:15<br><b>{t}:</b> Piet &lt;piet@autohuis"
        f".example&gt;<br><b>{s}:</b> Aanvraag<o:p></o:p></p></div>"
        '<p class="MsoNormal">&nbsp;</p><table class="MsoNormalTable">'
        "<tr><td><p class=MsoNormal>Naam</p></td><td><p class=MsoNormal>Eva Smit</p></td></tr>"
        "<tr><td>E-mail</td><td>eva.smit@example.nl</td></tr>"
        "<tr><td>Telefoon</td><td>06 11223344</td></tr></table></div></body></html>"
    )


@pytest.mark.parametrize(
    "labels",
    [
        ("From", "Sent", "To", "Subject"),
        ("Van", "Verzonden", "Aan", "Onderwerp"),
        ("Von", "Gesendet", "An", "Betreff"),
        ("De&nbsp;", "Envoyé&nbsp;", "À&nbsp;", "Objet&nbsp;"),
        ("De", "Enviado el", "Para", "Asunto"),
        ("Da", "Inviato", "A", "Oggetto"),
    ],
)
def test_outlook_html_header_blocks_without_a_dashes_line(labels) -> None:
    raw = mail(outlook_html(labels), subject="FW: Aanvraag", content_type="text/html")
    lead = parse_message(raw, own_addresses=OWN)
    assert_original(lead)
    assert lead["requested_at"] == "2026-10-15T10:15:00+02:00"


@pytest.mark.parametrize(
    "marker",
    ["-----Original Message-----", "-----Oorspronkelijk bericht-----",
     "-----Ursprüngliche Nachricht-----", "-----Message d'origine-----",
     "-----Mensaje original-----", "-----Messaggio originale-----"],
)  # fmt: skip
def test_the_original_message_line_marks_a_block_without_an_address(marker: str) -> None:
    block = "From: Occasions Portal\nSent: Thu, 15 Oct 2026 10:15:00 +0200\nSubject: Aanvraag\n\n"
    lead = parse_message(mail(SIGNATURE + marker + "\n" + block + ORIGINAL), own_addresses=OWN)
    assert lead["customer"]["full_name"] == "Eva Smit"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31611223344"]
    assert lead["source"] == "Occasions Portal"


def test_an_outlook_block_naming_a_colleague_without_address() -> None:
    # Exchange shows an internal sender by name only; the forwarder's signature stays outside.
    inner = (
        "From: Sanne Bos\nSent: Thursday, October 15, 2026 10:15 AM\nTo: Piet de Vries\n"
        "Subject: Aanvraag van de stand\n\n"
    )
    lead = parse_message(mail(SIGNATURE + "\n" + inner + ORIGINAL), own_addresses=OWN)
    assert lead["customer"]["full_name"] == "Eva Smit"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31611223344"]
    assert lead["requested_at"] == "2026-10-15T10:15:00+02:00"


def test_outlook_on_the_web_text_part() -> None:
    body = (
        "FYI\n\n"
        + SIGNATURE
        + "\n________________________________\n"
        + header_block("From", "Sent", "Subject", "To")
    )
    assert_original(parse_message(mail(body + ORIGINAL, subject="Fw: Aanvraag"), own_addresses=OWN))


@pytest.mark.parametrize(
    ("heading", "labels"),
    [
        ("Begin forwarded message:", ("From", "Date", "Subject", "To")),
        ("Begin doorgestuurd bericht:", ("Van", "Datum", "Onderwerp", "Aan")),
        ("Anfang der weitergeleiteten Nachricht:", ("Von", "Datum", "Betreff", "An")),
        ("Début du message réexpédié :", ("De ", "Date ", "Objet ", "À ")),
    ],
)
def test_apple_mail_forwards_quoted_or_not(heading: str, labels: tuple[str, ...]) -> None:
    block = header_block(*labels) + ORIGINAL
    for original in (block, "".join(f"> {line}\n" for line in block.splitlines())):
        body = "Verstuurd vanaf mijn iPhone\n\n" + heading + "\n\n" + original
        assert_original(parse_message(mail(body), own_addresses=OWN))


@pytest.mark.parametrize(
    "marker",
    ["-------- Forwarded Message --------", "-------- Doorgestuurd bericht --------",
     "-------- Weitergeleitete Nachricht --------", "-------- Message transféré --------"],
)  # fmt: skip
def test_thunderbird_forwards(marker: str) -> None:
    block = (
        "Subject: \tAanvraag\nDate: \tThu, 15 Oct 2026 10:15:00 +0200\n"
        "From: \tOccasions Portal <leads@portal.example>\nTo: \tpiet@autohuis.example\n\n\n"
    )
    body = SIGNATURE + "\n\n" + marker + "\n" + block + ORIGINAL
    assert_original(parse_message(mail(body), own_addresses=OWN))


def test_thunderbird_html_header_table() -> None:
    html = (
        '<html><body><p>Zie hieronder.</p><p>Tel: 0341 556677</p><div class="moz-forward-container">'
        '<br><br>-------- Doorgestuurd bericht --------<table class="moz-email-headers-table">'
        '<tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">Onderwerp: </th><td>Aanvraag</td>'
        "</tr><tr><th>Datum: </th><td>Thu, 15 Oct 2026 10:15:00 +0200</td></tr><tr><th>Van: "
        "</th><td>Occasions Portal &lt;leads@portal.example&gt;</td></tr><tr><th>Aan: </th><td>"
        "piet@autohuis.example</td></tr></table><br><br><table><tr><td>Naam</td><td>Eva Smit</td>"
        "</tr><tr><td>E-mail</td><td>eva.smit@example.nl</td></tr><tr><td>Telefoon</td><td>06 "
        "11223344</td></tr></table></div></body></html>"
    )
    assert_original(parse_message(mail(html, content_type="text/html"), own_addresses=OWN))


def test_a_forward_as_an_attached_eml() -> None:
    inner = mail(ORIGINAL, subject="Aanvraag", sender="Occasions Portal <leads@portal.example>")
    body = (
        "--b\nContent-Type: text/plain\n\nZie bijlage.\n" + SIGNATURE
        + "--b\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=a.eml\n\n"
        + inner.decode() + "\n--b--\n"
    )  # fmt: skip
    raw = mail(body, content_type='multipart/mixed; boundary="b"')
    lead = parse_message(raw, own_addresses=OWN)
    assert_original(lead)
    assert lead["requested_at"] == "2026-10-16T08:00:00+02:00"  # the attached message's Date


def test_nested_forwards_take_the_innermost_original() -> None:
    inner = "-----Original Message-----\n" + header_block("From", "Sent", "Subject", "To")
    middle = (
        "---------- Forwarded message ---------\nFrom: Sanne <sanne@autohuis.example>\n"
        "Date: Fri, 16 Oct 2026 07:00:00 +0200\nSubject: FW: Aanvraag\nTo: <piet@autohuis.example>"
        "\n\nPiet, pak jij deze?\nSanne\nTel: 06 99887766\n\n"
    )
    lead = parse_message(mail(SIGNATURE + middle + inner + ORIGINAL), own_addresses=OWN)
    assert_original(lead)
    assert lead["extra"]["forwarded_by"] == "Piet de Vries <piet@autohuis.example>"


@pytest.mark.parametrize(
    "attribution",
    [
        "On Thu, 15 Oct 2026 at 10:15, Occasions Portal <leads@portal.example> wrote:",
        "Op do 15 okt 2026 om 10:15 schreef Occasions Portal <leads@portal.example>:",
        "Am Do., 15. Okt. 2026 um 10:15 Uhr schrieb Occasions Portal <leads@portal.example>:",
        "Le jeu. 15 oct. 2026 à 10:15, Occasions Portal <leads@portal.example> a écrit :",
    ],
)
def test_a_colleagues_quoted_reply_is_read_from_the_quote(attribution: str) -> None:
    quoted = "".join(f"> {line}\n" for line in ORIGINAL.splitlines())
    body = "Ik bel haar morgen.\n\n" + SIGNATURE + "\n" + attribution + "\n" + quoted
    lead = parse_message(mail(body, subject="Re: Aanvraag"), own_addresses=OWN)
    assert_original(lead)
    assert lead["requested_at"] == "2026-10-15T10:15:00+02:00"


def test_a_customers_reply_is_their_own_words_not_our_quoted_signature() -> None:
    quoted = "".join(f"> {line}\n" for line in ("Beste Eva,", "", *SIGNATURE.splitlines()))
    body = (
        "Zaterdag om 10:00 past mij goed.\nNaam: Eva Smit\n\n"
        "Op do 15 okt 2026 om 10:15 schreef Piet de Vries <piet@autohuis.example>:\n" + quoted
    )
    raw = mail(body, subject="Re: Uw proefrit", sender="Eva Smit <eva.smit@example.nl>")
    lead = parse_message(raw, own_addresses=OWN)
    assert lead["customer"]["full_name"] == "Eva Smit"
    assert lead["customer"]["phones"] == []  # the dealership's number in the quote is not hers
    assert lead["customer"]["email"] == "eva.smit@example.nl"  # she wrote from her own mailbox


def test_a_forwarded_personal_mail_makes_its_sender_the_customer() -> None:
    body = (
        "Graag als lead.\n\n---------- Forwarded message ---------\n"
        "From: Eva Smit <eva.smit@example.nl>\nDate: Thu, 15 Oct 2026 10:15:00 +0200\n"
        "Subject: Toyota Yaris\nTo: <piet@autohuis.example>\n\n"
        "Staat de Yaris nog te koop?\nGroet, Eva\n"
    )
    lead = parse_message(mail(body, subject="Fwd: Toyota Yaris"), own_addresses=OWN)
    assert lead["customer"]["full_name"] == "Eva Smit"
    assert lead["customer"]["email"] == "eva.smit@example.nl"
    assert lead["source"] is None  # she wrote herself; the colleague is no source either
    assert "Staat de Yaris nog te koop?" in lead["comments"]


def test_a_direct_mail_without_contact_in_its_text_is_its_senders_lead() -> None:
    raw = mail("Staat de Yaris nog te koop?\n", subject="Yaris", sender="Eva <eva@example.nl>")
    lead = parse_message(raw)
    assert (lead["customer"]["full_name"], lead["customer"]["email"]) == ("Eva", "eva@example.nl")
    assert lead["comments"] == "Staat de Yaris nog te koop?"
    assert lead["source"] is None


def test_a_direct_mail_that_asks_nothing_stays_no_lead() -> None:
    raw = mail("Hallo\n", subject="x", sender="Eva <eva@example.nl>")
    with pytest.raises(NoLeadFound):
        parse_message(raw)


def test_a_header_block_inside_a_lead_without_an_address_is_no_forward() -> None:
    body = "Van: Eva Smit\nDatum: 15-10-2026\nOnderwerp: proefrit\nE-mail: eva.smit@example.nl\n"
    lead = parse_message(mail(body, subject="Aanvraag", sender="Portal <a@portal.example>"))
    assert lead["customer"]["email"] == "eva.smit@example.nl"
    assert "forwarded_by" not in lead["extra"]


# --- clues -------------------------------------------------------------------------------------


def test_reply_to_gives_the_email_behind_a_form_relay() -> None:
    raw = mail(
        "Naam: Eva Smit\nBericht: Is hij er nog?\n",
        subject="Contactformulier",
        sender="Autohuis <wordpress@autohuis-site.example>",
        headers=("Reply-To: Eva Smit <eva.smit@example.nl>",),
    )
    lead = parse_message(raw)
    assert lead["customer"]["email"] == "eva.smit@example.nl"
    assert lead["source"] == "Autohuis"


def test_reply_to_under_the_same_national_second_level_domain_is_another_organisation() -> None:
    raw = mail(
        "Name: Priya Shah\nMessage: Is it still for sale?\n", subject="Enquiry",
        sender="Autotrader <noreply@autotrader.co.uk>", headers=("Reply-To: priya@example.co.uk",),
    )  # fmt: skip
    assert parse_message(raw, region="GB")["customer"]["email"] == "priya@example.co.uk"


def test_a_reply_to_of_the_dealership_itself_is_not_the_customer() -> None:
    raw = mail(
        "Naam: Eva Smit\nTelefoon: 06 11223344\n", subject="Contactformulier",
        sender="Website <wordpress@site-host.example>", headers=("Reply-To: verkoop@autohuis.example",),
    )  # fmt: skip
    lead = parse_message(raw, own_addresses=["@autohuis.example"])
    assert lead["customer"]["email"] is None


def test_the_body_email_wins_over_reply_to() -> None:
    raw = mail(
        ORIGINAL, subject="Aanvraag", sender="Portal <noreply@portal.example>",
        headers=("Reply-To: other@example.nl",),
    )  # fmt: skip
    assert parse_message(raw)["customer"]["email"] == "eva.smit@example.nl"


def test_a_reply_to_of_the_portal_itself_is_not_the_customer() -> None:
    raw = mail(
        "Naam: Eva Smit\nTelefoon: 06 11223344\n", subject="Aanvraag",
        sender="Portal <noreply@portal.example>", headers=("Reply-To: support@help.portal.example",),
    )  # fmt: skip
    assert parse_message(raw)["customer"]["email"] is None


@pytest.mark.parametrize(
    "sender",
    ['"Eva Smit (via AutoScout24)" <noreply@autoscout24.example>',
     "Eva Smit via AutoScout24 <noreply@autoscout24.example>"],
)  # fmt: skip
def test_a_relay_display_name_gives_the_name_and_the_source(sender: str) -> None:
    raw = mail(
        "Is de auto nog beschikbaar?\n", subject="Anfrage", sender=sender,
        headers=("Reply-To: eva.smit@example.nl",),
    )  # fmt: skip
    lead = parse_message(raw)
    assert lead["customer"]["full_name"] == "Eva Smit"
    assert lead["customer"]["email"] == "eva.smit@example.nl"
    assert lead["source"] == "AutoScout24"
    assert "nog beschikbaar" in lead["comments"]


# --- cost ---------------------------------------------------------------------------------------


def test_html_lines_keep_their_place_in_the_source() -> None:
    html = "<p>Van: <b>A</b> &lt;a@x.example&gt;</p><div>Tweede</div>"
    lines = html_lines(html)
    assert [line.text for line in lines] == ["Van: A <a@x.example>", "Tweede"]
    assert html[lines[1].start : lines[1].end] == "Tweede"


@pytest.mark.parametrize(
    "junk",
    ["From: a@b.example\n" * 50_000, "> x\n" * 100_000, "<!--" * 100_000,
     "<style>" * 100_000, "<b " * 200_000, "-----Original Message-----\n" * 20_000],
)  # fmt: skip
def test_hostile_forward_looking_input_is_read_quickly(junk: str) -> None:
    started = time.monotonic()
    for content_type in ("text/plain", "text/html"):
        try:
            parse_message(mail(junk, content_type=content_type), own_addresses=OWN)
        except Exception as exc:  # any refusal is fine; only the time counts
            assert type(exc).__module__.startswith("leadparser")
    assert time.monotonic() - started < 5  # as test_parse_hostile: the old reader alone takes ~1 s
