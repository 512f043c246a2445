"""Trade-in sections, a second car, leads written as sentences, call notifications, and the
label and lead-type vocabulary of eight languages."""

from __future__ import annotations

import contextlib
import time

import pytest

from leadparser import ParseError, parse_message
from leadparser.label_dictionary import lookup
from leadparser.lead_types import lead_type_from_text
from tests.leadparser.test_parse_layouts import _mail


@pytest.mark.parametrize(
    ("heading", "labels"),
    [
        ("Inruilauto", "Merk: Opel\nModel: Astra\nBouwjaar: 2015\nKenteken: 12-ABC-3"),
        ("Uw inruil", "Merk: Opel\nModel: Astra\nBouwjaar: 2015\nKenteken: 12-ABC-3"),
        ("Part exchange", "Make: Opel\nModel: Astra\nYear: 2015\nRegistration: 12-ABC-3"),
        ("Fahrzeug zur Inzahlungnahme", "Marke: Opel\nModell: Astra\nBaujahr: 2015\nKennzeichen: 12-ABC-3"),
        ("Votre véhicule à reprendre", "Marque : Opel\nModèle : Astra\nAnnée : 2015\nImmatriculation : 12-ABC-3"),
        ("Usato in permuta", "Marca: Opel\nModello: Astra\nAnno: 2015\nTarga: 12-ABC-3"),
        ("Vehículo de entrega", "Marca: Opel\nModelo: Astra\nAño: 2015\nMatrícula: 12-ABC-3"),
        ("Samochód w rozliczeniu", "Marka: Opel\nModel: Astra\nRok produkcji: 2015\nNumer rejestracyjny: 12-ABC-3"),
    ],
)  # fmt: skip
def test_a_trade_in_block_scopes_its_vehicle_labels(heading: str, labels: str) -> None:
    text = f"Model: Kia Niro\n\n{heading}\n{labels}\n\nNaam: Kees Vos\nE-mail: kees@example.nl\n"
    lead = parse_message(_mail(text))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Kia", "Niro")
    trade_in = lead["trade_in"]
    assert (trade_in["make"], trade_in["model"], trade_in["year"]) == ("Opel", "Astra", 2015)
    assert trade_in["registration"] == "12ABC3"


def test_a_sentence_about_a_trade_in_opens_no_trade_in_block() -> None:
    text = "Ik wil graag mijn oude auto inruilen voor deze\nModel: Kia Niro\nNaam: Kees Vos\n"
    lead = parse_message(_mail(text))
    assert lead["vehicle"]["model"] == "Niro" and lead["trade_in"] is None


def test_a_trade_in_block_in_html_ends_where_the_customer_block_begins() -> None:
    html = (
        "<table><tr><th colspan=2>Inzahlungnahme</th></tr><tr><td>Marke</td><td>Opel</td></tr>"
        "<tr><td>Preis</td><td>5.000 €</td></tr><tr><th colspan=2>Ihre Kontaktdaten</th></tr>"
        "<tr><td>Name</td><td>Stefan Keller</td></tr></table><p>Fahrzeug: BMW 320d</p>"
    )
    lead = parse_message(_mail(html=html), region="DE")
    assert lead["trade_in"]["make"] == "Opel" and lead["vehicle"]["make"] == "BMW"
    assert lead["vehicle"]["price"] is None  # the trade-in's price is no asking price
    assert lead["extra"]["trade_in Preis"] == "5.000 €"


def test_a_second_car_never_overwrites_the_first() -> None:
    text = (
        "Naam: Eline Mulder\nVoertuig\nMerk: Renault\nModel: Zoe\n\n"
        "Voertuig\nMerk: Nissan\nModel: Leaf\n"
    )
    lead = parse_message(_mail(text))
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Renault", "Zoe")
    assert lead["extra"]["Merk (2)"] == "Nissan" and lead["extra"]["Model (2)"] == "Leaf"


@pytest.mark.parametrize("heading", ["Tweede auto", "Also interested in", "Alternatives Fahrzeug"])
def test_a_second_car_heading_keeps_its_fields_apart(heading: str) -> None:
    text = (
        f"Naam: Eline Mulder\nModel: Renault Zoe\n\n{heading}\nModel: Nissan Leaf\nPrijs: 18.000\n"
    )
    lead = parse_message(_mail(text))
    # "Renault Zoe" in one field is split by the catalogue, which spells the model as Renault does.
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Renault", "ZOE")
    assert lead["vehicle"]["price"] is None
    assert lead["extra"]["Model (2)"] == "Nissan Leaf"


def test_a_repeated_vehicle_label_keeps_the_first_value_and_the_second_in_extra() -> None:
    text = "Naam: Eva Jansen\nModel: Polo\nKilometerstand: 12.000\nKilometerstand: 88.000\n"
    lead = parse_message(_mail(text))
    assert lead["vehicle"]["mileage_km"] == 12000
    assert lead["extra"]["Kilometerstand"] == "88.000"


@pytest.mark.parametrize(
    ("line", "name", "make", "model"),
    [
        ("Nieuwe aanvraag van Jan Jansen voor uw Volkswagen Golf", "Jan Jansen", "Volkswagen", "Golf"),
        ("Anouk van den Berg heeft interesse in uw Peugeot 208.", "Anouk van den Berg", "Peugeot", "208"),
        ("Max Mustermann hat Interesse für Ihr Fahrzeug Audi Q3", "Max Mustermann", "Audi", "Q3"),
        ("Marie Dupont est intéressée par votre Renault Clio !", "Marie Dupont", "Renault", "Clio"),
        ("Emma Wilson is interested in your Kia Sportage - reply soon", "Emma Wilson", "Kia", "Sportage"),
        ("Luca Ferri è interessato al tuo annuncio Fiat Panda", "Luca Ferri", "Fiat", "Panda"),
        ("New enquiry from Tom Hartley about your Ford Kuga", "Tom Hartley", "Ford", "Kuga"),
    ],
)  # fmt: skip
def test_a_lead_written_as_a_sentence(line: str, name: str, make: str, model: str) -> None:
    lead = parse_message(_mail(f"Hallo,\n\n{line}\n\nTelefoon: 0612345678\n"))
    assert lead["customer"]["full_name"] == name
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == (make, model)


def test_a_plain_text_mail_holding_only_a_sentence_is_read_as_text() -> None:
    lead = parse_message(_mail("Emma Wilson is interested in your Kia Sportage.\n"))
    assert lead["format"] == "text" and lead["customer"]["full_name"] == "Emma Wilson"


def test_a_sentence_never_replaces_a_labelled_name_or_takes_a_lowercase_phrase() -> None:
    text = "Naam: Jan Smit\nEmma Wilson is interested in your Kia Picanto\n"
    assert parse_message(_mail(text))["customer"]["full_name"] == "Jan Smit"
    text = "E-mail: a@example.nl\nde klant heeft interesse in uw Kia Picanto\n"
    assert parse_message(_mail(text))["customer"]["full_name"] is None


def test_contact_details_in_the_prose_after_the_sentence() -> None:
    text = (
        "Marie Dupont est intéressée par votre Peugeot 2008.\n"
        "Vous pouvez la contacter au 06 11 22 33 55 ou par e-mail à marie.dupont@example.fr.\n"
    )
    customer = parse_message(_mail(text), region="FR")["customer"]
    assert customer["email"] == "marie.dupont@example.fr"
    assert customer["phones"][0]["number"] == "+33611223355"


@pytest.mark.parametrize(
    ("subject", "body", "region", "phone", "when"),
    [
        ("Gemiste oproep", "Beller: 06 12 34 56 78\nTijdstip: 05-11-2026 14:32\n", "NL",
         "+31612345678", "2026-11-05T14:32:00+01:00"),
        ("Verpasster Anruf von 0171 2345678", "Uhrzeit: 09:15\n", "DE", "+491712345678",
         "2026-10-16T09:15:00+02:00"),
        ("Appel manqué", "Vous avez un appel manqué de 06 98 76 54 32.\nDate et heure : 05/11/2026 16:05\n",
         "FR", "+33698765432", "2026-11-05T16:05:00+01:00"),
        ("Missed call from 07723 456789", "Call time: 5 Nov 2026 2:47 PM\n", "GB", "+447723456789",
         "2026-11-05T14:47:00+00:00"),
    ],
)  # fmt: skip
def test_a_call_notification_is_a_call_at_the_time_of_the_call(
    subject: str, body: str, region: str, phone: str, when: str
) -> None:
    lead = parse_message(_mail(body, subject=subject), region=region)
    assert lead["lead_type"] == "call"
    assert lead["customer"]["phones"][0]["number"] == phone
    assert lead["requested_at"] == when and lead["appointment_at"] is None


def test_call_from_without_a_number_is_no_call() -> None:
    text = "Naam: Jan Smit\nIk verwacht een call from you about the Golf.\n"
    assert parse_message(_mail(text, subject="Vraag"))["lead_type"] == "info_request"


@pytest.mark.parametrize(
    ("text", "lead_type"),
    [
        ("Richiesta prova su strada", "test_drive"),
        ("Prenota un giro di prova", "test_drive"),
        ("Agendar test drive", "test_drive"),
        ("Quero experimentar o carro", "test_drive"),
        ("Solicitud de prueba de conducción", "test_drive"),
        ("Jazda próbna", "test_drive"),
        ("Gemiste oproep over proefrit", "call"),
        ("Chiamata persa", "call"),
        ("Richiesta preventivo", "quote"),
        ("Pedido de orçamento", "quote"),
        ("Usato in permuta", "trade_in"),
    ],
)
def test_lead_type_words_in_more_languages(text: str, lead_type: str) -> None:
    assert lead_type_from_text(text) == lead_type


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Inserat-ID", "external_id"), ("Enquiry ID", "external_id"),
        ("Kilómetros", "vehicle.mileage"), ("Chilometraggio", "vehicle.mileage"),
        ("Przebieg", "vehicle.mileage"), ("Quilómetros", "vehicle.mileage"),
        ("Bericht van de koper", "comments"), ("Nachricht des Interessenten", "comments"),
        ("Wiadomość", "comments"), ("Mensagem", "comments"), ("Messaggio", "comments"),
        ("Telefonnummer", "customer.phone"), ("Handynummer", "customer.mobile"),
        ("Telefon komórkowy", "customer.mobile"), ("Telemóvel", "customer.mobile"),
        ("Cellulare", "customer.mobile"), ("Nom/Prénom", "customer.full_name"),
        ("Apellidos", "customer.last_name"), ("Cognome", "customer.last_name"),
        ("Sobrenome", "customer.last_name"), ("Nazwisko", "customer.last_name"),
        ("Imię", "customer.first_name"), ("Nome", "customer.first_name"),
        ("Kilometerstand", "vehicle.mileage"), ("Bouwjaar", "vehicle.year"),
        ("Erstzulassung", "vehicle.year"), ("Mise en circulation", "vehicle.year"),
        ("Año", "vehicle.year"), ("Anno", "vehicle.year"), ("Rok produkcji", "vehicle.year"),
        ("Preis", "vehicle.price"), ("Prijs", "vehicle.price"), ("Prix", "vehicle.price"),
        ("Precio", "vehicle.price"), ("Prezzo", "vehicle.price"), ("Preço", "vehicle.price"),
        ("Cena", "vehicle.price"), ("Kenteken", "vehicle.registration"),
        ("Kennzeichen", "vehicle.registration"), ("Immatriculation", "vehicle.registration"),
        ("Matrícula", "vehicle.registration"), ("Targa", "vehicle.registration"),
        ("Numer rejestracyjny", "vehicle.registration"), ("Ogłoszenie", "vehicle.description"),
        ("Numer ogłoszenia", "external_id"), ("[your-name]", "customer.full_name"),
        ("Message Body", "comments"), ("Call time", "requested_at"),
    ],
)  # fmt: skip
def test_labels_of_eight_languages(label: str, key: str) -> None:
    assert lookup(label) == key


def test_a_sentence_naming_the_sender_names_no_customer() -> None:
    raw = _mail("E-mail: p@example.nl\n", subject="New message from Northgate Cars",
                sender="Northgate Cars <noreply@northgate.example>")  # fmt: skip
    assert parse_message(raw)["customer"]["full_name"] is None


@pytest.mark.parametrize(
    "body",
    [
        "Naam\n" * 50_000,
        "Inruilauto\nMerk: Opel\n" * 25_000,
        "**" * 200_000,
        "Jan " * 100_000 + "heeft interesse in uw auto",
        "Nieuwe aanvraag van " * 30_000,
        "Missed call from " + "1 " * 100_000,
        "Welke auto?\nGolf\n" * 30_000,
    ],
    ids=["bare-labels", "headings", "stars", "name-words", "requests", "call-digits", "questions"],
)
def test_pathological_layouts_finish_in_linear_time(body: str) -> None:
    started = time.monotonic()
    with contextlib.suppress(ParseError):
        parse_message(_mail(body))
    assert time.monotonic() - started < 5


def test_deeply_nested_table_rows_finish_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(ParseError):
        parse_message(_mail(html="<table>" + "<tr><td>" * 30_000))
    assert time.monotonic() - started < 5


def test_a_yes_to_the_trade_in_question_opens_the_trade_in_fields() -> None:
    text = (
        "Naam: Jan Vos\nModel: Kia Niro\nHeeft u een inruilauto?: Ja\nMerk: Opel\nModel: Astra\n"
        "Kilometerstand: 120.000\nE-mail: jan@example.nl\n"
    )
    lead = parse_message(_mail(text))
    assert lead["vehicle"]["model"] == "Niro" and lead["vehicle"]["mileage_km"] is None
    assert (lead["trade_in"]["make"], lead["trade_in"]["mileage_km"]) == ("Opel", 120000)


def test_a_call_notifications_date_line_dates_the_call_and_nothing_else() -> None:
    body = "Anrufer: Max Becker\nRufnummer: 0171 2345678\nDatum: 05.11.2026\nUhrzeit: 09:15\n"
    call = parse_message(_mail(body, subject="Verpasster Anruf"), region="DE")
    assert call["requested_at"] == "2026-11-05T09:15:00+01:00"
    form = parse_message(_mail("Naam: Jan Vos\nDatum: 05.11.2026\n"))
    assert form["requested_at"] == "2026-10-16T20:03:44+02:00" and form["extra"] == {}
