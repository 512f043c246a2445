"""The make/model catalogue: makes in their makers' spelling, the vehicle read from a headline."""

from __future__ import annotations

import pytest

from leadparser import makes
from leadparser.makes import canonical_make, split_vehicle, vehicle_in_text


@pytest.mark.parametrize(
    ("written", "maker_spelling"),
    [
        ("Seat", "SEAT"), ("SEAT", "SEAT"), ("skoda", "ŠKODA"), ("Škoda", "ŠKODA"),
        ("Mini", "MINI"), ("ds", "DS"), ("Cupra", "CUPRA"), ("mercedes", "Mercedes-Benz"),
        ("Mercedes Benz", "Mercedes-Benz"), ("bmw", "BMW"), ("VW", "Volkswagen"),
        ("Lynk&Co", "Lynk & Co"), ("lynk & co", "Lynk & Co"), ("mg", "MG"), ("alfa", "Alfa Romeo"),
        ("Land-Rover", "Land Rover"), ("Range Rover", "Land Rover"), ("citroen", "Citroën"),
        ("Unknown Motors", "Unknown Motors"),
    ],
)  # fmt: skip
def test_makes_keep_their_makers_spelling(written: str, maker_spelling: str) -> None:
    assert canonical_make(written) == maker_spelling


@pytest.mark.parametrize(
    ("text", "make", "model", "trim", "year"),
    [
        ("Anfrage zu Ihrem Inserat: VW Golf 1.5 TSI Life, 2021", "Volkswagen", "Golf", "1.5 TSI Life", 2021),
        ("Reactie op uw advertentie: Skoda Octavia Combi 1.5 TSI (2020)", "ŠKODA", "Octavia Combi", "1.5 TSI", 2020),
        ("Nouvelle demande : Peugeot 2008 1.2 PureTech Allure", "Peugeot", "2008", "1.2 PureTech Allure", None),
        ("New enquiry for your 2021 MINI Cooper S 3-door", "MINI", "Cooper S", "3-door", 2021),
        ("Range Rover Evoque D180 HSE 2019", "Land Rover", "Range Rover Evoque", "D180 HSE", 2019),
        ("Seat Leon 1.5 TSI FR - 18.990 €", "SEAT", "León", "1.5 TSI FR", None),
        ("Lynk & Co 01 PHEV", "Lynk & Co", "01", "PHEV", None),
        ("DS 7 Crossback E-Tense", "DS", "7 Crossback", "E-Tense", None),
        ("Cupra Formentor VZ 1.4 e-HYBRID", "CUPRA", "Formentor", "VZ 1.4 e-HYBRID", None),
        ("BMW 320d Touring M Sport 2020 54.000 km", "BMW", "320d", "Touring M Sport", 2020),
        ("Un acheteur est intéressé par votre Citroen C5 Aircross", "Citroën", "C5 Aircross", None, None),
    ],
)  # fmt: skip
def test_a_vehicle_is_read_from_a_headline(text, make, model, trim, year) -> None:
    assert vehicle_in_text(text) == {"make": make, "model": model, "trim": trim, "year": year}


@pytest.mark.parametrize(
    "text", ["je cherche une mini voiture", "a smart choice", "Nieuwe aanvraag", "", None]
)
def test_words_that_are_also_makes_do_not_make_a_vehicle(text) -> None:
    assert vehicle_in_text(text) is None


def test_a_catalogued_model_of_several_words_stays_whole() -> None:
    assert split_vehicle("Toyota Yaris Cross 1.5 Hybrid") == {
        "make": "Toyota", "model": "Yaris Cross", "trim": "1.5 Hybrid",
    }  # fmt: skip


def test_lookups_are_one_dict_access_per_token() -> None:
    """The catalogue is indexed by folded key: no scan over makes or models per token."""
    assert all(isinstance(v, str) for v in makes._MAKE_INDEX.values())
    golf = makes._MODEL_INDEX["Volkswagen"]["golf"]
    assert [model for _words, model in golf][-1] == "Golf"  # longest first: "Golf Variant" …
    assert makes.catalogue_model("Volkswagen", "Golf Variant 1.5 eTSI") == (
        "Golf Variant",
        "1.5 eTSI",
    )
