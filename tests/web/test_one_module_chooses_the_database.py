"""PostgreSQL-only statements are chosen in one module (core/db.py), not as twins in the apps:
no app asks `connection.vendor` itself or writes a table name into raw SQL."""

from __future__ import annotations

import re

from tests.firstrun import ROOT

APPS_CODE = [
    path
    for path in ROOT.glob("*/**/*.py")
    if path.parts[len(ROOT.parts)] not in {".venv", "tests", "bench", "core", "scripts", "var"}
    and "migrations" not in path.parts
]


def test_only_core_db_asks_which_database_this_is():
    assert APPS_CODE
    offenders = [
        str(path.relative_to(ROOT))
        for path in APPS_CODE
        if re.search(r"\.vendor\b|SKIP LOCKED", path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_claim_is_core_dbs():
    from automation import dispatcher

    assert "claim_due" in (ROOT / "automation" / "dispatcher.py").read_text("utf-8")
    assert not re.search(
        r"automation_scheduledaction", (ROOT / "automation" / "dispatcher.py").read_text()
    )
    assert callable(dispatcher.claim)
