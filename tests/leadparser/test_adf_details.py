"""ADF details real feeds carry: accents in makes, seconds in request dates, compound family
names, and a plain DOCTYPE (refused only when it declares entities or points elsewhere)."""

from __future__ import annotations

import pytest

from leadparser import HostileInput, parse_message


def _adf(*, doctype: str = "", requestdate: str = "2026-12-01T14:32:17+01:00", make: str = "Škoda",
         names: str = '<name part="first">Jan</name><name part="last">van den Heuvel</name>') -> bytes:  # fmt: skip
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<adf><prospect><requestdate>{requestdate}</requestdate>
<vehicle interest="buy"><year>2026</year><make>{make}</make><model>Elroq</model></vehicle>
<customer><contact>{names}<email>jan@example.nl</email></contact></customer>
</prospect></adf>""".encode()


@pytest.mark.parametrize(
    ("sent", "kept"), [("Škoda", "Škoda"), ("ŠKODA", "ŠKODA"), ("SKODA", "SKODA")]
)
def test_a_make_is_kept_as_sent(sent: str, kept: str) -> None:
    assert parse_message(_adf(make=sent))["vehicle"]["make"] == kept


def test_an_alias_still_becomes_the_makers_name() -> None:
    assert parse_message(_adf(make="VW"))["vehicle"]["make"] == "Volkswagen"


@pytest.mark.parametrize(
    ("written", "region", "expected"),
    [
        ("2026-12-01T14:32:17+01:00", "NL", "2026-12-01T14:32:17+01:00"),
        ("2026-12-01 14:32:17", "NL", "2026-12-01T14:32:17+01:00"),
        ("12/01/2026 02:32:17 PM", "GB", "2026-12-01T14:32:17+00:00"),
        ("12/01/2026 14:32:17", "US", "2026-12-01T14:32:17+00:00"),
        ("01-12-2026 14:32:17", "NL", "2026-12-01T14:32:17+01:00"),
        ("01.12.2026 14:32:17", "DE", "2026-12-01T14:32:17+01:00"),
    ],
)
def test_request_dates_keep_their_seconds(written: str, region: str, expected: str) -> None:
    lead = parse_message(_adf(requestdate=written), region=region)
    assert lead["requested_at"] == expected


@pytest.mark.parametrize(
    ("first", "last"), [("Jan", "van den Heuvel"), ("Ana", "de la Fuente"), ("Marie", "Le Goff")]
)
def test_compound_family_names_stay_whole(first: str, last: str) -> None:
    names = f'<name part="first">{first}</name><name part="last">{last}</name>'
    customer = parse_message(_adf(names=names))["customer"]
    assert (customer["first_name"], customer["last_name"]) == (first, last)
    assert customer["full_name"] == f"{first} {last}"


@pytest.mark.parametrize("doctype", ["<!DOCTYPE adf>", "<!doctype adf >", "<!DOCTYPE ADF>"])
def test_a_plain_doctype_is_read(doctype: str) -> None:
    assert parse_message(_adf(doctype=doctype))["customer"]["email"] == "jan@example.nl"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE adf [<!ENTITY x "y">]>',
        '<!DOCTYPE adf SYSTEM "http://attacker.example/adf.dtd">',
        '<!DOCTYPE adf PUBLIC "-//x//EN" "adf.dtd">',
        "<!DOCTYPE adf [<!ELEMENT adf ANY>]>",
    ],
)
def test_a_doctype_with_declarations_or_an_outside_reference_is_refused(doctype: str) -> None:
    with pytest.raises(HostileInput):
        parse_message(_adf(doctype=doctype))
