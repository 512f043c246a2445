"""Rules portals without a template of their own break: bilingual labels, one-line addresses,
family names in capitals, notes beside phone numbers, ids and vehicles without a label."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from leadparser import parse_message
from leadparser.label_dictionary import lookup
from leadparser.phones import parse_phones


def _mail(subject: str, text: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Some Portal <noreply@someportal.example>"
    msg["To"] = "dealer@leads.dealerlms.example"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 12 Jan 2027 14:32:08 +0100"
    msg.set_content(text)
    return bytes(msg)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Nom / Naam", "customer.full_name"),
        ("Tél. / Tel.", "customer.phone"),
        ("PLZ/Ort", "customer.postal_code"),
        ("Merk/model", "vehicle.description"),
        ("Uw referentie", "vehicle.stock_number"),
        ("Gewenst tijdstip", "appointment_time"),
        ("Telefon mobil", "customer.mobile"),
        ("Wat / Waarom", None),
    ],
)
def test_label_lookup(label: str, key: str | None) -> None:
    assert lookup(label) == key


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("DUPONT Jean", "Jean", "DUPONT"),
        ("M. MARTIN Luc", "Luc", "MARTIN"),
        ("Jean-Pierre LE GALL", "Jean-Pierre", "LE GALL"),
        ("Jan de Vries", None, None),
        ("ANNE MARIE", None, None),
    ],
)
def test_family_name_in_capitals(name: str, first: str | None, last: str | None) -> None:
    lead = parse_message(_mail("Contact", f"Nom : {name}\nE-mail : j@example.fr\n"), region="FR")
    assert (lead["customer"]["first_name"], lead["customer"]["last_name"]) == (first, last)
    if first:
        assert lead["customer"]["full_name"] == f"{first} {last}"


@pytest.mark.parametrize(
    ("line", "street", "postal_code", "city"),
    [
        ("Adresse : 8 rue de Fougères, 35000 Rennes", "8 rue de Fougères", "35000", "Rennes"),
        ("Adres: Thorbeckegracht 8, 8011 VM Zwolle", "Thorbeckegracht 8", "8011 VM", "Zwolle"),
        ("PLZ/Ort: 80331 München", None, "80331", "München"),
        ("Postcode: 6981 AB", None, "6981 AB", None),
        ("Adres: Dorpsstraat 1", "Dorpsstraat 1", None, None),
    ],
)
def test_address_on_one_line(line: str, street, postal_code, city) -> None:
    lead = parse_message(_mail("Aanvraag", f"Naam: Jan Smit\n{line}\n"))
    customer = lead["customer"]
    assert (customer["street"], customer["postal_code"], customer["city"]) == (
        street,
        postal_code,
        city,
    )


def test_notes_in_brackets_beside_numbers() -> None:
    found = parse_phones("038-4221133 (vast), 06 3344 5566 (mobiel)", "NL")
    assert [p["number"] for p in found] == ["+31384221133", "+31633445566"]


def test_reference_and_vehicle_from_subject_and_headline() -> None:
    text = (
        "Een bezoeker heeft interesse in de volgende auto:\n\n"
        "Volkswagen Golf 1.5 TSI Life\n\nNaam: Jan Smit\nTelefoon: 06-12 34 56 78\n"
    )
    lead = parse_message(_mail("Nieuwe reactie (ref. 7731042)", text))
    assert lead["external_id"] == "7731042"
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Volkswagen", "Golf")


def test_subject_reference_needs_a_digit() -> None:
    lead = parse_message(_mail("Ref: uw aanvraag", "Naam: Jan Smit\nTelefoon: 0612345678\n"))
    assert lead["external_id"] is None


def test_portal_vocabulary_without_a_template() -> None:
    text = "Nombre: Ana Ruiz\nEmail: ana@example.es\nReferencia del anuncio: 71234589\n"
    lead = parse_message(_mail("Solicitud", text), region="ES")
    assert lead["external_id"] == "71234589"
