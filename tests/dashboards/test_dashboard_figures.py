"""Every table of the dashboard on the hand-built March data set (tests/dashboard_dataset.py);
each expected number is worked out by hand from the table in that module's docstring."""

import pytest
from django.http import QueryDict

from dashboards.forms import DashboardFilter
from dashboards.report import Dashboard
from tests import dashboard_dataset
from tests.dashboard_dataset import MARCH


@pytest.fixture
def data(db, settings):
    return dashboard_dataset.build(settings)


def report(data, user=None, **params):
    query = QueryDict(mutable=True)
    query.update({**MARCH, **params})
    filters = DashboardFilter(query, user=user or data.boss)
    assert filters.is_valid(), filters.errors
    return Dashboard(user or data.boss, filters, lambda **p: "").build()


def counts(row):
    keys = ("leads", "contacted", "appointment", "showed", "sold", "lost")
    return tuple(getattr(row.figures, k) for k in keys)


def by_label(table):
    return {str(row.label): row for row in table.rows}


def percents(row):
    return {c.column: c.percent for c in row.cells if c.percent is not None}


def test_totals_and_response(data):
    total = report(data).tables["total"].rows[0]
    # Leads 1–10. Contacted 1,2,3,5,6,8; appointment 1,3,5,6; showed 1,5,6; sold 1,6,8; lost 2,3,5.
    assert counts(total) == (10, 6, 4, 3, 3, 3)
    assert percents(total) == pytest.approx(
        {
            "contacted": 60.0,
            "appointment": 40.0,
            "showed": 30.0,
            "sold": 30.0,
            "lost": 30.0,
            "within_5_min": 40.0,  # 1, 5, 8, 9
            "within_1_hour": 60.0,  # + 2 and 3
            "waiting": 30.0,  # 4, 7, 10
        }
    )
    # Response times (s) 60, 120, 180, 240, 600, 1800, 5400: median 240, p90 1800+0.4×3600.
    assert (total.figures.p50, total.figures.p90) == pytest.approx((240, 3240))
    attempts = next(c for c in total.cells if c.column == "attempts")
    assert attempts.average == pytest.approx(8 / 6)  # 1+2+1+2+1+1 calls for six contacts


def test_previous_period_is_february(data):
    previous = report(data).tables["total"].rows[1]
    # 31 days before 1 March: 29 January – 28 February. Only lead 11 (sold, reached after 1 h).
    assert counts(previous) == (1, 1, 0, 0, 1, 0)
    assert previous.params == {"start": "2026-01-29", "end": "2026-02-28"}
    assert previous.figures.p50 == pytest.approx(3600)


def test_per_source(data):
    rows = by_label(report(data).tables["source"])
    assert counts(rows["Portal"]) == (5, 3, 2, 1, 1, 2)  # 1,2,3,4,10
    assert counts(rows["Website"]) == (3, 2, 2, 2, 1, 1)  # 5,6,7
    assert counts(rows["Phone"]) == (2, 1, 0, 0, 1, 0)  # 8,9
    assert percents(rows["Website"])["sold"] == pytest.approx(100 / 3)
    assert (rows["Website"].figures.p50, rows["Website"].figures.p90) == pytest.approx(
        (2760, 4872)  # 120 s and 5400 s: mean, and 120 + 0.9 × 5280
    )


def test_per_kind_and_channel(data):
    tables = report(data).tables
    kinds = by_label(tables["kind"])
    assert counts(kinds["Portal"]) == (5, 3, 2, 1, 1, 2)
    assert counts(kinds["Own website"]) == (3, 2, 2, 2, 1, 1)
    channels = by_label(tables["channel"])
    assert counts(channels["Online"]) == (8, 5, 4, 3, 2, 3)  # portal + website
    assert counts(channels["Phone"]) == (2, 1, 0, 0, 1, 0)
    assert "Other" not in channels


def test_leaderboard_orders_by_sales(data):
    table = report(data).tables["seller"]
    assert [str(r.label) for r in table.rows] == [str(data.a), str(data.b), "Unassigned"]
    anna, bram, nobody = table.rows
    assert counts(anna) == (5, 4, 2, 2, 2, 2)  # 1,2,5,8,10
    assert counts(bram) == (4, 2, 2, 1, 1, 1)  # 3,6,7,9
    assert counts(nobody) == (1, 0, 0, 0, 0, 0)  # 4
    # Anna's first attempts: 3 min, 10 min, 2 min, 1 min → median (120+180)/2 = 150 s.
    assert anna.figures.p50 == pytest.approx(150)


def test_splits(data):
    tables = report(data).tables
    passive = by_label(tables["passive"])
    assert counts(passive["Passive"]) == (1, 0, 0, 0, 0, 0)  # 10
    assert counts(passive["Active"]) == (9, 6, 4, 3, 3, 3)
    condition = by_label(tables["condition"])
    assert counts(condition["New"]) == (5, 3, 3, 2, 1, 2)  # 1,3,4,5,7
    assert counts(condition["Used"]) == (3, 2, 1, 1, 1, 1)  # 2,6,10
    assert counts(condition["Unknown"]) == (2, 1, 0, 0, 1, 0)  # 8,9: phone calls, no vehicle
    types = by_label(tables["lead_type"])
    assert counts(types["Information request"]) == (8, 5, 4, 3, 2, 3)
    assert counts(types["Phone call"]) == (2, 1, 0, 0, 1, 0)


def test_weekly_trend(data):
    weeks = report(data).tables["week"].rows
    assert [(str(r.label), r.figures.leads, r.figures.sold) for r in weeks] == [
        ("2026-03-02", 9, 3),
        ("2026-03-09", 1, 0),  # lead 10
    ]
    assert weeks[0].params == {"start": "2026-03-02", "end": "2026-03-08"}


def test_salesperson_filter(data):
    total = report(data, salesperson=str(data.b.pk)).tables["total"].rows[0]
    assert counts(total) == (4, 2, 2, 1, 1, 1)


def test_a_salesperson_sees_only_their_own_figures(data):
    total = report(data, user=data.a).tables["total"].rows[0]
    assert counts(total) == (5, 4, 2, 2, 2, 2)
    sellers = report(data, user=data.a).tables["seller"].rows
    assert [str(r.label) for r in sellers] == [str(data.a)]


def test_default_targets_on_the_march_figures(data):
    cards = {
        (c["target"].scope_label(), c["target"].metric): (c["count"], c["leads"], c["on_target"])
        for c in report(data).scorecard
    }
    assert cards == {
        ("Own website", "sold"): (1, 3, True),  # 33.3% ≥ 15%
        ("Portal", "sold"): (1, 5, True),  # 20% ≥ 13%
        ("All leads", "appointment"): (4, 10, True),  # 40% ≥ 36%
        ("All online · New", "sold"): (1, 5, True),  # leads 1,3,4,5,7: 20% ≥ 13%
        ("All online · Used", "sold"): (1, 3, True),  # leads 2,6,10: 33.3% ≥ 20%
        ("Phone", "sold"): (1, 2, True),  # 50% ≥ 22%
    }
