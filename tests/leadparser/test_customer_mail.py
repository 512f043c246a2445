"""A customer's own e-mail to the dealership: the sender is the customer, the phone in their
words is theirs, the car they name is the one asked about (leadparser.envelope, .personal,
.sentences)."""

from __future__ import annotations

import pytest

from leadparser import NoLeadFound, NotALead, parse_message
from leadparser.personal import own_words, sender_name
from leadparser.sentences import phones_in_words

OWN = ["verkoop@autohuis.example", "piet@autohuis.example"]


def mail(
    body: str,
    *,
    subject: str = "Vraag",
    sender: str = "Eva Smit <eva.smit@example.nl>",
    to: str = "verkoop@autohuis.example",
    headers: tuple[str, ...] = (),
) -> bytes:
    head = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        "Date: Fri, 16 Oct 2026 08:00:00 +0200",
        "Message-ID: <cm-1@example.nl>",
        "Content-Type: text/plain; charset=utf-8",
        *headers,
    ]
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode("utf-8")


def parse(raw: bytes, **kwargs) -> dict:
    return parse_message(raw, own_addresses=kwargs.pop("own_addresses", OWN), **kwargs)


# --- the sender is the customer -------------------------------------------------------------


def test_a_persons_own_mail_makes_its_sender_the_customer() -> None:
    raw = mail("Bonjour, je souhaite essayer la Peugeot 3008.\nTéléphone : +33 6 12 34 56 78\n",
               subject="Essai Peugeot 3008", sender="Anaïs Dubois <anais.dubois@example.fr>")  # fmt: skip
    lead = parse(raw)
    assert lead["customer"]["full_name"] == "Anaïs Dubois"
    assert lead["customer"]["email"] == "anais.dubois@example.fr"
    assert lead["source"] is None  # she wrote herself
    assert "je souhaite essayer la Peugeot 3008" in lead["comments"]


@pytest.mark.parametrize(
    "sender",
    [
        "Autohuis Website <noreply@autohuis-site.example>",  # a form mailer
        "Debiteuren <facturen@leverancier.example>",  # a billing mailbox
        "Calltracking Dashboard <rapport@tracker.example>",  # a program's name
        "Meta <leads@facebookmail.com>",  # a platform
        "Jan Jansen via Website <jan@autohuis-site.example>",  # a relay's display name
    ],
)
def test_a_mailer_platform_or_department_is_no_customer(sender: str) -> None:
    raw = mail("Telefoon: 06 12 34 56 78\nBericht: over de Golf\n", sender=sender)
    lead = parse(raw)
    assert lead["customer"]["email"] is None


def test_a_sender_at_the_domain_it_writes_to_is_no_customer() -> None:
    raw = mail("Naam: Jan Jansen\nTelefoon: 06 12 34 56 78\n", sender="Kim <kim@garage.example>",
               to="verkoop@garage.example")  # fmt: skip
    lead = parse(raw, own_addresses=[])
    assert (lead["customer"]["full_name"], lead["customer"]["email"]) == ("Jan Jansen", None)


def test_a_colleague_at_the_dealerships_domain_is_no_lead_unless_a_customer_is_named() -> None:
    colleague = "Kees Bosman <k.bosman@autohuis.example>"
    with pytest.raises(NotALead, match="own domain"):
        parse(mail("De Yaris moet donderdag binnen.\nGroet, Kees\n", sender=colleague))
    walk_in = parse(mail("Naam: Jan Jansen\nTelefoon: 06 12 34 56 78\n", sender=colleague))
    assert (walk_in["customer"]["full_name"], walk_in["customer"]["email"]) == ("Jan Jansen", None)


def test_a_mail_naming_another_customer_keeps_that_customer() -> None:
    raw = mail("Naam: Jan Jansen\nE-mail: jan@example.nl\n", sender="Eva Smit <eva@example.nl>")
    lead = parse(raw)
    assert (lead["customer"]["full_name"], lead["customer"]["email"]) == (
        "Jan Jansen",
        "jan@example.nl",
    )
    named = parse(
        mail("Naam: Jan Jansen\nTelefoon: 06 12 34 56 78\n", sender="Eva <eva@example.nl>")
    )
    assert named["customer"]["email"] is None  # Jan is not Eva


def test_a_direct_mail_that_asks_nothing_stays_no_lead() -> None:
    with pytest.raises(NoLeadFound):
        parse(mail("Hallo\n", subject="x"))


@pytest.mark.parametrize(
    ("display", "text", "name"),
    [
        ("Anaïs Dubois", "", "Anaïs Dubois"),
        ("Mark", "Graag een proefrit.\n\nMet vriendelijke groet,\nMark Jansen\n", "Mark Jansen"),
        ("Mark", "Graag een proefrit.\n\nGroet,\nPiet Jansen\n", "Mark"),  # someone else signs
        ("jan123", "Price?\n\nThanks\n", None),
        ("jan123", "Price?\n\nKind regards,\nJan de Vries\n", "Jan de Vries"),
        # Outlook / Exchange show "Family, Given": the name as it is said.
        ("Jansen, Mark", "", "Mark Jansen"),
        ("de Boer, Ellen", "", "Ellen de Boer"),
        ("Müller, Hans Peter", "", "Hans Peter Müller"),
    ],
)
def test_the_senders_name_is_the_display_name_or_the_signed_one(display, text, name) -> None:
    assert sender_name(display, text) == name


def test_own_words_end_at_the_closing_or_the_phone_apps_line_and_skip_quotes() -> None:
    text = "Hallo,\nIs hij er nog?\n> Beste Eva\n\nGroeten,\nEva\nTel 06\n\nVerstuurd vanaf mijn iPhone"
    assert own_words(text) == "Hallo, Is hij er nog?"
    assert own_words("Is hij er nog?\n\nVon meinem iPhone gesendet\n") == "Is hij er nog?"


# --- the phone in their words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Is de Tucson nog te koop? Mijn gsm: +32 470 98 76 54. Groeten", "+32 470 98 76 54"),
        ("Kunt u mij bellen op 06 12 34 56 78?", "06 12 34 56 78"),
        ("Bel me op 06-12345678 na vijf uur", "06-12345678"),
        ("Vous pouvez me joindre sur mon portable au 06 12 34 56 78.", "06 12 34 56 78"),
        ("Meine Handynummer ist 0151 23456789.", "0151 23456789"),
        ("Tagsüber erreichen Sie mich unter 0171 2345678.", "0171 2345678"),
        ("Mi móvil es el 612 345 678.", "612 345 678"),
        ("Call me on 07911 123456 after 5pm.", "07911 123456"),
        ("M: +31 (0)6 48 12 34 56", "+31 (0)6 48 12 34 56"),
    ],
)
def test_a_number_after_a_phone_word_is_read(text: str, phone: str) -> None:
    assert [p for p, _words in phones_in_words(text)] == [phone]


@pytest.mark.parametrize(
    "text", ["Bel ons gerust op 030 123 45 67.", "> Tel. 910 123 456", "Order 88213 van 12-11-2026"]
)
def test_the_dealers_number_a_quote_or_other_digits_are_no_phone(text: str) -> None:
    assert phones_in_words(text) == []


def test_the_phone_in_prose_is_read_only_in_a_persons_own_mail() -> None:
    body = "Goedemiddag, is de Hyundai Tucson nog te koop? Mijn gsm: +32 470 98 76 54.\n"
    lead = parse(mail(body, subject="Vraag over Hyundai Tucson"), region="BE")
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+32470987654"]
    relayed = mail("Naam: Jan\n" + body, sender="Website <noreply@autohuis-site.example>")
    assert parse(relayed)["customer"]["phones"] == []


# --- the car and the request ------------------------------------------------------------------


def test_the_car_in_the_subject_or_the_words_is_the_one_asked_about() -> None:
    lead = parse(
        mail("Is hij nog te koop? Bel me op 06 12 34 56 78.\n", subject="Vraag over Hyundai Tucson")
    )
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Hyundai", "Tucson")
    lead = parse(mail("Is de Kia Sportage nog beschikbaar?\n", subject="Vraag"))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Kia", "Sportage")


@pytest.mark.parametrize(
    ("subject", "body", "lead_type"),
    [
        ("Vraag", "Me gustaría hacer una prueba de conducción el sábado.", "test_drive"),
        ("Ford Kuga", "What is your best price? Call me on 07911 123456.", "quote"),
        ("Ford Kuga", "Is it still available? Call me on 07911 123456.", "info_request"),
        ("Proefrit Kia EV3", "Graag een offerte.", "test_drive"),  # the subject decides first
    ],
)
def test_the_request_is_what_their_words_ask(subject: str, body: str, lead_type: str) -> None:
    assert parse(mail(body + "\n", subject=subject))["lead_type"] == lead_type


# --- a supplier's invoice ------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject", ["Factuur 2026-10432 Autoparts", "Invoice INV-0042", "Rechnung Nr. 12345"]
)
def test_an_invoice_is_no_lead(subject: str) -> None:
    raw = mail("In de bijlage vindt u de factuur.\nTel: 030 765 43 21\n", subject=subject,
               sender="Autoparts <verkoop@autoparts.example>")  # fmt: skip
    with pytest.raises(NotALead, match="invoice"):
        parse(raw)


def test_a_question_about_an_invoice_without_its_number_is_read() -> None:
    raw = mail("Mijn factuur klopt niet, bel me op 06 12 34 56 78.\n", subject="Vraag over factuur")
    assert parse(raw)["customer"]["email"] == "eva.smit@example.nl"
