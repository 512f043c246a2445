"""Rules the held-out FR/BE/CH/ES/UK/IE messages showed missing, one behaviour each."""

from __future__ import annotations

from decimal import Decimal
from email.message import EmailMessage

from leadparser import parse_message
from leadparser.makes import make_of_model
from leadparser.phones import parse_phones


def _mail(subject: str, text: str, *, sender: str = "Site <web@garage.example>") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "vente@garage.example"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 04 Dec 2026 10:00:00 +0100"
    msg.set_content(text)
    return msg.as_bytes()


def _numbers(found: list[dict]) -> list[str]:
    return [p["number"] for p in found]


def test_a_phone_field_keeps_a_number_the_plan_holds_but_the_metadata_does_not_know() -> None:
    assert _numbers(parse_phones("07700 900456", "GB")) == ["+447700900456"]
    assert _numbers(parse_phones("+44 (0)7700 900789", "GB")) == ["+447700900789"]


def test_a_phone_field_outside_the_plan_or_with_words_stays_unread() -> None:
    assert parse_phones("0123 4567 8901 23", "GB") == []
    assert parse_phones("ref 07700 900456", "GB") == []


def test_a_trade_in_offered_in_a_sentence_after_the_word() -> None:
    lead = parse_message(
        _mail(
            "Demande",
            """Nom : Camille Durand
Téléphone : 06 98 76 54 32
Véhicule : Peugeot 208
Message : Est-il possible de faire reprendre ma Renault Twingo de 2014 (98 000 km) ? Merci.
""",
        ),
        region="FR",
    )
    assert lead["vehicle"]["model"] == "208"
    trade_in = lead["trade_in"]
    assert (trade_in["make"], trade_in["model"]) == ("Renault", "Twingo")
    assert (trade_in["year"], trade_in["mileage_km"]) == (2014, 98000)


def test_a_trade_in_named_by_its_model_before_the_word() -> None:
    lead = parse_message(
        _mail(
            "Enquiry",
            """Name: Aoife Byrne
Phone: 087 123 4567
Vehicle: Toyota Corolla
Message: Hi, would you take my Golf as a trade in?
""",
        ),
        region="IE",
    )
    assert (lead["trade_in"]["make"], lead["trade_in"]["model"]) == ("Volkswagen", "Golf")
    # The words between the car and the cue ("as a") are no trim.
    assert lead["trade_in"]["trim"] is None


def test_a_platforms_from_line_above_the_buyers_contact_fields_and_quoted_words() -> None:
    lead = parse_message(
        _mail(
            "New message about your ad",
            """You have a new message about your ad:
2020 Toyota Corolla 1.8 Hybrid Luna - €24,950

From: Aoife Byrne
Email: aoife.byrne@example.ie
Phone: 087 123 4567

"Hi is this still for sale? Could call out Thursday evening."

Thanks,
The Team
""",
            sender="DoneDeal <noreply@donedeal.ie>",
        ),
        region="IE",
    )
    assert lead["customer"]["full_name"] == "Aoife Byrne"
    assert "Thursday evening" in lead["comments"]


def test_a_second_car_without_a_trade_in_word_is_no_trade_in() -> None:
    lead = parse_message(
        _mail(
            "Enquiry",
            """Name: Aoife Byrne
Phone: 087 123 4567
Vehicle: Toyota Corolla
Message: I also looked at a Volkswagen Golf but prefer the Corolla.
""",
        ),
        region="IE",
    )
    assert lead["trade_in"] is None


def test_a_trade_in_answered_yes_then_the_car() -> None:
    lead = parse_message(
        _mail(
            "Demande d'offre",
            """Nom : Julie Renard
GSM : 0475 12 34 56
Véhicule souhaité : Peugeot 2008
Reprise : Oui - Opel Corsa 1.2 de 2017, 84 000 km
""",
        ),
        region="BE",
    )
    trade_in = lead["trade_in"]
    assert (trade_in["make"], trade_in["model"], trade_in["year"]) == ("Opel", "Corsa", 2017)
    assert trade_in["mileage_km"] == 84000


def test_a_postal_code_written_in_the_city_field() -> None:
    lead = parse_message(
        _mail(
            "Demande",
            """Nom : Luc Favre
Téléphone : 079 123 45 67
NPA / Localité : 1003 Lausanne
""",
        ),
        region="CH",
    )
    assert (lead["customer"]["postal_code"], lead["customer"]["city"]) == ("1003", "Lausanne")


def test_price_mileage_and_bracketed_year_on_the_car_line() -> None:
    lead = parse_message(
        _mail(
            "Demande",
            """Nom : Luc Favre
Téléphone : 079 123 45 67
Véhicule : Volkswagen Tiguan 2.0 TDI 4Motion Life (2021, 38'500 km) - CHF 24'900.–
""",
        ),
        region="CH",
    )
    vehicle = lead["vehicle"]
    assert (vehicle["make"], vehicle["model"], vehicle["year"]) == ("Volkswagen", "Tiguan", 2021)
    assert vehicle["mileage_km"] == 38500
    assert Decimal(vehicle["price"]["amount"]) == Decimal("24900")


def test_an_ad_cards_spec_line_below_its_title() -> None:
    lead = parse_message(
        _mail(
            "Nuevo contacto",
            """Tienes un nuevo contacto para tu anuncio

TOYOTA C-HR 125H Advance
23.500 € · 2019 · 54.000 km · Híbrido

Nombre: Carlos Ruiz
Teléfono: 612 34 56 78
""",
        ),
        region="ES",
    )
    vehicle = lead["vehicle"]
    assert (vehicle["year"], vehicle["mileage_km"]) == (2019, 54000)
    assert Decimal(vehicle["price"]["amount"]) == Decimal("23500")


def test_a_spec_line_with_other_figures_is_not_read() -> None:
    lead = parse_message(
        _mail(
            "Nuevo contacto",
            """Tienes un nuevo contacto

TOYOTA C-HR 125H Advance
23.500 € · cuota 299 € al mes durante 48 meses

Nombre: Carlos Ruiz
Teléfono: 612 34 56 78
""",
        ),
        region="ES",
    )
    assert lead["vehicle"]["price"] is None


def test_request_ids_in_french_and_spanish() -> None:
    for label in ("Identifiant du lead", "ID solicitud"):
        lead = parse_message(
            _mail(
                "Lead",
                f"""Nom : Pierre Martin
Téléphone : 06 45 67 89 01
{label} : FR-TD-2026-0098765
""",
            ),
            region="FR",
        )
        assert lead["external_id"] == "FR-TD-2026-0098765"


def test_a_model_alone_takes_the_only_make_that_builds_it() -> None:
    assert make_of_model("Austral E-Tech full hybrid") == "Renault"
    assert make_of_model("Golf") == "Volkswagen"
    assert make_of_model("208") is None  # a number is no name
    lead = parse_message(
        _mail(
            "Essai",
            """Nom : Pierre Martin
Téléphone : 06 45 67 89 01
Modèle : Austral E-Tech full hybrid 200 Techno
""",
        ),
        region="FR",
    )
    assert lead["vehicle"]["make"] == "Renault"
    assert lead["vehicle"]["model"].startswith("Austral")
