"""CSV exports: UTF-8 with a BOM, headers in the reader's language, times in the dealership's
time zone, and every export in an audit log that the dealership's managers read in the browser."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core import csvsafe
from leads.models import ExportRecord
from tests.factories import DealershipFactory, LeadFactory, manager, salesperson


@pytest.fixture
def lyon(db):
    return DealershipFactory(time_zone="Europe/Paris", country="FR", language="fr")


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(csvsafe.BOM)
    return list(csv.DictReader(io.StringIO(body.removeprefix(csvsafe.BOM))))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "number", "received"),
    [("en", "number", "received"), ("nl", "nummer", "ontvangen"), ("fr", "numéro", "reçu")],
)
def test_the_lead_export_speaks_the_readers_language(client, lyon, language, number, received):
    LeadFactory(dealership=lyon, received_at=datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("UTC")))
    client.force_login(manager(lyon, language=language))
    rows = _csv(client.get(reverse("leads:list"), {"format": "csv"}))
    assert rows[0][received] == "2026-01-05T10:00:00+01:00"  # Lyon's winter time
    assert rows[0][number]


@pytest.mark.django_db
def test_every_export_is_logged_and_managers_read_the_log(client, lyon):
    boss, seller = manager(lyon), salesperson(lyon)
    other_boss = manager(DealershipFactory())
    for _n in range(3):
        LeadFactory(dealership=lyon, lead_type="trade_in")
    LeadFactory(dealership=lyon, lead_type="quote")
    client.force_login(boss)
    _csv(client.get(reverse("leads:list"), {"format": "csv", "lead_type": "trade_in"}))
    dashboard = client.get(reverse("dashboards:dashboard"), {"format": "csv", "table": "source"})
    assert dashboard.status_code == 200
    assert dashboard.content.startswith(csvsafe.BOM.encode())

    first, second = ExportRecord.objects.order_by("at", "id")
    assert (first.user, first.export, first.rows) == (boss, "leads", 3)
    assert first.query == "lead_type=trade_in"
    assert second.export == "dashboard:source" and "table=source" in second.query
    assert list(first.dealerships.all()) == [lyon]

    page = client.get(reverse("leads:export_log"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "lead_type=trade_in" in html and "3 rows" in html
    # A salesperson may not read the log; another dealership's manager sees none of it.
    client.force_login(seller)
    assert client.get(reverse("leads:export_log")).status_code == 403
    client.force_login(other_boss)
    assert "lead_type=trade_in" not in client.get(reverse("leads:export_log")).content.decode()
