"""The corpus of real-world lead messages: each file beside its ``<name>.expect.json``.

``python -m tests.leadparser.corpus`` prints the pass rate per class and overall, and every
message that fails with what differs. The classes are the folders under ``corpus/``.

An expectation file holds:

- ``"lead"``: the fields a careful human reads from the message; only the keys given are
  compared (``null`` means "must be empty"). Names and sources compare case- and space-
  insensitively, e-mail domains case-insensitively, phones as a set of E.164 numbers, a vehicle's
  ``model`` as the start of model and trim joined, prices numerically, ``comments`` as a fragment
  the comments must contain; everything else exactly (a make is spelled as its maker does).
- or ``"not_a_lead"``: a fragment of the reason the parser gives for refusing it (case-insensitive).
- ``"parse"``: keyword arguments for :func:`leadparser.parse_message` (``region``,
  ``own_addresses``, ``extra_labels``, ``mapping``).
- ``"known_failure"``: why this one still fails; the test suite expects it to fail (strict xfail).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from leadparser import NotALead, ParseError, parse_message

CORPUS = Path(__file__).resolve().parent / "corpus"
TARGET = 0.95


@dataclass(frozen=True)
class Case:
    path: Path
    expect: dict

    @property
    def kind(self) -> str:
        return self.path.parent.name

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.path.name}"


def cases() -> list[Case]:
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name.endswith(".expect.json"):
            continue
        expect = path.with_name(f"{path.name.rsplit('.', 1)[0]}.expect.json")
        if expect.is_file():
            found.append(Case(path, json.loads(expect.read_text("utf-8"))))
    return found


def _fold(text: object) -> object:
    return " ".join(text.casefold().split()) if isinstance(text, str) else text


def _email(value: object) -> object:
    if not isinstance(value, str):
        return value
    local, _, domain = value.strip().rpartition("@")
    return local, domain.lower()


def _amount(value: object) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("amount")
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _phones(value: list) -> set[str]:
    return {p["number"] if isinstance(p, dict) else p for p in value or []}


def _vehicle(actual: dict | None, expected: dict | None, where: str) -> list[str]:
    if expected is None:
        return [] if actual is None else [f"{where}: expected none, got {actual}"]
    if actual is None:
        return [f"{where}: missing"]
    diffs = []
    for key, want in expected.items():
        got = actual.get(key)
        if key == "model" and want is not None:
            joined = " ".join(p for p in (actual.get("model"), actual.get("trim")) if p)
            ok = _fold(joined).startswith(_fold(want))
            got = joined
        elif key == "price":
            ok = _amount(got) == _amount(want)
        else:
            ok = got == want
        if not ok:
            diffs.append(f"{where}.{key}: expected {want!r}, got {got!r}")
    return diffs


def compare(lead: dict, expected: dict) -> list[str]:
    """What differs between a parsed lead and the expected fields, one line each."""
    diffs = []
    for key, want in expected.items():
        got = lead.get(key)
        if key in ("vehicle", "trade_in"):
            diffs += _vehicle(got, want, key)
        elif key == "customer":
            for ckey, cwant in want.items():
                cgot = (got or {}).get(ckey)
                if ckey == "phones":
                    ok = _phones(cgot) == _phones(cwant)
                elif ckey == "email":
                    ok = _email(cgot) == _email(cwant)
                elif ckey in ("full_name", "first_name", "last_name", "city", "street"):
                    ok = _fold(cgot) == _fold(cwant)
                else:
                    ok = cgot == cwant
                if not ok:
                    diffs.append(f"customer.{ckey}: expected {cwant!r}, got {cgot!r}")
        elif key == "source":
            if _fold(got) != _fold(want):
                diffs.append(f"source: expected {want!r}, got {got!r}")
        elif key == "comments":
            if want is None and got is not None or want and _fold(want) not in (_fold(got) or ""):
                diffs.append(f"comments: expected to contain {want!r}, got {got!r}")
        elif key == "extra":
            for ekey, ewant in want.items():
                if (got or {}).get(ekey) != ewant:
                    diffs.append(f"extra.{ekey}: expected {ewant!r}, got {(got or {}).get(ekey)!r}")
        elif got != want:
            diffs.append(f"{key}: expected {want!r}, got {got!r}")
    return diffs


def check(case: Case) -> list[str]:
    """Empty when the parser reads the message as expected; else what went wrong."""
    kwargs = dict(case.expect.get("parse") or {})
    try:
        lead = parse_message(case.path.read_bytes(), **kwargs)
    except NotALead as exc:
        want = case.expect.get("not_a_lead")
        if want is None:
            return [f"refused as not a lead: {exc}"]
        if want.casefold() not in str(exc).casefold():
            return [f"not a lead, but for {str(exc)!r} instead of {want!r}"]
        return []
    except ParseError as exc:
        return [f"refused: {exc}"]
    if case.expect.get("not_a_lead") is not None:
        return [f"read as a lead, expected not a lead ({case.expect['not_a_lead']})"]
    return compare(lead, case.expect.get("lead") or {})


def main() -> int:
    all_cases = cases()
    passed: Counter = Counter()
    total: Counter = Counter()
    failures = []
    for case in all_cases:
        total[case.kind] += 1
        diffs = check(case)
        if diffs:
            failures.append((case, diffs))
        else:
            passed[case.kind] += 1
    width = max((len(k) for k in total), default=5)
    for kind in sorted(total):
        print(
            f"{kind:<{width}}  {passed[kind]:>3}/{total[kind]:<3} {passed[kind] / total[kind]:6.1%}"
        )
    n, ok = sum(total.values()), sum(passed.values())
    rate = ok / n if n else 0.0
    print(f"{'all':<{width}}  {ok:>3}/{n:<3} {rate:6.1%}  (target {TARGET:.0%})")
    for case, diffs in failures:
        why = case.expect.get("known_failure")
        print(f"\nFAIL {case.name}" + (f"  (known: {why})" if why else ""))
        for diff in diffs:
            print(f"  {diff}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
