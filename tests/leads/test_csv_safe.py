"""CSV exports open safely in Excel: a customer's "=HYPERLINK(…)" stays text, UTF-8 names stay
whole (a byte-order mark), and every time is in the dealership's own zone."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core import csvsafe
from tests.factories import DealershipFactory, LeadFactory, manager

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("dangerous", ["=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_starts_like_a_formula_is_text(dangerous):
    assert csvsafe.cell(dangerous) == "'" + dangerous
    assert csvsafe.cell(-2) == -2 and csvsafe.cell("Škoda") == "Škoda"


def test_the_lead_export_is_safe_and_in_the_dealerships_time(client):
    lyon = DealershipFactory(time_zone="Europe/Paris", country="FR")
    LeadFactory(
        dealership=lyon,
        customer__full_name='=HYPERLINK("http://evil.example","Cliquez")',
        customer__email="zoë@example.fr",
        received_at=datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("UTC")),
    )
    client.force_login(manager(lyon))
    response = client.get(reverse("leads:list"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(csvsafe.BOM)
    rows = list(csv.DictReader(io.StringIO(body.removeprefix(csvsafe.BOM))))
    assert rows[0]["customer"].startswith("'=HYPERLINK")
    assert rows[0]["e-mail"] == "zoë@example.fr"
    assert rows[0]["received"] == "2026-07-01T12:00:00+02:00"  # Lyon's summer time
