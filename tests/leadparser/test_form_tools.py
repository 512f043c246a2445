"""Rules hosted forms, booking tools and lead-ad mails broke (the blind web corpus)."""

from __future__ import annotations

import pytest

from leadparser import NotALead, parse_message
from leadparser.normalize import normalize_email
from leadparser.platforms import platform_source
from tests.leadparser.mails import lead_mail


def _mail(text: str | None = None, html: str | None = None, *, subject: str = "Aanvraag",
          sender: str = "Website <noreply@garage.example>", reply_to: str | None = None,
          date: str = "Fri, 04 Dec 2026 20:03:44 +0100") -> bytes:  # fmt: skip
    return lead_mail(text, html, subject=subject, sender=sender, date=date, reply_to=reply_to)


def test_colon_cell_and_tel_link_only() -> None:
    html = (
        "<table><tr><td>Voornaam*</td><td>:</td><td>Ruud</td></tr>"
        "<tr><td>Achternaam*</td><td>:</td><td>Dijk</td></tr>"
        "<tr><td>E-mailadres*</td><td>:</td><td>ruud@example.nl</td></tr>"
        '<tr><td>Telefoon</td><td>:</td><td><a href="tel:%2B31612398700">Bel klant</a></td></tr>'
        "</table>"
    )
    lead = parse_message(_mail(html=html))
    assert lead["customer"]["first_name"] == "Ruud"
    assert lead["customer"]["last_name"] == "Dijk"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31612398700"]


def test_tel_link_with_the_number_as_text_is_read_once() -> None:
    html = '<p>Naam: Jan Smit</p><p>Telefoon: <a href="tel:0612345678">06 12 34 56 78</a></p>'
    lead = parse_message(_mail(html=html))
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31612345678"]


def test_question_label_names_the_car_and_its_year() -> None:
    text = (
        "Naam: Sanne de Wit\nE-mail: sanne@example.nl\n"
        "Welke auto wilt u proefrijden?: Volkswagen ID.4 Pro 77 kWh (2023)\n"
    )
    vehicle = parse_message(_mail(text))["vehicle"]
    assert (vehicle["make"], vehicle["model"], vehicle["year"]) == ("Volkswagen", "ID.4", 2023)


def test_trade_in_question_is_not_the_car() -> None:
    text = "Naam: An Claes\nE-mail: an@example.be\nHeeft u een wagen om in te ruilen?: Nee\n"
    assert parse_message(_mail(text))["vehicle"] is None


def test_lead_ad_slug_answer_reads_as_words() -> None:
    text = "Volledige naam: Mo El Amrani\nE-mailadres: mo@example.nl\nWelk model wil je?: kia_ev3_air\n"
    vehicle = parse_message(_mail(text))["vehicle"]
    assert (vehicle["make"], vehicle["model"]) == ("Kia", "EV3")


def test_model_number_is_not_a_year() -> None:
    text = "Naam: Jan Smit\nE-mail: jan@example.nl\nAuto: Peugeot 2008\n"
    vehicle = parse_message(_mail(text))["vehicle"]
    assert (vehicle["model"], vehicle["year"]) == ("2008", None)


def test_family_comma_given_name() -> None:
    text = "Naam (achternaam, voornaam): Bakker, Thomas\nE-mail: t@example.nl\n"
    customer = parse_message(_mail(text))["customer"]
    assert (customer["first_name"], customer["last_name"]) == ("Thomas", "Bakker")
    assert customer["full_name"] == "Thomas Bakker"


@pytest.mark.parametrize(
    ("subject", "lead_type"),
    [("Neue Probefahrt-Anfrage", "test_drive"), ("Proefrit-aanvraag", "test_drive")],
)
def test_compound_subject_names_the_type(subject: str, lead_type: str) -> None:
    lead = parse_message(_mail("Name: Markus Weber\nE-Mail: m@example.de\n", subject=subject))
    assert lead["lead_type"] == lead_type


def test_dotted_date_and_separate_time_make_the_appointment() -> None:
    text = "Vorname: Claudia\nNachname: Schulz\nE-Mail: c@example.de\nWunschtermin: 14.12.2026\nUhrzeit: 08:00\n"
    lead = parse_message(_mail(text), region="DE")
    assert lead["appointment_at"] == "2026-12-14T08:00:00+01:00"


def test_time_written_before_the_date() -> None:
    text = (
        "Invitee:\nEmma Thompson\n\nInvitee Email:\nemma@example.co.uk\n\n"
        "Event Date/Time:\n10:30am - Saturday, December 12, 2026 (Greenwich Mean Time)\n"
    )
    lead = parse_message(_mail(text, sender="Calendly <notifications@calendly.com>"), region="GB")
    assert lead["customer"]["full_name"] == "Emma Thompson"
    assert lead["appointment_at"] == "2026-12-12T10:30:00+00:00"


def test_timestamp_keeps_its_seconds() -> None:
    text = "Tijdstempel: 4/12/2026 21:05:33\nE-mailadres: an@example.be\nVoornaam: An\n"
    assert parse_message(_mail(text), region="BE")["requested_at"] == "2026-12-04T21:05:33+01:00"


def test_question_and_answer_lines() -> None:
    text = (
        "Name: Lena Hoffmann\nE-Mail: lena@example.de\n\n"
        "Frage 1: Welches Modell interessiert Sie?\nAntwort: VW ID.3 Pro S\n"
    )
    vehicle = parse_message(_mail(text), region="DE")["vehicle"]
    assert (vehicle["make"], vehicle["model"]) == ("Volkswagen", "ID.3")


def test_bare_reference_among_the_car_fields_is_its_stock_number() -> None:
    text = "Nom : Moreau\nPrénom : Antoine\nE-mail : a@example.fr\nMarque : Renault\nModèle : Austral\nRéférence : VO-12877\n"
    lead = parse_message(_mail(text), region="FR")
    assert lead["vehicle"]["stock_number"] == "VO-12877"
    assert lead["external_id"] is None


def test_car_named_in_the_message_only() -> None:
    text = "Name: Oliver Grant\nEmail: o@example.co.uk\nMessage: Is the 2021 Toyota RAV4 2.5 Hybrid still available?\n"
    vehicle = parse_message(_mail(text), region="GB")["vehicle"]
    assert (vehicle["make"], vehicle["model"], vehicle["year"], vehicle["trim"]) == (
        "Toyota", "RAV4", 2021, None,
    )  # fmt: skip


def test_quote_asked_in_the_message() -> None:
    text = (
        "Name: Dan Okafor\nEmail: d@example.co.uk\nDescription: Please send a quote for 5 vans.\n"
    )
    assert parse_message(_mail(text), region="GB")["lead_type"] == "quote"


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("jan.vermeer [at] ziggo.nl", "jan.vermeer@ziggo.nl"),
        ("jan (at) ziggo (dot) nl", "jan@ziggo.nl"),
        ("not an address [at] all", None),
    ],
)
def test_hidden_addresses(raw: str, address: str | None) -> None:
    assert normalize_email(raw) == address


@pytest.mark.parametrize(
    ("sender", "subject", "source"),
    [
        ("notification@facebookmail.com", "Nieuwe lead voor Garage", "Facebook Lead Ads"),
        ("no-reply@business.tiktok.com", "Neuer Lead", "TikTok"),
        ("no-reply@zapiermail.com", "New Google Ads lead: Ben", "Google Ads"),
        ("no-reply@zapiermail.com", "New row in sheet", None),
        ("noreply@garage.example", "Google Ads lead", None),
    ],
)
def test_platform_source(sender: str, subject: str, source: str | None) -> None:
    assert platform_source(sender, subject) == source


FORWARDED_FORM = """Kun jij deze oppakken?

Peter de Groot
M 06-55 12 34 88

Van: Website Garage <website@garage.example>
Verzonden: donderdag 3 december 2026 21:47
Aan: Peter de Groot <peter@garage.example>
Onderwerp: Contactformulier

Naam: Jan Vermeer
E-mail: jan.vermeer [at] ziggo.nl
Telefoon: 06 28 73 41 90

--
Deze e-mail is verzonden vanaf het contactformulier op www.garage.example
"""


def test_colleague_forwarding_the_own_website_form() -> None:
    raw = _mail(
        FORWARDED_FORM, subject="FW: Contactformulier", sender="Peter <peter@garage.example>"
    )
    lead = parse_message(raw, own_addresses=["@garage.example"])
    assert lead["customer"]["email"] == "jan.vermeer@ziggo.nl"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31628734190"]


def test_colleague_forwarding_own_mail_without_a_form_is_refused() -> None:
    text = FORWARDED_FORM.replace(
        "Deze e-mail is verzonden vanaf het contactformulier op www.garage.example", "Groet"
    )
    raw = _mail(text, subject="FW: Contactformulier", sender="Peter <peter@garage.example>")
    with pytest.raises(NotALead, match="own address"):
        parse_message(raw, own_addresses=["@garage.example"])


SIGNUP = """Van: Karin Mulder <karin@example.nl>
Onderwerp: Aanmelding nieuwsbrief

Ik wil graag de maandelijkse nieuwsbrief ontvangen: Ja

--
Deze e-mail is verzonden vanaf een contactformulier op Garage (https://garage.example)
"""


def test_newsletter_signup_is_no_lead() -> None:
    with pytest.raises(NotALead, match="newsletter sign-up"):
        parse_message(_mail(SIGNUP, subject='Garage "Aanmelding nieuwsbrief"'))


def test_newsletter_signup_with_a_question_is_a_lead() -> None:
    text = SIGNUP.replace("ontvangen: Ja", "ontvangen: Ja\nBericht: Is de Kia Picanto nog te koop?")
    lead = parse_message(_mail(text, subject='Garage "Aanmelding nieuwsbrief"'))
    assert lead["customer"]["email"] == "karin@example.nl"


def test_newsletter_signup_confirmed_by_a_person_is_read() -> None:
    raw = _mail(SIGNUP, subject='Garage "Aanmelding nieuwsbrief"')
    assert parse_message(raw, skip_not_a_lead=True)["customer"]["full_name"] == "Karin Mulder"


def test_subject_naming_the_trade_in_is_not_the_car_asked_for() -> None:
    text = (
        "Nombre y apellidos: José García\nEmail: jose@example.es\n\n"
        "DATOS DEL VEHÍCULO A TASAR\nMarca: Seat\nModelo: León\nAño de matriculación: 2015\n"
    )
    lead = parse_message(
        _mail(text, subject="Nueva solicitud de tasación - Seat León 2015"), region="ES"
    )
    assert (lead["trade_in"]["make"], lead["trade_in"]["model"]) == ("SEAT", "León")
    assert lead["vehicle"] is None
    assert lead["lead_type"] == "trade_in"
