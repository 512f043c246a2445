"""Rules found by held-out NL/BE/DE lead mails the rules' authors never saw: one test per rule."""

from __future__ import annotations

import pytest

from leadparser import NotALead, parse_message
from leadparser.lead_types import lead_type_from_text
from leadparser.makes import split_vehicle
from leadparser.personal import signature_phones
from tests.leadparser.test_parse_layouts import _mail

CONTACT = "Naam: Kees Vos\nE-mail: kees@example.nl\n"


def test_an_underlined_heading_still_opens_its_section() -> None:
    text = (
        f"Gegevens klant\n--------------\n{CONTACT}\nInruilauto\n----------\n"
        "Merk: Opel\nModel: Astra\nBouwjaar: 2015\n"
    )
    lead = parse_message(_mail(text))
    assert (lead["trade_in"]["make"], lead["trade_in"]["model"]) == ("Opel", "Astra")
    assert lead["vehicle"] is None


def test_a_separator_that_underlines_nothing_still_ends_the_fields() -> None:
    text = f"{CONTACT}\n--\nDatum: 04-12-2026\n"
    assert parse_message(_mail(text))["customer"]["full_name"] == "Kees Vos"


def test_a_wanted_car_label_below_a_trade_in_block_names_the_wanted_car() -> None:
    text = f"{CONTACT}\nInruilauto\nMerk: Opel\nModel: Astra\n\nInteresse in: Kia Niro\n"
    lead = parse_message(_mail(text))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Kia", "Niro")
    assert lead["trade_in"]["model"] == "Astra"


@pytest.mark.parametrize(
    ("words", "kind"),
    [("Inruilaanvraag", "trade_in"), ("Inruilvoorstel Renault", "trade_in"),
     ("Finanzierungsanfrage", "finance"), ("Proefritverzoek", "test_drive"),
     ("Inruilen", "trade_in"), ("Taxatiewaarde", "trade_in")],
)  # fmt: skip
def test_a_request_word_written_as_one_compound(words: str, kind: str) -> None:
    assert lead_type_from_text(words) == kind


def test_an_unrelated_word_starting_like_a_request_word_is_none() -> None:
    assert lead_type_from_text("Leasewagens zijn duur") is None


@pytest.mark.parametrize(
    "subject",
    ["Ihr Inserat läuft bald ab: VW Passat", "Je advertentie verloopt over 3 dagen",
     "Votre annonce expire demain", "Your listing has expired"],
)  # fmt: skip
def test_a_notice_that_the_dealers_own_ad_expires_is_no_lead(subject: str) -> None:
    text = "Verlängern Sie jetzt Ihr Inserat.\nmobile.de GmbH, Tel. 030 81097-500\n"
    with pytest.raises(NotALead, match="portal statistics"):
        parse_message(_mail(text, subject=subject, sender="mobile.de <noreply@team.mobile.de>"))


def test_an_expiry_notice_with_a_customers_contact_is_still_read() -> None:
    text = f"Advertentie verloopt binnenkort, maar er is een reactie:\n{CONTACT}"
    lead = parse_message(_mail(text, subject="Je advertentie verloopt"))
    assert lead["customer"]["email"] == "kees@example.nl"


def test_an_invoice_addressed_with_je_is_no_lead() -> None:
    with pytest.raises(NotALead, match="invoice"):
        parse_message(
            _mail("Bedrag: € 249,00", subject="Je factuur van Marktplaats - november 2026")
        )


def test_bereiken_names_the_persons_own_number() -> None:
    text = "Is de auto nog te koop? U kan mij bereiken op +32 (0)470 12 34 56.\n\nGroeten,\nWim Claes\n"
    lead = parse_message(_mail(text, sender="Wim Claes <wim.claes@telenet.be>", subject="Auto"))
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+32470123456"]


def test_a_number_alone_below_the_signed_name_is_the_senders() -> None:
    text = "Vraag\n\nMet vriendelijke groet,\n\nJeroen Bakker\n06 - 87 65 43 21\n\nVerzonden vanaf mijn iPhone"
    assert signature_phones(text) == ["06 - 87 65 43 21"]


def test_a_quoted_replys_signature_gives_no_sender_number() -> None:
    text = "Prima.\n\n> Met vriendelijke groet,\n> Autohaus\n> 089 4300 120\n"
    assert signature_phones(text) == []


def test_a_relayed_buyers_number_after_a_phone_word_is_theirs() -> None:
    text = (
        'Iemand heeft gereageerd op uw zoekertje "Peugeot 208".\n\nNaam: Pieter Vermeulen\n'
        "Bericht:\nIs hij nog beschikbaar? Bel me op 0470 12 34 56.\n\n"
        "2dehands.be - Klantendienst: 09 242 95 00\n"
    )
    mail = _mail(text, subject="Reactie op uw advertentie", sender="2dehands <noreply@2dehands.be>")
    lead = parse_message(mail, region="BE")
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+32470123456"]


def test_a_portals_domain_names_the_source_in_a_layout_it_has_no_template_for() -> None:
    text = f"Iets nieuws van ons platform.\n{CONTACT}"
    lead = parse_message(
        _mail(text, subject="Hallo", sender="AutoScout24.be <no-reply@autoscout24.be>")
    )
    assert lead["source"] == "AutoScout24"


def test_initials_with_the_call_name_in_brackets() -> None:
    lead = parse_message(_mail("Naam: dhr. J.H.M. (Joost) van den Berg\nE-mail: j@example.nl\n"))
    customer = lead["customer"]
    assert (customer["first_name"], customer["last_name"]) == ("Joost", "van den Berg")


@pytest.mark.parametrize("label", ["Postcode + gemeente", "Postcode & plaats", "PLZ/Ort"])
def test_a_label_of_two_fields_joined_by_a_sign(label: str) -> None:
    customer = parse_message(_mail(f"{CONTACT}{label}: 9000 Gent\n"), region="BE")["customer"]
    assert (customer["postal_code"], customer["city"]) == ("9000", "Gent")


@pytest.mark.parametrize("label", ["Eerste inschrijving", "Première immatriculation"])
def test_first_registration_gives_the_year(label: str) -> None:
    lead = parse_message(_mail(f"{CONTACT}Voertuig: Toyota C-HR\n{label}: 09/2020\n"))
    assert lead["vehicle"]["year"] == 2020


def test_anzeige_names_the_ad_title() -> None:
    lead = parse_message(_mail(f"{CONTACT}Anzeige: Opel Corsa 1.2 Edition, TÜV neu\n"))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Opel", "Corsa")


def test_several_labelled_fields_on_one_line() -> None:
    lead = parse_message(_mail(f"{CONTACT}Fahrzeug-ID: 412345678 | Interne Nr.: KR-2231\n"))
    assert lead["vehicle"]["stock_number"] == "KR-2231"


def test_a_line_of_unlabelled_parts_is_not_split() -> None:
    lead = parse_message(_mail(f"{CONTACT}Adres: Haagweg 50 | 2321 AA Leiden\n"))
    assert lead["customer"]["full_name"] == "Kees Vos"
    assert lead["customer"]["street"] is not None


def test_a_relays_from_label_above_the_buyers_quoted_words() -> None:
    text = (
        "Je hebt een nieuw bericht ontvangen over je advertentie:\nVolkswagen Golf 1.5 TSI\n\n"
        'Van: Sanne de Vries\n\n"Is hij nog te koop? Je kunt me bellen op 06-12345678."\n\n'
        "Klantenservice: 020 - 750 36 00\n"
    )
    mail = _mail(text, subject="Nieuw bericht", sender="Marktplaats <noreply@mail.marktplaats.nl>")
    lead = parse_message(mail)
    assert lead["customer"]["full_name"] == "Sanne de Vries"
    assert [p["number"] for p in lead["customer"]["phones"]] == ["+31612345678"]
    assert lead["comments"].startswith("Is hij nog te koop?")


def test_the_price_last_on_a_one_line_ad_card() -> None:
    text = f"Over je advertentie:\nVolkswagen Golf 1.5 TSI | 2020 - € 18.950,-\n\n{CONTACT}"
    assert parse_message(_mail(text))["vehicle"]["price"]["amount"] == "18950"


@pytest.mark.parametrize(
    ("text", "car"),
    [("kona electric", ("Hyundai", "Kona", "electric")), ("Golf 1.5 TSI", ("Volkswagen", "Golf", "1.5 TSI"))],
)  # fmt: skip
def test_a_car_described_by_its_model_alone_takes_the_one_make_that_builds_it(
    text: str, car: tuple
) -> None:
    found = split_vehicle(text)
    assert (found["make"], found["model"], found["trim"]) == car


def test_a_description_of_a_model_several_makers_use_takes_no_make() -> None:
    assert split_vehicle("Sport automaat")["make"] is None


def test_a_slugged_form_answer_naming_only_the_model() -> None:
    text = "full_name: Youssef Haddad\nemail: y@example.nl\nwelk_model_heeft_je_voorkeur?: kona_electric\n"
    lead = parse_message(_mail(text))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Hyundai", "Kona")


def test_year_and_mileage_in_brackets_after_the_model() -> None:
    text = "Ik zag de Volvo XC40 Recharge Plus (2023, 28.000 km) op jullie site. Nog beschikbaar?"
    lead = parse_message(
        _mail(text, sender="Jeroen Bakker <jeroen@gmail.com>", subject="Volvo XC40")
    )
    assert (lead["vehicle"]["year"], lead["vehicle"]["mileage_km"]) == (2023, 28000)


def test_fields_side_by_side_separated_by_spaces() -> None:
    text = f"{CONTACT}Year: 2022   Price: £19,495   Reg: LB22 XYZ\n"
    vehicle = parse_message(_mail(text))["vehicle"]
    assert (vehicle["year"], vehicle["registration"]) == (2022, "LB22XYZ")


def test_a_padded_label_is_not_split_from_its_value() -> None:
    lead = parse_message(_mail("Naam:      Kees Vos\nE-mail:    kees@example.nl\n"))
    assert lead["customer"]["full_name"] == "Kees Vos"


def test_customer_comments_label_on_its_own_line() -> None:
    text = f"{CONTACT}\nCustomer comments:\nCan you give me a rough valuation?\n"
    assert "rough valuation" in parse_message(_mail(text))["comments"]


def test_an_expiry_notice_naming_a_long_ad_title_is_no_lead() -> None:
    subject = "Votre annonce « Renault Captur 1.3 TCe 140 Techno EDC » a expiré"
    with pytest.raises(NotALead):
        parse_message(_mail("Republiez-la dès maintenant.", subject=subject))
