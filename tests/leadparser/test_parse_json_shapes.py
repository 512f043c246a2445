"""Lead-ad and form-tool JSON (Facebook, Google Ads, HubSpot, Typeform, nested forms) and the
dealership's own mapping of keys the parser does not know."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from leadparser import NoLeadFound, parse_message
from leadparser.json_lead import unknown_fields


def _parse(obj: object, **kwargs) -> dict:
    return parse_message(json.dumps(obj).encode(), **kwargs)


FACEBOOK = {
    "id": "111",
    "created_time": "2026-11-03T18:42:07+0000",
    "ad_id": "222",
    "form_id": "333",
    "field_data": [
        {"name": "full_name", "values": ["Joost van Leeuwen"]},
        {"name": "phone_number", "values": ["+31612345678"]},
        {"name": "lievelingskleur", "values": ["blauw", "rood"]},
    ],
}
GOOGLE = {
    "lead_id": "L-1",
    "google_key": "the-secret",
    "is_test": True,
    "user_column_data": [
        {"column_name": "User Email", "string_value": "ann@example.nl", "column_id": "EMAIL"},
        {"column_name": "Hoe heet je?", "string_value": "Ann", "column_id": "CUSTOM_1"},
    ],
}


def test_facebook_lead_reads_fields_and_keeps_ad_ids_apart_from_the_lead_id() -> None:
    lead = _parse(FACEBOOK)
    assert lead["customer"]["full_name"] == "Joost van Leeuwen"
    assert lead["customer"]["phones"] == [{"number": "+31612345678", "kind": "mobile"}]
    assert lead["external_id"] == "111" and lead["source"] == "Facebook Lead Ads"
    assert lead["requested_at"] == "2026-11-03T18:42:07+00:00"
    assert lead["extra"]["ad_id"] == "222" and lead["extra"]["form_id"] == "333"
    assert lead["extra"]["lievelingskleur"] == "blauw, rood"


def test_google_key_never_reaches_the_lead() -> None:
    lead = _parse(GOOGLE)
    assert "the-secret" not in json.dumps(lead)
    assert lead["extra"]["test_lead"] == "yes"
    assert lead["customer"]["email"] == "ann@example.nl"


def test_the_dealerships_mapping_wins_over_the_dictionary_and_the_shape() -> None:
    lead = _parse(GOOGLE, extra_labels={"CUSTOM_1": "customer.first_name"})
    assert lead["customer"]["first_name"] == "Ann"
    # A generic form's "telefoon" is a landline to the dictionary; this source sends mobiles.
    lead = _parse(
        {"naam": "Bo", "telefoon": "0612345678"}, extra_labels={"telefoon": "vehicle.vin"}
    )
    assert lead["customer"]["phones"] == [] and lead["extra"] == {}


def test_mapping_by_question_title_or_by_ref() -> None:
    answers = {
        "form_response": {
            "definition": {"fields": [{"id": "a", "title": "Wie mogen we bellen?"}]},
            "answers": [
                {"type": "text", "text": "Kees", "field": {"id": "a", "ref": "r-1"}},
                {"type": "phone_number", "phone_number": "0687878787", "field": {"id": "b", "ref": "r-2"}},
            ],
        }
    }  # fmt: skip
    by_title = _parse(answers, extra_labels={"Wie mogen we bellen?": "customer.full_name"})
    by_ref = _parse(answers, extra_labels={"r-1": "customer.full_name"})
    assert by_title["customer"]["full_name"] == by_ref["customer"]["full_name"] == "Kees"
    assert by_ref["customer"]["phones"][0]["number"] == "+31687878787"


def test_hubspot_v3_property_events_and_a_bare_creation_event() -> None:
    events = [
        {"subscriptionType": "contact.propertyChange", "objectId": 7, "propertyName": "email",
         "propertyValue": "piet@example.nl"},
        {"subscriptionType": "contact.propertyChange", "objectId": 7, "propertyName": "firstname",
         "propertyValue": "Piet"},
    ]  # fmt: skip
    lead = _parse(events)
    assert (lead["customer"]["first_name"], lead["customer"]["email"]) == (
        "Piet",
        "piet@example.nl",
    )
    assert lead["source"] == "HubSpot" and lead["external_id"] == "7"
    with pytest.raises(NoLeadFound, match="HubSpot webhook event"):
        _parse([{"subscriptionType": "contact.creation", "objectId": 7}])


def test_facebook_webhook_notification_says_the_lead_must_be_fetched() -> None:
    notification = {"object": "page", "entry": [{"changes": [{"field": "leadgen",
                    "value": {"leadgen_id": "444", "form_id": "333"}}]}]}  # fmt: skip
    with pytest.raises(NoLeadFound, match="Graph API"):
        _parse(notification)


def test_unknown_fields_lists_what_an_admin_can_map() -> None:
    raw = json.dumps(GOOGLE | {"user_column_data": GOOGLE["user_column_data"][:1] + [
        {"column_name": "Bereikbaar op", "string_value": "0687878787", "column_id": "USER_1"}]}).encode()  # fmt: skip
    assert unknown_fields(raw) == [
        {"key": "USER_1", "example": "0687878787", "also": "Bereikbaar op"}
    ]
    assert unknown_fields(raw, extra_labels={"user_1": "customer.phone"}) == []
    flat = json.dumps({"email": "a@example.nl", "ad_id": "9", "wa nr": "0612"}).encode()
    assert unknown_fields(flat) == [{"key": "wa nr", "example": "0612", "also": ""}]
    assert unknown_fields(b"Naam: Jan\nTelefoon: 0612345678\n") == []
    assert unknown_fields(b"{broken") == []


def test_unknown_fields_of_a_json_attachment() -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "make@example.com", "leads@d.example", "lead"
    mail.set_content("zie bijlage")
    mail.add_attachment(json.dumps(FACEBOOK).encode(), maintype="application", subtype="json",
                        filename="lead.json")  # fmt: skip
    assert unknown_fields(bytes(mail)) == [
        {"key": "lievelingskleur", "example": "blauw, rood", "also": ""}
    ]


def test_our_own_shape_still_reads_as_before() -> None:
    lead = _parse({"customer": {"full_name": "Ann Smit", "email": "ann@example.nl"},
                   "id": "X-1", "ad_id": "from-the-form"})  # fmt: skip
    assert lead["external_id"] == "X-1" and lead["source"] is None


def test_a_question_about_the_car_needs_whole_words() -> None:
    lead = _parse(FACEBOOK | {"field_data": FACEBOOK["field_data"] + [
        {"name": "wanneer_wilt_u_de_auto_ophalen?", "values": ["zaterdag"]},
        {"name": "welk_model_interesseert_u?", "values": ["Niro EV"]},
        {"name": "welke_auto_wilt_u_inruilen?", "values": ["Opel Corsa 2015"]}]})  # fmt: skip
    assert lead["vehicle"]["model"] == "Niro EV"
    assert lead["extra"]["wanneer_wilt_u_de_auto_ophalen?"] == "zaterdag"
    assert (lead["trade_in"]["make"], lead["trade_in"]["year"]) == ("Opel", 2015)


def test_deeply_nested_values_are_no_form_values() -> None:
    deep: list = ["x"]
    for _ in range(500):
        deep = [deep]
    lead = _parse(
        FACEBOOK | {"field_data": FACEBOOK["field_data"] + [{"name": "n", "values": deep}]}
    )
    assert "n" not in lead["extra"]
