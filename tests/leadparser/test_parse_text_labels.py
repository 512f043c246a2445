"""Label/value e-mails (text and HTML) in Dutch, French, German, Spanish and English."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadparser import CANONICAL_FIELDS, NoLeadFound, parse_message
from leadparser.label_dictionary import LABELS
from leadparser.makes import split_vehicle
from leadparser.normalize import parse_decimal, parse_price
from tests.leadparser.mails import lead_mail


def _mail(subject: str, text: str | None = None, html: str | None = None, *,
          sender: str = "Portal <leads@portal.example>",
          date: str = "Fri, 16 Oct 2026 20:03:44 +0200",
          charset: str = "utf-8") -> bytes:  # fmt: skip
    return lead_mail(text, html, subject=subject, sender=sender, date=date, charset=charset)


GERMAN = """Sehr geehrte Damen und Herren,

Sie haben eine neue Anfrage zu Ihrem Angebot erhalten.

Fahrzeug: VW Golf 1.5 TSI Life
Inseratsnummer: 384756123
Preis: 21.950,00 EUR
Kilometerstand: 45.000 km
Erstzulassung: 03/2019

Anrede: Herr
Vorname: Lukas
Nachname: Schäfer
E-Mail: Lukas.Schaefer@GMX.DE
Telefon: 0171 1234567
PLZ: 10115
Ort: Berlin
Wunschtermin: 22.10.2026 14:30 Uhr

Nachricht:
Ist das Fahrzeug noch verfügbar?
Eine Probefahrt am Donnerstag wäre toll.

Mit freundlichen Grüßen
mobile.de
"""


def test_german_text_mail() -> None:
    lead = parse_message(_mail("Anfrage zu Ihrem Angebot: VW Golf", GERMAN), region="DE")
    customer, vehicle = lead["customer"], lead["vehicle"]
    assert lead["format"] == "text" and lead["source"] == "Portal"
    assert lead["external_id"] == "384756123"
    # "Ihr Angebot" is the listing, not a quote; no type label: the appointment decides.
    assert lead["lead_type"] == "appointment"
    assert lead["appointment_at"] == "2026-10-22T14:30:00+02:00"
    assert customer["full_name"] == "Lukas Schäfer"
    assert customer["email"] == "Lukas.Schaefer@gmx.de"
    assert customer["phones"] == [{"number": "+491711234567", "kind": "mobile"}]
    assert (customer["postal_code"], customer["city"]) == ("10115", "Berlin")
    assert (vehicle["make"], vehicle["model"], vehicle["trim"]) == (
        "Volkswagen",
        "Golf",
        "1.5 TSI Life",
    )
    assert vehicle["price"] == {"amount": "21950", "currency": "EUR"}
    assert (vehicle["mileage_km"], vehicle["year"], vehicle["condition"]) == (45000, 2019, "used")
    assert (
        lead["comments"]
        == "Ist das Fahrzeug noch verfügbar? Eine Probefahrt am Donnerstag wäre toll."
    )
    assert lead["extra"]["salutation"] == "Herr"


SPANISH_HTML = """<html><body>
<p>Hola, tienes una nueva solicitud desde <b>coches.net</b>.</p>
<table>
<tr><th>Nombre:</th><td>María</td></tr>
<tr><th>Apellidos:</th><td>García López</td></tr>
<tr><th>Correo electrónico:</th><td>maria.garcia@example.es</td></tr>
<tr><th>Teléfono:</th><td>612 345 678</td></tr>
<tr><th>Código postal:</th><td>28001</td></tr>
<tr><th>Ciudad:</th><td>Madrid</td></tr>
<tr><th>Vehículo:</th><td>Seat León 1.5 TSI FR</td></tr>
<tr><th>Precio:</th><td>18.500 €</td></tr>
<tr><th>Kilometraje:</th><td>62.000 km</td></tr>
<tr><th>Tipo de solicitud:</th><td>Prueba de conducción</td></tr>
<tr><th>Fuente:</th><td>coches.net</td></tr>
<tr><th>Mensaje:</th><td>¿Puedo probarlo el sábado?<br>Gracias.</td></tr>
</table></body></html>"""


def test_spanish_html_mail() -> None:
    lead = parse_message(_mail("Nueva solicitud", html=SPANISH_HTML), region="ES")
    customer, vehicle = lead["customer"], lead["vehicle"]
    assert lead["format"] == "html"
    assert lead["source"] == "coches.net" and lead["lead_type"] == "test_drive"
    assert (customer["first_name"], customer["last_name"]) == ("María", "García López")
    assert customer["full_name"] == "María García López"
    assert customer["phones"] == [{"number": "+34612345678", "kind": "mobile"}]
    assert (vehicle["make"], vehicle["model"], vehicle["trim"]) == ("SEAT", "León", "1.5 TSI FR")
    assert vehicle["price"]["amount"] == "18500" and vehicle["mileage_km"] == 62000
    assert lead["comments"] == "¿Puedo probarlo el sábado? Gracias."


ENGLISH_HTML = """<div style="font-family:Arial">
<h3>New enquiry from AutoTrader</h3>
<p><b>Name:</b> John Smith<br>
<b>Email:</b> <a href="mailto:john.smith@example.co.uk">john.smith@example.co.uk</a><br>
<b>Phone:</b> 07911 123456<br>
<b>Vehicle:</b> Ford Focus 1.0 EcoBoost ST-Line<br>
<b>Price:</b> £14,995<br>
<b>Mileage:</b> 30,000 miles<br>
<b>Registration:</b> ab12 cde<br>
<b>Enquiry type:</b> Finance quote</p>
<p><b>Message:</b> Could you do a finance quote over 48 months?</p>
</div>"""


def test_english_html_mail_in_miles_and_pounds() -> None:
    lead = parse_message(
        _mail("New enquiry", html=ENGLISH_HTML, sender="AutoTrader <noreply@autotrader.example>"),
        region="GB",
    )
    vehicle = lead["vehicle"]
    assert lead["format"] == "html" and lead["source"] == "AutoTrader"
    assert lead["lead_type"] == "finance"  # finance wins over quote
    assert lead["customer"]["phones"] == [{"number": "+447911123456", "kind": "mobile"}]
    assert vehicle["price"] == {"amount": "14995", "currency": "GBP"}
    assert vehicle["mileage_km"] == 48280  # 30000 mi
    assert vehicle["registration"] == "AB12CDE"
    assert (vehicle["make"], vehicle["model"]) == ("Ford", "Focus")
    assert lead["comments"] == "Could you do a finance quote over 48 months?"


def test_html_part_preferred_over_the_text_part_and_text_used_alone() -> None:
    text = "Naam: Eva Jansen\nE-mail: eva@example.nl\n"
    html = "<table><tr><td>Naam</td><td>Eva Jansen</td></tr>"
    html += "<tr><td>E-mail</td><td>eva@example.nl</td></tr></table>"
    assert parse_message(_mail("Contact", text, html))["format"] == "html"
    assert parse_message(_mail("Contact", text))["format"] == "text"


def test_extra_labels_make_an_unknown_label_known() -> None:
    text = "Klantnaam: Jan de Wit\nE-mail: jan@example.nl\nKleur: rood\n"
    plain = parse_message(_mail("Contact", text))
    assert plain["customer"]["full_name"] is None
    assert plain["extra"]["Klantnaam"] == "Jan de Wit"
    lead = parse_message(_mail("Contact", text), extra_labels={"KLANTNAAM": "customer.full_name"})
    assert lead["customer"]["full_name"] == "Jan de Wit"
    assert lead["extra"] == {"Kleur": "rood"}


def test_canonical_fields_cover_the_dictionary() -> None:
    assert set(LABELS.values()) <= set(CANONICAL_FIELDS)
    assert "customer.full_name" in CANONICAL_FIELDS and len(set(CANONICAL_FIELDS)) == len(
        CANONICAL_FIELDS
    )


def test_unreadable_phone_stays_in_extra() -> None:
    text = "Naam: Piet Klaassen\nTelefoon: bel me maar via de receptie\nMobiel: 06-1234\n"
    lead = parse_message(_mail("Contact", text))
    assert lead["customer"]["phones"] == []
    assert lead["extra"]["Telefoon"] == "bel me maar via de receptie"
    assert lead["extra"]["Mobiel"] == "06-1234"


def test_european_number_notation() -> None:
    assert parse_decimal("21.950,00") == Decimal("21950.00")
    assert parse_decimal("45.000") == 45000
    assert parse_decimal("18 990 €") == 18990
    assert parse_decimal("1,250.50") == Decimal("1250.50")
    assert parse_decimal("€ 12.500,-") == 12500
    assert parse_decimal("12,5") == Decimal("12.5")
    price = parse_price("21.950,00")
    assert Decimal(price["amount"]) == 21950 and price["currency"] == "EUR"
    assert parse_price("CHF 32'500.–", region="CH") == {"amount": "32500", "currency": "CHF"}
    assert parse_price("24.950,50 €")["amount"] == "24950.50"


@pytest.mark.parametrize(
    ("text", "make", "model", "trim"),
    [
        ("Ligier Myli G.4", "Ligier", "Myli G.4", None),
        ("Peugeot 308 1.2 PureTech 130 Allure", "Peugeot", "308", "1.2 PureTech 130 Allure"),
        ("Ligier JS50 Elegance", "Ligier", "JS50", "Elegance"),
        ("Aixam City", "Aixam", "City", None),
        ("Microcar M.Go", "Microcar", "M.Go", None),
        ("Chatenet CH46", "Chatenet", "CH46", None),
        ("Mercedes Benz A 180 AMG Line", "Mercedes-Benz", "A 180", "AMG Line"),
        ("Land Rover Range Rover Sport HSE", "Land Rover", "Range Rover Sport", "HSE"),
        ("Tesla Model 3 Long Range", "Tesla", "Model 3", "Long Range"),
        ("Alfa Romeo Giulia", "Alfa Romeo", "Giulia", None),
        ("Myli G.4", None, "Myli G.4", None),
    ],
)
def test_free_text_vehicle_split(text: str, make: str | None, model: str, trim: str | None) -> None:
    assert split_vehicle(text) == {"make": make, "model": model, "trim": trim}


@pytest.mark.parametrize(
    ("subject", "type_label", "lead_type"),
    [
        ("Offerte aanvraag", "", "quote"),
        ("Demande d'essai", "", "test_drive"),
        ("Rendez-vous atelier", "", "appointment"),
        ("Finanzierungsanfrage", "", "finance"),
        ("Solicitud de cita", "", "appointment"),
        ("Contact", "Type aanvraag: Inruil", "trade_in"),
        ("Offerte incl. inruil", "", "quote"),
        ("Contact", "Type de demande : Demande de rappel", "call"),
        ("Nouvelle demande", "", "info_request"),
    ],
)
def test_lead_type_from_subject_and_labels(subject: str, type_label: str, lead_type: str) -> None:
    text = f"Naam: Jan Smit\nE-mail: jan@example.nl\n{type_label}\nBericht: proefrit? reprise?\n"
    assert parse_message(_mail(subject, text))["lead_type"] == lead_type


def test_trade_in_text_is_read_into_a_vehicle() -> None:
    text = (
        "Naam: Kees Vos\nE-mail: kees@example.nl\nModel: Ligier JS60\n"
        "Inruil: Renault Clio 2015, 120.000 km, kenteken 12-ABC-3\n"
    )
    lead = parse_message(_mail("Offerte aanvraag", text))
    trade_in = lead["trade_in"]
    assert (trade_in["make"], trade_in["year"], trade_in["mileage_km"]) == ("Renault", 2015, 120000)
    assert trade_in["registration"] == "12ABC3" and trade_in["condition"] == "used"
    assert lead["vehicle"]["model"] == "JS60" and lead["lead_type"] == "quote"


def test_french_latin1_mail_with_euro_sign() -> None:
    head = (
        "From: Le Bon Coin <pro@leboncoin.example>\r\nSubject: Demande\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="ISO-8859-1"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    )
    body = "Nom : Dupont\nPrénom : Émile\nTéléphone : 06 98 76 54 32\nPrix : 9 990 €\n"
    raw = head.encode("ascii") + body.encode("cp1252")  # the € is byte 0x80
    assert b"\x80" in raw
    lead = parse_message(raw, region="FR")
    assert lead["customer"]["full_name"] == "Émile Dupont"
    assert lead["customer"]["phones"][0]["number"] == "+33698765432"
    assert lead["vehicle"]["price"] == {"amount": "9990", "currency": "EUR"}
    assert lead["source"] == "Le Bon Coin"


def test_no_lead_in_a_newsletter() -> None:
    text = "Beste klant,\n\nBekijk onze nieuwste modellen op onze website.\n\nGroeten,\nHet team"
    with pytest.raises(NoLeadFound) as excinfo:
        parse_message(_mail("Nieuwsbrief oktober", text))
    assert str(excinfo.value).startswith("no lead found: ")


def test_a_sender_without_a_display_name_is_named_by_its_domain() -> None:
    lead = parse_message(
        _mail(
            "Proefrit aanvraag",
            "Naam: Fatima el Amrani\nTelefoon: +31 6 48765432\nGewenste datum: 22-10-2026 14:00",
            sender="noreply@dealer-site.example",
        )
    )
    assert lead["source"] == "dealer-site.example"  # no display name: the sender's domain
    assert lead["lead_type"] == "test_drive"
    assert lead["requested_at"] == "2026-10-16T20:03:44+02:00"
    assert lead["appointment_at"] == "2026-10-22T14:00:00+02:00"


def test_customer_writing_directly_is_not_a_source() -> None:
    text = "Naam: Ria Bos\nE-mail: ria@example.nl\n"
    lead = parse_message(_mail("Vraag", text, sender="Ria Bos <ria@example.nl>"))
    assert lead["source"] is None


def test_quoted_forward_and_date_only_appointment() -> None:
    text = "> Naam: Bo Li\n> E-mail: bo@example.nl\n> Gewenste datum: 5 november 2026\n"
    lead = parse_message(_mail("Fwd: afspraak", text))
    assert lead["customer"]["full_name"] == "Bo Li"
    assert lead["appointment_at"] is None  # no invented midnight
    assert lead["extra"]["appointment_date"] == "2026-11-05"
    assert lead["lead_type"] == "appointment"
