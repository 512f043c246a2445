"""Classified-ad platforms relay a buyer's message: the buyer named in a sentence, the phone in
their own words, the relay Reply-To as the way back; a portal's label with its name in front; a
bare "Type:" label read by its value."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from leadparser import NoLeadFound, NotALead, parse_message
from leadparser.label_dictionary import lookup
from leadparser.message import Message
from leadparser.providers import vocab
from leadparser.relayed import read, read_message


def _mail(
    text: str,
    *,
    subject: str = "Nieuw bericht",
    sender: str = "Marktplaats <noreply@marktplaats.nl>",
    reply_to: str | None = None,
    bulk: bool = True,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "verkoop@dealer.example"
    msg["Subject"] = subject
    msg["Date"] = "Thu, 14 Jan 2027 19:12:08 +0000"
    if reply_to:
        msg["Reply-To"] = reply_to
    if bulk:
        msg["List-Unsubscribe"] = "<https://portal.example/notificaties>"
    msg.set_content(text)
    return bytes(msg)


@pytest.mark.parametrize(
    ("line", "name", "offer"),
    [
        ("Jan de Vries heeft je een bericht gestuurd", "Jan de Vries", None),
        ("Kees heeft een bod van € 12.500 gedaan op je advertentie.", "Kees", "€ 12.500"),
        ("Thomas a envoyé un message à propos de votre annonce", "Thomas", None),
        ("Julien vous a fait une offre de 11 200 € pour votre annonce", "Julien", "11 200 €"),
        ("Neue Nachricht von Max Mustermann zu deiner Anzeige", "Max Mustermann", None),
        ("Max hat ein Angebot über 9.800 € gemacht", "Max", "9.800 €"),
        ("Alejandro te ha enviado un mensaje", "Alejandro", None),
        ("Lucía te ha hecho una oferta de 7.000 € por tu coche", "Lucía", "7.000 €"),
        ("Sarah sent you a message about your ad", "Sarah", None),
        ("Tom made an offer of £6,900 on your listing", "Tom", "£6,900"),
        ("Marco ti ha inviato un messaggio per il tuo annuncio", "Marco", None),
        ("Bod van Kees Jansen", "Kees Jansen", None),
    ],
)
def test_the_relay_sentence_names_the_buyer_and_the_offer(
    line: str, name: str, offer: str | None
) -> None:
    found = read([line], "NL")
    assert found is not None
    assert (found.name, found.offer) == (name, offer)


@pytest.mark.parametrize(
    "line",
    [
        "Nimm Preisvorschläge ernst: Ein Käufer hat ein Angebot gemacht? Reagiere freundlich.",
        "Tip: iemand heeft je een bericht gestuurd? Antwoord snel.",
        "Un acheteur vous a fait une offre",
        "Kees heeft je advertentie bewaard als favoriet.",
    ],
)
def test_articles_role_nouns_and_other_acts_name_no_buyer(line: str) -> None:
    assert read([line], "DE") is None


def test_the_buyers_quoted_words_and_the_phone_inside_them() -> None:
    text = (
        "Pieter heeft je een bericht gestuurd:\n\nVolkswagen Polo 1.0 TSI\n€ 8.950\n\n"
        '"Mooie wagen. Bel me gerust op\n06 12 34 56 78."\n\nKlantendienst: 020 789 10 20\n'
    )
    found = read([text], "NL")
    assert found.message == "Mooie wagen. Bel me gerust op 06 12 34 56 78."
    assert found.phones == ("06 12 34 56 78",)  # the platform's own number is not the buyer's


def test_the_words_under_an_intro_line() -> None:
    text = "Sarah sent you a message.\n\nSarah wrote:\nIs it still available?\nCall 07911 123456\n\nBye"
    found = read([text], "GB")
    assert found.message == "Is it still available? Call 07911 123456"
    assert found.phones == ("07911 123456",)


def test_a_relayed_message_with_a_list_unsubscribe_header_is_a_lead() -> None:
    text = (
        "Kees Jansen heeft een bod van € 19.750 gedaan op je advertentie.\n\n"
        "Peugeot 3008 1.2 PureTech Allure\n€ 21.495\n\n"
        '"Contant te betalen. Bel me op 06-28719334."\n\nMarktplaats B.V. 020 - 789 10 20\n'
    )
    lead = parse_message(_mail(text), region="NL")
    assert lead["customer"]["full_name"] == "Kees Jansen"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31628719334"]
    assert lead["extra"]["offer_price"] == "€ 19.750"
    assert lead["vehicle"]["price"]["amount"] == "21495"
    assert lead["comments"].startswith("Contant te betalen")
    assert lead["source"] == "Marktplaats"


@pytest.mark.parametrize(
    "text",
    [
        "Kees heeft je advertentie bewaard.\nJe advertentie is 214 keer bekeken.\n"
        "Klantenservice: 020 - 789 10 20\n",
        "Neue Nachricht von Marktplaats: Mit ein paar Tipps verkaufst du schneller.\n",
    ],
)
def test_a_platforms_notification_without_a_buyer_stays_not_a_lead(text: str) -> None:
    with pytest.raises(NotALead, match="newsletter"):
        parse_message(_mail(text), region="NL")


def test_the_relay_reply_to_reaches_the_buyer_the_content_names() -> None:
    raw = _mail(
        'Sjoerd heeft je een bericht gestuurd:\n\n"Is hij er nog?"\n',
        reply_to="<reply-7d1f9a19@relay.marktplaats.nl>",
    )
    lead = parse_message(raw, region="NL")
    assert lead["customer"]["email"] == "reply-7d1f9a19@relay.marktplaats.nl"
    assert lead["customer"]["full_name"] == "Sjoerd"


def test_a_relay_address_alone_is_no_contact() -> None:
    raw = _mail(
        "Je factuur van januari staat klaar.\n",
        reply_to="<support-7d1f9a19@relay.marktplaats.nl>",
        bulk=False,
    )
    with pytest.raises(NoLeadFound):
        parse_message(raw, region="NL")


def test_a_shared_platform_address_is_no_relay() -> None:
    raw = _mail(
        'Sjoerd heeft je een bericht gestuurd:\n\n"Bel me: 06 12345678"\n',
        reply_to="<info@marktplaats.nl>",
    )
    assert parse_message(raw, region="NL")["customer"]["email"] is None


def test_the_name_over_the_platform_in_the_display_name() -> None:
    raw = _mail(
        'Markus hat dir eine Nachricht zu deiner Anzeige geschickt:\n\n„Ist der noch da?"\n',
        sender="=?utf-8?q?Markus_=C3=BCber_Kleinanzeigen?= <nachricht+7f3e21aa90c4@mail.kleinanzeigen.de>",
    )
    lead = parse_message(raw, region="DE")
    assert lead["source"] == "Kleinanzeigen"
    assert lead["customer"]["full_name"] == "Markus"
    assert lead["customer"]["email"] == "nachricht+7f3e21aa90c4@mail.kleinanzeigen.de"


def test_a_persons_own_mail_is_no_relayed_message() -> None:
    message = Message(
        subject="Vraag",
        sender_name="Jan Jansen",
        sender_addr="jan.jansen@example.nl",
        texts=['Ik zag het bod van Autohaus Müller:\n"Golf 2019"\n'],
    )
    assert read_message(message) is None


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("mobile.de Inserat-ID", vocab.AD_REFERENCE),
        ("AutoScout24 Angebots-ID", vocab.AD_REFERENCE),
        ("Marktplaats advertentienummer", vocab.AD_REFERENCE),
        ("La Centrale Référence annonce", vocab.AD_REFERENCE),
        ("2e telefoon", None),  # a short word with a digit is no portal
        ("Datum afspraak", "appointment_at"),  # a whole label is read as a whole
    ],
)
def test_a_label_with_the_portals_name_in_front(label: str, key: str | None) -> None:
    labels = {**vocab.DE, **vocab.NL, **vocab.FR}
    assert lookup(label, labels) == key


def test_a_portal_named_label_in_a_generic_message() -> None:
    text = "Name: Jan Jansen\nTelefon: 0171 1234567\nmobile.de Inserat-ID: 381224567\n"
    lead = parse_message(_mail(text, bulk=False), region="DE")
    assert lead["external_id"] == "381224567"


def _form(text: str) -> dict:
    return parse_message(
        _mail(f"Naam: Jan Jansen\nE-mail: jan@example.nl\n{text}", bulk=False,
              sender="Website <noreply@dealer.example>", subject="Formulier"),
        region="NL",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "lead_type"),
    [
        ("Proefrit", "test_drive"),
        ("Essai", "test_drive"),
        ("Offerte", "quote"),
        ("Demande d'offre / Offerteaanvraag", "quote"),
        ("Test drive", "test_drive"),
    ],
)
def test_a_bare_type_label_with_a_request_type(value: str, lead_type: str) -> None:
    assert _form(f"Type: {value}\n")["lead_type"] == lead_type


def test_a_bare_type_label_below_a_make_is_the_model() -> None:
    lead = _form("Merk: Volkswagen\nType: Golf\n")
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Volkswagen", "Golf")
    assert lead["lead_type"] == "info_request"


def test_a_bare_type_label_with_anything_else_stays_in_extra() -> None:
    lead = _form("Type: Hatchback\n")
    assert lead["extra"]["Type"] == "Hatchback"
    assert lead["vehicle"] is None
