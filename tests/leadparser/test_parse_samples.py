"""Every shared sample lead parses to its expected/<stem>.json, per the rules in shared/README.md."""

from __future__ import annotations

import json
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from leadparser import ParseError, parse_message
from leadparser.cli import main_parse_file
from tests.shared import LEAD_SCHEMA, SAMPLES

EXPECTED = SAMPLES / "expected"
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*") if p.is_file()) if SAMPLES.is_dir() else []
LEAD_FILES = [
    p
    for p in SAMPLE_FILES
    if (EXPECTED / f"{p.stem}.json").is_file()
    and not json.loads((EXPECTED / f"{p.stem}.json").read_text("utf-8")).get("expect_error")
]

try:
    import jsonschema
except ImportError:  # pragma: no cover - jsonschema is in requirements; keep the rest running
    jsonschema = None


def assert_valid(lead: dict) -> None:
    """lead.schema.json, plus the date-time format jsonschema only checks with extra packages."""
    if jsonschema is not None:
        schema = json.loads(LEAD_SCHEMA.read_text("utf-8"))
        jsonschema.Draft202012Validator(schema).validate(lead)
    for key in ("requested_at", "appointment_at"):
        if lead.get(key) is not None:
            assert datetime.fromisoformat(lead[key]).tzinfo is not None, key


def _expected(sample: Path) -> dict:
    return json.loads((EXPECTED / f"{sample.stem}.json").read_text("utf-8"))


def _fold(text: str | None) -> str | None:
    return " ".join(text.casefold().split()) if text is not None else None


def _email_key(email: str | None) -> tuple[str, str] | None:
    if email is None:
        return None
    local, _, domain = email.rpartition("@")
    return local, domain.lower()


def _compare_vehicle(actual: dict | None, expected: dict | None, where: str) -> None:
    if expected is None:
        assert actual is None, f"{where}: expected no vehicle, got {actual}"
        return
    assert actual is not None, f"{where}: vehicle missing"
    for key in ("year", "make", "vin", "mileage_km", "registration"):
        assert actual.get(key) == expected.get(key), f"{where}.{key}"
    if expected.get("model"):
        joined = " ".join(p for p in (actual.get("model"), actual.get("trim")) if p)
        assert joined.startswith(expected["model"]), f"{where}.model: {joined!r}"
    exp_price, act_price = expected.get("price"), actual.get("price")
    assert (exp_price is None) == (act_price is None), f"{where}.price"
    if exp_price:
        assert Decimal(act_price["amount"]) == Decimal(exp_price["amount"]), f"{where}.price"


def compare(actual: dict, expected: dict) -> None:
    """The fields shared/README.md says are compared exactly, in the way it says."""
    for key in ("format", "external_id", "lead_type"):
        assert actual[key] == expected[key], key
    assert _fold(actual["source"]) == _fold(expected["source"]), "source"
    act_c, exp_c = actual["customer"], expected["customer"]
    assert _fold(act_c["full_name"]) == _fold(exp_c["full_name"]), "full_name"
    assert _email_key(act_c["email"]) == _email_key(exp_c["email"]), "email"
    assert {p["number"] for p in act_c["phones"]} == {p["number"] for p in exp_c["phones"]}
    _compare_vehicle(actual["vehicle"], expected["vehicle"], "vehicle")
    _compare_vehicle(actual["trade_in"], expected["trade_in"], "trade_in")


def test_samples_are_there() -> None:
    assert SAMPLE_FILES, f"no samples under {SAMPLES}"
    for sample in SAMPLE_FILES:
        assert (EXPECTED / f"{sample.stem}.json").is_file(), f"no expected output for {sample}"


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample(sample: Path) -> None:
    expected = _expected(sample)
    raw = sample.read_bytes()
    if expected.get("expect_error"):
        started = time.monotonic()
        with pytest.raises(ParseError) as excinfo:
            parse_message(raw)
        assert time.monotonic() - started < 5
        assert str(excinfo.value).strip() and "\n" not in str(excinfo.value)
        return
    lead = parse_message(raw)
    assert_valid(lead)
    compare(lead, expected)


@pytest.mark.parametrize("sample", LEAD_FILES, ids=[p.name for p in LEAD_FILES])
def test_sample_details(sample: Path) -> None:
    """Beyond the contract's minimum: the dates, name parts and kinds we do get right today."""
    expected = _expected(sample)
    lead = parse_message(sample.read_bytes())
    for key in ("requested_at", "appointment_at"):
        assert lead[key] == expected[key], key
    for key in ("first_name", "last_name", "postal_code", "country", "preferred_contact"):
        assert lead["customer"][key] == expected["customer"][key], key
    assert lead["customer"]["phones"] == expected["customer"]["phones"]
    for which in ("vehicle", "trade_in"):
        if expected[which]:
            for key in ("condition", "price", "stock_number"):
                assert lead[which][key] == expected[which][key], f"{which}.{key}"
    assert (lead["comments"] is None) == (expected["comments"] is None)


def test_compare_catches_a_broken_parser() -> None:
    """The comparison itself must fail on a wrong value, or the sample tests prove nothing."""
    sample = SAMPLES / "adf-basic.xml"
    if not sample.is_file():
        pytest.skip("adf-basic sample missing")
    lead = parse_message(sample.read_bytes())
    lead["vehicle"]["mileage_km"] += 1
    with pytest.raises(AssertionError):
        compare(lead, _expected(sample))


# -- the command-line window -------------------------------------------------------------------
def test_cli_prints_the_lead_as_json() -> None:
    code, out, err = main_parse_file(str(SAMPLES / "text-portal-fr.eml"), "NL")
    assert (code, err) == (0, "")
    lead = json.loads(out)
    assert lead["customer"]["full_name"] == "Hélène Lefèvre"
    assert "Hélène" in out  # ensure_ascii=False: people read this


def test_cli_hostile_file_exits_1_with_one_line() -> None:
    code, out, err = main_parse_file(str(SAMPLES / "bad-xxe.xml"), "NL")
    assert code == 1 and out == ""
    assert err.startswith("parse_lead: bad-xxe.xml: ")
    assert "entit" in err.lower() and "(line 2)" in err
    assert "\n" not in err and "Traceback" not in err


def test_cli_malformed_file_names_the_line() -> None:
    code, _, err = main_parse_file(str(SAMPLES / "bad-unclosed.xml"), "NL")
    assert code == 1
    assert "malformed XML" in err and "(line " in err


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    code, out, err = main_parse_file(str(tmp_path / "nope.eml"), "NL")
    assert (code, out) == (2, "")
    assert "no such file" in err


def test_module_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from leadparser.__main__ import main

    assert main([str(SAMPLES / "json-api.json"), "--region", "nl"]) == 0
    assert json.loads(capsys.readouterr().out)["external_id"] == "WEB-10001"
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
