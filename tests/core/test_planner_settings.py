"""The dashboard's heavy reads run with planner settings of their own, for their transaction only
(core.db.planner_settings), and the rest of the connection keeps its defaults."""

from __future__ import annotations

import pytest
from django.db import connection

from core.db import planner_settings

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_the_settings_hold_inside_the_transaction_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    before = (_show("work_mem"), _show("enable_hashjoin"))
    with planner_settings(work_mem="32MB", enable_hashjoin="off"):
        assert (_show("work_mem"), _show("enable_hashjoin")) == ("32MB", "off")
    assert (_show("work_mem"), _show("enable_hashjoin")) == before
