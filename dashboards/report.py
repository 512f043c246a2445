"""The dashboard as tables of cells: figures from dashboards.selectors, targets, drill-down links.
Views render it as HTML or CSV. A cell's text is formatted when the page renders it, in the
reader's language (Django's number_format); the CSV takes the raw numbers.

Reading order: `Figures` (one group's numbers, which add up), `Column` and `TABLES` (what each
table shows, declared once), then `Dashboard`, which queries the figures and lays out the rows."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from enum import Enum
from operator import attrgetter, itemgetter

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncWeek
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dashboards.definitions import ATTEMPTED, CHANNELS, LABELS, UNANSWERED, channel_of
from dashboards.formatting import response_time
from dashboards.forms import NONE, DashboardFilter
from dashboards.models import Metric, Target
from dashboards.selectors import (
    PERCENTILES,
    grouping_sets,
    planned_for_reports,
    received_in,
    scoped_leads,
)
from dealers.models import Condition
from leads.models import LeadType, Source

SPLIT = ("source", "passive", "lead_type", "condition")  # what tables and targets group by
TARGET_METRICS = frozenset(Metric.values)


# --- figures -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Figures:
    """One group's figures, as dashboards.definitions defines them. The counts and the attempts
    add up (`a + b` is the figures of both groups together), so the coarse tables are sums of
    the fine rows; the response-time percentiles do not add up: a sum has none, and they come
    from their own query (`with_times`)."""

    leads: int = 0
    contacted: int = 0
    appointment: int = 0
    showed: int = 0
    sold: int = 0
    lost: int = 0
    within_5_min: int = 0
    within_1_hour: int = 0
    waiting: int = 0
    attempted: int = 0
    attempts: int = 0  # until contact, summed over the contacted leads
    p50: float | None = None  # seconds to the first attempt
    p90: float | None = None

    @classmethod
    def of(cls, row: dict) -> Figures:
        """The figures of a row of dashboards.selectors.grouping_sets (its keys are ignored)."""
        return cls(*_counts_of_row(row), *(row.get(name) for name in PERCENTILES))

    def with_times(self, row: dict | None) -> Figures:
        """These figures with the percentiles of `row` (none: unchanged)."""
        if not row:
            return self
        return replace(self, **{name: row[name] for name in PERCENTILES if name in row})

    def __add__(self, other: Figures) -> Figures:
        if not isinstance(other, Figures):
            return NotImplemented
        return Figures(*map(operator.add, _counts(self), _counts(other)))

    def share(self, count: int) -> float | None:
        """`count` as a percentage of the leads (none without leads)."""
        return 100.0 * count / self.leads if self.leads else None

    @property
    def attempts_per_contact(self) -> float | None:
        return self.attempts / self.contacted if self.contacted else None


# The counts, in the order of the record's fields (the percentiles come last).
ADDITIVE = tuple(f.name for f in fields(Figures) if f.name not in PERCENTILES)
_counts = attrgetter(*ADDITIVE)
_counts_of_row = itemgetter(*ADDITIVE)


def total(figures: Iterable[Figures]) -> Figures:
    """All the figures added up (no percentiles: they do not add up)."""
    return _added((None, _counts(f)) for f in figures).get(None, Figures())


def sums(rows: Iterable[tuple[object, Figures]]) -> dict[object, Figures]:
    """The figures added up per key, in the order the keys first appear (no percentiles)."""
    return _added((key, _counts(figures)) for key, figures in rows)


def sums_of_rows(rows: Iterable[dict], key: Callable[[dict], object]) -> dict[object, Figures]:
    """`sums` of grouped rows (dashboards.selectors.grouping_sets) without a record per row."""
    return _added((key(row), _counts_of_row(row)) for row in rows)


def _added(vectors: Iterable[tuple[object, tuple]]) -> dict[object, Figures]:
    # What `+` does, column by column over plain tuples, one record per key: the dashboard adds
    # a few thousand fine rows and a few hundred splits a page, and a record per addition was
    # a noticeable part of the page's time (docs/benchmarks.md, issue 12).
    grouped: dict[object, list[tuple]] = defaultdict(list)
    for key, vector in vectors:
        grouped[key].append(vector)
    return {key: Figures(*map(sum, zip(*v, strict=True))) for key, v in grouped.items()}


# --- columns and tables --------------------------------------------------------------------
class Measure(Enum):
    COUNT = "count"  # a number of leads
    SHARE = "share"  # a number of leads and its share of the row's leads (against a target)
    TIME = "time"  # a response-time percentile
    AVERAGE = "average"  # attempts per contacted lead


@dataclass(frozen=True)
class Column:
    """A table column: its label (dashboards.definitions.LABELS), what it shows of a row's
    figures, and which leads its drill-down link lists."""

    key: str
    measure: Measure
    drill: str  # the figure (dashboards.definitions.FIGURES) behind the link

    @property
    def label(self) -> str:
        return LABELS[self.key]

    def cell(self, figures: Figures, row_url: str, target: Callable[[str], Target | None]) -> Cell:
        cell = Cell(self.key, url=f"{row_url}&figure={self.drill}")
        if self.measure is Measure.TIME:
            cell.seconds = getattr(figures, self.key)
        elif self.measure is Measure.AVERAGE:
            cell.average = figures.attempts_per_contact
        else:
            cell.count = getattr(figures, self.key)
            if self.measure is Measure.SHARE:
                cell.percent = figures.share(cell.count)
            if self.key in TARGET_METRICS:
                cell.target = target(self.key)
        return cell


FUNNEL = (
    Column("leads", Measure.COUNT, "leads"),
    *(
        Column(key, Measure.SHARE, key)
        for key in ("contacted", "appointment", "showed", "sold", "lost")
    ),
)
RESPONSE = (
    Column("p50", Measure.TIME, "attempted"),
    Column("p90", Measure.TIME, "attempted"),
    Column("within_5_min", Measure.SHARE, "within_5_min"),
    Column("within_1_hour", Measure.SHARE, "within_1_hour"),
    Column("attempts", Measure.AVERAGE, "contacted"),
    Column("waiting", Measure.SHARE, "waiting"),
)
FUNNEL_COLUMNS = tuple(c.key for c in FUNNEL)
RESPONSE_COLUMNS = tuple(c.key for c in RESPONSE)


@dataclass(frozen=True)
class TableSpec:
    """A table of the page: its key (in the page, the CSV link and the tests), title, columns,
    and which rows it shows (Dashboard.rows: several tables may show the same rows)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: str


TABLES = (
    TableSpec("source", _("Per source"), FUNNEL, rows="source"),
    TableSpec("source_response", _("Response per source"), RESPONSE, rows="source"),
    TableSpec("kind", _("Per kind of source"), FUNNEL, rows="kind"),
    TableSpec("seller", _("Leaderboard"), FUNNEL, rows="seller"),
    TableSpec("seller_response", _("Response per salesperson"), RESPONSE, rows="seller"),
    TableSpec("passive", _("Active and passive"), FUNNEL, rows="passive"),
    TableSpec("condition", _("New and used"), FUNNEL, rows="condition"),
    TableSpec("channel", _("Online and phone"), FUNNEL, rows="channel"),
    TableSpec("lead_type", _("Per lead type"), FUNNEL, rows="lead_type"),
    TableSpec("week", _("Per week"), FUNNEL, rows="week"),
    TableSpec("total", _("All leads"), FUNNEL + RESPONSE, rows="total"),
)


@dataclass(frozen=True)
class Rollup:
    """Rows that add up the split rows (SPLIT) per value of one of their fields: how a value is
    labelled, and what of the targets' scope it fixes."""

    label: Callable[[object], str]
    scope: Callable[[object], dict] = lambda value: {}


def _kind_label(kind: object) -> str:
    return dict(Source.Kind.choices).get(kind, _("No source"))


ROLLUPS = {
    "kind": Rollup(_kind_label, lambda kind: {"kind": kind, "channel": channel_of(kind)}),
    "passive": Rollup(lambda passive: _("Passive") if passive else _("Active")),
    "condition": Rollup(
        lambda condition: dict(Condition.choices).get(condition, _("Unknown")),
        lambda condition: {"condition": condition if condition != NONE else None},
    ),
    "channel": Rollup(
        lambda channel: CHANNELS[channel][0],
        lambda channel: {"channel": channel, "kind": "phone" if channel == "phone" else None},
    ),
    "lead_type": Rollup(
        lambda lead_type: dict(LeadType.choices).get(lead_type, lead_type),
        lambda lead_type: {"lead_type": lead_type},
    ),
}


def _param(value: object) -> str:
    """A row's value as a drill-down parameter: "none", "1"/"0" for yes/no, else the value."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@dataclass
class Cell:
    column: str
    count: int | None = None  # a number of leads, with its share of the row's leads
    percent: float | None = None
    seconds: float | None = None  # a response time
    average: float | None = None  # attempts per contacted lead
    url: str = ""
    target: Target | None = None

    @property
    def on_target(self) -> bool | None:
        return self.target.is_met(self.percent) if self.target else None

    @property
    def text(self) -> str:
        """The figure as shown, in the active language's number format."""
        if self.column in ("p50", "p90"):
            return response_time(self.seconds)
        if self.column == "attempts":
            return "—" if self.average is None else number_format(round(self.average, 1), 1)
        if self.column == "leads":
            return number_format(self.count)
        return "—" if self.percent is None else f"{number_format(round(self.percent, 1), 1)}%"


@dataclass
class Row:
    label: object  # text, or the first day of a week
    params: dict[str, str]  # the drill-down parameters that select the row's leads
    figures: Figures
    value: object = None  # the value the row groups by: a source or salesperson id, a week…
    scope: dict = field(default_factory=dict)  # what targets may match: source, kind, channel…
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[Row]

    @property
    def headers(self) -> list[str]:
        return [LABELS[c] for c in self.columns]


@dataclass
class Split:
    """The figures of one source × active/passive × lead type × new/used, weeks summed out: the
    finest grouping the tables and targets add up from."""

    source: int | None
    passive: bool
    lead_type: str
    condition: str
    kind: str | None
    channel: str
    figures: Figures


class Targets:
    """The targets that apply to the selection: the defaults, replaced by a dealership's own when
    one dealership is chosen, plus the source targets of the chosen dealerships."""

    def __init__(self, dealership_ids: list[int]) -> None:
        chosen = {}
        everything = Target.objects.filter(
            Q(dealership__isnull=True) | Q(dealership_id__in=dealership_ids)
        ).select_related("source")
        for target in sorted(everything, key=lambda t: t.dealership_id is not None):
            if target.source_id or target.dealership_id is None or len(dealership_ids) == 1:
                chosen[(target.scope(), target.source_id and target.dealership_id)] = target
        self.all = list(chosen.values())

    def best(self, metric: str, scope: dict) -> Target | None:
        """The most specific target whose every scope field matches the row's."""
        best, best_score = None, -1
        for target in self.all:
            if target.metric != metric:
                continue
            checks = [
                (target.source_id, scope.get("source"), 16),
                (target.channel if target.channel != "online" else "", scope.get("kind"), 8),
                ("online" if target.channel == "online" else "", scope.get("channel"), 4),
                (target.lead_type, scope.get("lead_type"), 2),
                (target.condition, scope.get("condition"), 1),
            ]
            if all(not wanted or wanted == have for wanted, have, _w in checks):
                score = sum(weight for wanted, _h, weight in checks if wanted)
                if score > best_score:
                    best, best_score = target, score
        return best


class Dashboard:
    def __init__(self, user: User, filters: DashboardFilter, drill_url: Callable[..., str]) -> None:
        self.filters = filters
        self.period = filters.cleaned_data["period"]
        self.leads = scoped_leads(user, **filters.scope())
        self.drill_url = drill_url
        self.targets = Targets(filters.dealership_ids())

    # --- queries -------------------------------------------------------------------------
    def build(self) -> Dashboard:
        with planned_for_reports():
            return self._build()

    def _build(self) -> Dashboard:
        current = received_in(self.leads, self.period)
        fine_keys = {
            "source": "source_id",
            "passive": "is_passive",
            "lead_type": "lead_type",
            "condition": "vehicle__condition",
            "week": TruncWeek("received_at", tzinfo=self.filters.cleaned_data["tz"]),
        }
        # Three statements, each one scan of one period's leads on PostgreSQL
        # (dashboards.selectors.grouping_sets): the previous period's totals; this period's counts
        # per salesperson and per fine grouping (source, active/passive, lead type, new/used,
        # week), from which every other table and target adds up (Figures add); and the
        # response-time percentiles, which do not add up: over all leads, per source and per
        # salesperson.
        [[previous]] = grouping_sets(
            received_in(self.leads, self.period.previous()), {}, [()], percentiles=True
        )
        per_seller, fine = grouping_sets(
            current, {**fine_keys, "seller": "assigned_to_id"}, [("seller",), tuple(fine_keys)]
        )
        [everyone], times_per_source, times_per_seller = grouping_sets(
            current.filter(ATTEMPTED),
            {"source": "source_id", "seller": "assigned_to_id"},
            [(), ("source",), ("seller",)],
            figures=False,
            percentiles=True,
        )
        self.previous = Figures.of(previous)
        self.weeks = sums_of_rows(fine, itemgetter("week"))
        # The other tables and the targets add up from the fine rows with the weeks summed out (a
        # fifth as many for a month).
        split_figures = sums_of_rows(fine, itemgetter(*SPLIT))
        self.sources = Source.objects.select_related("dealership").in_bulk(
            {key[0] for key in split_figures if key[0]}
        )
        self.splits = []
        for (source, passive, lead_type, condition), figures in split_figures.items():
            kind = self.sources[source].kind if source else None
            self.splits.append(
                Split(
                    source, passive, lead_type, condition or NONE, kind, channel_of(kind), figures
                )
            )
        self.total = total(s.figures for s in self.splits).with_times(everyone)
        times = {row["source"]: row for row in times_per_source}
        self.per_source = {
            source: figures.with_times(times.get(source))
            for source, figures in sums((s.source, s.figures) for s in self.splits).items()
        }
        times = {row["seller"]: row for row in times_per_seller}
        self.per_seller = {
            row["seller"]: Figures.of(row).with_times(times.get(row["seller"]))
            for row in per_seller
        }
        self.sellers = User.objects.in_bulk([seller for seller in self.per_seller if seller])
        self.rows = self._rows()
        self.tables = {
            spec.key: Table(
                spec.key, spec.title, tuple(c.key for c in spec.columns), self.rows[spec.rows]
            )
            for spec in TABLES
        }
        self.scorecard = self._scorecard()
        # Not a cohort figure: the customers waiting now, in the chosen dealerships and people.
        self.unanswered = self.leads.filter(UNANSWERED).aggregate(
            count=Count("pk"), oldest=Min("customer_waiting_since")
        )
        now, before = self.rows["total"]
        self.kpis = list(zip(now.cells, before.cells, strict=True))
        return self

    # --- rows ----------------------------------------------------------------------------
    def _rows(self) -> dict[str, list[Row]]:
        """Every set of rows a table shows (TABLES' `rows`)."""
        rows = {
            "source": [
                self._row(
                    self._source_label(source),
                    {"source": _param(source)},
                    figures,
                    source,
                    self._source_scope(source),
                )
                for source, figures in self.per_source.items()
            ],
            "seller": sorted(
                (
                    self._row(
                        str(self.sellers[seller]) if seller else _("Unassigned"),
                        {"seller": _param(seller)},
                        figures,
                        seller,
                    )
                    for seller, figures in self.per_seller.items()
                ),
                key=lambda row: (
                    -row.figures.sold,
                    -(row.figures.share(row.figures.sold) or 0),
                    row.label,
                ),
            ),
            "week": self._weeks(),
            "total": [
                self._row(_("This period"), {}, self.total),
                self._row(_("Previous period"), self._previous_params(), self.previous),
            ],
        }
        for key, rollup in ROLLUPS.items():
            per_value = sums((getattr(split, key), split.figures) for split in self.splits)
            rows[key] = sorted(
                (
                    self._row(rollup.label(v), {key: _param(v)}, figures, v, rollup.scope(v))
                    for v, figures in per_value.items()
                ),
                key=lambda row: -row.figures.leads,
            )
        return rows

    def _source_label(self, source_id: int | None) -> str:
        if source_id is None:
            return _("No source")
        source = self.sources[source_id]
        if len(self.filters.dealership_ids()) > 1:
            return f"{source} ({source.dealership})"
        return str(source)

    def _source_scope(self, source_id: int | None) -> dict:
        kind = self.sources[source_id].kind if source_id else None
        return {"source": source_id, "kind": kind, "channel": channel_of(kind)}

    def _weeks(self) -> list[Row]:
        tz = self.filters.cleaned_data["tz"]
        rows = []
        for week, figures in sorted(self.weeks.items()):
            first = week.astimezone(tz).date()
            start = max(first, self.filters.cleaned_data["start"])
            end = min(first + timedelta(days=6), self.filters.cleaned_data["end"])
            params = {"start": start.isoformat(), "end": end.isoformat()}
            rows.append(self._row(first, params, figures, week))
        return rows

    def _previous_params(self) -> dict[str, str]:
        start, end = self.filters.cleaned_data["start"], self.filters.cleaned_data["end"]
        length = end - start + timedelta(days=1)
        return {"start": (start - length).isoformat(), "end": (end - length).isoformat()}

    def _row(
        self,
        label: object,
        params: dict[str, str],
        figures: Figures,
        value: object = None,
        scope: dict | None = None,
    ) -> Row:
        """A row with a cell for every column (the row may be shown in several tables)."""
        row = Row(label, params, figures, value, scope or {})
        row_url = self.drill_url(**params)

        def target(metric: str) -> Target | None:
            return self.targets.best(metric, row.scope)

        row.cells = [column.cell(figures, row_url, target) for column in FUNNEL + RESPONSE]
        return row

    # --- targets -------------------------------------------------------------------------
    def _scorecard(self) -> list[dict]:
        """Every applicable target with the actual figure of its scope."""
        cards = []
        for target in self.targets.all:
            figures = total(s.figures for s in self.splits if _in_scope(target, s))
            hits = getattr(figures, target.metric)
            percent = figures.share(hits)
            params = _target_params(target)
            cards.append(
                {
                    "target": target,
                    "leads": figures.leads,
                    "count": hits,
                    "percent": percent,
                    "on_target": target.is_met(percent),
                    "url": self.drill_url(**params, figure=target.metric),
                    "leads_url": self.drill_url(**params, figure="leads"),
                }
            )
        return cards


def _in_scope(target: Target, split: Split) -> bool:
    if target.source_id and split.source != target.source_id:
        return False
    if target.channel == "online" and split.channel != "online":
        return False
    if target.channel and target.channel != "online" and split.kind != target.channel:
        return False
    if target.lead_type and split.lead_type != target.lead_type:
        return False
    return not (target.condition and split.condition != target.condition)


def _target_params(target: Target) -> dict[str, str]:
    params = {}
    if target.source_id:
        params["source"] = target.source_id
    elif target.channel == "online":
        params["channel"] = "online"
    elif target.channel:
        params["kind"] = target.channel
    if target.lead_type:
        params["lead_type"] = target.lead_type
    if target.condition:
        params["condition"] = target.condition
    return params
