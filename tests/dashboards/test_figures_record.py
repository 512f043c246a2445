"""dashboards.report.Figures: one group's figures, which add up to the coarser tables' rows."""

from dataclasses import fields

import pytest

from dashboards.definitions import FIGURES
from dashboards.report import TABLES, Figures, sums, sums_of_rows, total
from dashboards.selectors import PERCENTILES


def test_the_record_holds_every_figure_the_definitions_count():
    names = {f.name for f in fields(Figures)}
    assert names == {*FIGURES, "attempts", *PERCENTILES}


def test_adding_sums_every_count_and_drops_the_percentiles():
    a = Figures(
        leads=3, contacted=2, sold=1, attempted=2, attempts=5, waiting=1, p50=60.0, p90=90.0
    )
    b = Figures(leads=4, contacted=1, lost=2, within_5_min=1, within_1_hour=3, attempts=2, p50=1.0)
    both = a + b
    assert both == Figures(
        leads=7,
        contacted=3,
        sold=1,
        lost=2,
        within_5_min=1,
        within_1_hour=3,
        waiting=1,
        attempted=2,
        attempts=7,
    )
    assert (both.p50, both.p90) == (None, None)  # percentiles of two groups do not add up
    assert a + Figures() == Figures(
        leads=3, contacted=2, sold=1, attempted=2, attempts=5, waiting=1
    )
    with pytest.raises(TypeError):
        a + {"leads": 1}  # only figures add to figures


def test_sums_keep_the_order_keys_first_appear_in_and_total_of_nothing_is_zero():
    one, two = Figures(leads=1, sold=1), Figures(leads=2, contacted=2)
    assert list(sums([("b", one), ("a", two), ("b", two)]).items()) == [
        ("b", Figures(leads=3, contacted=2, sold=1)),
        ("a", two),
    ]
    assert total([]) == Figures()
    assert total([one, two, one]).leads == 4


def test_figures_of_a_grouped_row_and_its_times():
    row = {"source": 7, "p50": 12.5, "p90": 40.0} | dict.fromkeys(FIGURES, 2) | {"attempts": 3}
    figures = Figures.of(row)
    assert (figures.leads, figures.attempts, figures.p50, figures.p90) == (2, 3, 12.5, 40.0)
    assert figures.share(1) == 50.0 and Figures().share(0) is None
    assert figures.attempts_per_contact == 1.5 and Figures().attempts_per_contact is None
    assert Figures(leads=1).with_times(None) == Figures(leads=1)


def test_every_table_is_declared_once_with_known_columns():
    assert len({spec.key for spec in TABLES}) == len(TABLES)
    names = {f.name for f in fields(Figures)}
    for spec in TABLES:
        assert all(column.key in names and column.drill in FIGURES for column in spec.columns)


def test_summing_grouped_rows_equals_adding_their_records():
    rows = [
        dict.fromkeys(FIGURES, n) | {"attempts": n, "week": week}
        for n, week in [(1, "b"), (2, "a"), (4, "b")]
    ]
    by_record = sums((row["week"], Figures.of(row)) for row in rows)
    assert sums_of_rows(rows, lambda row: row["week"]) == by_record
    assert list(by_record) == ["b", "a"] and by_record["b"].leads == 5
