"""`manage.py parse_lead` on every shared sample, as a person runs it (a real subprocess)."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.inbound_payloads import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file())


def parse_lead(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "parse_lead", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=90,  # a guard only: the machine may be busy; a normal run takes ~2 s
    )


def region_of(path: Path) -> str:
    return "FR" if path.stem.endswith("-fr") else "NL"


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    """Every sample through the command, the processes side by side (each starts Django)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = pool.map(lambda p: parse_lead(str(p), "--region", region_of(p)), SAMPLE_FILES)
        return {p.name: r for p, r in zip(SAMPLE_FILES, results, strict=True)}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_each_sample_prints_its_lead_or_one_clear_error(runs, path):
    expected = json.loads((SAMPLES / "expected" / f"{path.stem}.json").read_text())

    result = runs[path.name]

    if expected.get("expect_error"):
        assert result.returncode != 0 and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr and path.name in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        lead = json.loads(result.stdout)
        assert lead["format"] == expected["format"]
        assert lead["customer"]["full_name"] == expected["customer"]["full_name"]


def test_a_missing_file_is_one_line_and_not_a_traceback(tmp_path):
    result = parse_lead(str(tmp_path / "nope.eml"))

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"parse_lead: {tmp_path / 'nope.eml'}: no such file"
    ]


def test_the_region_defaults_to_the_setting(tmp_path):
    lead = tmp_path / "lead.json"
    lead.write_text('{"customer": {"full_name": "Ann", "phones": [{"number": "0611223344"}]}}')

    nl = parse_lead(str(lead))
    fr = parse_lead(str(lead), "--region", "FR")

    assert json.loads(nl.stdout)["customer"]["phones"][0]["number"] == "+31611223344"
    assert json.loads(fr.stdout)["customer"]["phones"][0]["number"] == "+33611223344"
