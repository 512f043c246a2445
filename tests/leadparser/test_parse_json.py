"""JSON leads: the normalized shape itself and the looser shapes forms and APIs post."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from leadparser import MalformedInput, NoLeadFound, parse_message


def _parse(obj: object, **kwargs) -> dict:
    return parse_message(json.dumps(obj).encode(), **kwargs)


def test_normalized_shape_round_trips() -> None:
    lead = _parse({"customer": {"full_name": "Ann Smit", "email": "ann@example.nl"}})
    again = parse_message(json.dumps(lead).encode())
    assert again == lead
    assert again["format"] == "json" and again["customer"]["full_name"] == "Ann Smit"


def test_flat_keys_with_phone_as_string() -> None:
    lead = _parse(
        {
            "first_name": "Bram",
            "last_name": "Hendriks",
            "email": " bram@Example.NL ",
            "phone": "06-45454545",
            "make": "ligier",
            "model": "JS50",
            "year": "2026",
            "message": "Graag   een\n offerte",
            "type": "offerte",
            "utm_campaign": "najaar",
        }
    )
    customer = lead["customer"]
    assert customer["full_name"] == "Bram Hendriks"
    assert customer["email"] == "bram@example.nl"
    assert customer["phones"] == [{"number": "+31645454545", "kind": "mobile"}]
    assert (lead["vehicle"]["make"], lead["vehicle"]["model"]) == ("Ligier", "JS50")
    assert lead["vehicle"]["year"] == 2026
    assert lead["comments"] == "Graag een offerte" and lead["lead_type"] == "quote"
    assert lead["extra"] == {"utm_campaign": "najaar"}


def test_phone_list_camel_case_and_name() -> None:
    lead = _parse(
        {
            "fullName": "Sara de Jong",
            "phone": ["0313 472210", {"number": "+32 470 12 34 56", "kind": "mobile"}, "n/a"],
            "emailAddress": "sara@example.be",
        }
    )
    customer = lead["customer"]
    assert customer["full_name"] == "Sara de Jong"
    assert customer["email"] == "sara@example.be"
    assert {p["number"] for p in customer["phones"]} == {"+31313472210", "+32470123456"}
    assert lead["extra"]["phone"] == "n/a"


def test_vehicle_as_a_string_and_wrapped_lead() -> None:
    lead = _parse({"lead": {"name": "Tom", "email": "tom@example.nl",
                            "vehicle": "Peugeot 308 1.2 PureTech 130 Allure"}})  # fmt: skip
    vehicle = lead["vehicle"]
    assert (vehicle["make"], vehicle["model"], vehicle["trim"]) == (
        "Peugeot",
        "308",
        "1.2 PureTech 130 Allure",
    )


def test_list_of_leads_reads_the_first_with_a_note() -> None:
    lead = _parse([{"name": "Een", "email": "een@example.nl"}, {"name": "Twee"}])
    assert lead["customer"]["full_name"] == "Een"
    assert "2 items" in lead["extra"]["leads_in_document"]


def test_nested_tolerant_vehicle_and_trade_in() -> None:
    lead = _parse(
        {
            "contact": {"firstName": "Lisa", "lastName": "Kok", "mobile": "0612345678",
                        "address": {"street": "Dorpsstraat 1", "zip": "1234 AB", "city": "Ede"}},
            "car": {"brand": "Aixam", "model": "Coupé", "price": 15999.0, "mileage": "3.500 km",
                    "condition": "occasion", "licensePlate": "x-123-yz", "color": "rood"},
            "tradeIn": {"make": "Microcar", "model": "M.Go", "odometer": "20000 miles"},
            "id": 991,
            "createdAt": "2026-10-19T12:00:00Z",
        }
    )  # fmt: skip
    customer, vehicle, trade_in = lead["customer"], lead["vehicle"], lead["trade_in"]
    assert customer["full_name"] == "Lisa Kok" and customer["city"] == "Ede"
    assert customer["street"] == "Dorpsstraat 1" and customer["postal_code"] == "1234 AB"
    assert vehicle["price"] == {"amount": "15999", "currency": "EUR"}
    assert vehicle["mileage_km"] == 3500 and vehicle["condition"] == "used"
    assert vehicle["registration"] == "X123YZ"
    assert trade_in["mileage_km"] == 32187
    assert lead["external_id"] == "991"
    assert lead["requested_at"] == "2026-10-19T12:00:00+00:00"
    assert lead["extra"]["vehicle_color"] == "rood"


def test_json_in_an_email_body_and_as_an_attachment() -> None:
    payload = json.dumps({"name": "Mo", "email": "mo@example.nl"})
    msg = EmailMessage()
    msg["From"] = "API <api@site.example>"
    msg["Subject"] = "lead"
    msg.set_content(payload)
    assert parse_message(msg.as_bytes())["format"] == "json"
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "api@site.example", "lead"
    msg.set_content("see file")
    msg.add_attachment(
        payload.encode(), maintype="application", subtype="json", filename="lead.json"
    )
    lead = parse_message(msg.as_bytes())
    assert lead["format"] == "json" and lead["source"] == "site.example"


def test_json_without_contact_is_no_lead() -> None:
    with pytest.raises(NoLeadFound):
        _parse({"make": "Fiat", "model": "500"})


def test_malformed_json_names_its_line() -> None:
    with pytest.raises(MalformedInput) as excinfo:
        parse_message(b'{\n "name": "A",\n "email": \n}')
    assert excinfo.value.line == 4


def test_json_numbers_and_booleans_do_not_break_the_schema() -> None:
    lead = _parse({"name": "A", "phone": 31612345678, "newsletter": True, "year": 2020.0})
    assert lead["customer"]["phones"] == [{"number": "+31612345678", "kind": "mobile"}]
    assert lead["vehicle"]["year"] == 2020
    assert "newsletter" not in lead["extra"]
