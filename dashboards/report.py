"""The dashboard as tables of cells: figures from dashboards.selectors, targets, drill-down links.
Views render it as HTML or CSV. A cell's text is formatted when the page renders it, in the
reader's language (Django's number_format); the CSV takes the raw numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from operator import itemgetter

from django.db.models import Q
from django.db.models.functions import TruncWeek
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dashboards.definitions import ATTEMPTED, CHANNELS, FUNNEL, LABELS, RESPONSE, channel_of
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

FUNNEL_COLUMNS = tuple(key for key, _label, _q in FUNNEL)
RESPONSE_COLUMNS = ("p50", "p90", "within_5_min", "within_1_hour", "attempts", "waiting")
ADDITIVE = (*{k for k, _l, _q in FUNNEL + RESPONSE}, "attempted", "attempts")
_additive = itemgetter(*ADDITIVE)
NO_TIMES = dict.fromkeys(PERCENTILES)
SPLIT = ("source", "passive", "lead_type", "condition")  # what tables and targets group by
_split = itemgetter(*SPLIT)
TARGET_METRICS = frozenset(Metric.values)


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
    label: str
    params: dict[str, str]
    data: dict
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


def _pct(part: int | None, whole: int | None) -> float | None:
    return 100.0 * part / whole if whole and part is not None else None


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
        # week), from which every other table and target adds up, since they are sums; and the
        # response-time percentiles, which do not add up: over all leads, per source and per
        # salesperson.
        [[self.previous]] = grouping_sets(
            received_in(self.leads, self.period.previous()), {}, [()], percentiles=True
        )
        by_seller, fine = grouping_sets(
            current, {**fine_keys, "seller": "assigned_to_id"}, [("seller",), tuple(fine_keys)]
        )
        everyone, per_source, per_seller = grouping_sets(
            current.filter(ATTEMPTED),
            {"source": "source_id", "seller": "assigned_to_id"},
            [(), ("source",), ("seller",)],
            figures=False,
            percentiles=True,
        )
        weeks = [{"week": week, **data} for week, data in sorted(_sums(fine, "week").items())]
        # The other tables and the targets add up from the fine rows with the weeks summed out (a
        # fifth as many for a month).
        for row in fine:
            row["split"] = _split(row)
        splits = [
            dict(zip(SPLIT, key, strict=True)) | data for key, data in _sums(fine, "split").items()
        ]
        self.total = _sums(splits).get(None, _empty()) | _times(everyone).get(None, NO_TIMES)
        times = _times(per_source, "source")
        by_source = [
            {"source": source, **data, **times.get(source, NO_TIMES)}
            for source, data in _sums(splits, "source").items()
        ]
        times = _times(per_seller, "seller")
        by_seller = [row | times.get(row["seller"], NO_TIMES) for row in by_seller]
        self.sources = Source.objects.select_related("dealership").in_bulk(
            {r["source"] for r in splits if r["source"]}
        )
        self.sellers = User.objects.in_bulk([r["seller"] for r in by_seller if r["seller"]])
        for row in splits:
            row["kind"] = self.sources[row["source"]].kind if row["source"] else None
            row["condition"] = row["condition"] or NONE
            row["channel"] = channel_of(row["kind"])
        self.tables = self._tables(by_source, by_seller, splits, weeks)
        self.scorecard = self._scorecard(splits)
        now, before = self.tables["total"].rows
        self.kpis = list(zip(now.cells, before.cells, strict=True))
        return self

    # --- tables --------------------------------------------------------------------------
    def _tables(self, by_source, by_seller, splits, weeks) -> dict[str, Table]:
        source_rows = [
            self._row(
                self._source_label(r["source"]),
                {"source": r["source"] or NONE},
                r,
                {
                    "source": r["source"],
                    "kind": self.sources[r["source"]].kind if r["source"] else None,
                    "channel": channel_of(self.sources[r["source"]].kind if r["source"] else None),
                },
            )
            for r in by_source
        ]
        seller_rows = sorted(
            (
                self._row(
                    str(self.sellers[r["seller"]]) if r["seller"] else _("Unassigned"),
                    {"seller": r["seller"] or NONE},
                    r,
                )
                for r in by_seller
            ),
            key=lambda row: (
                -row.data["sold"],
                -(_pct(row.data["sold"], row.data["leads"]) or 0),
                row.label,
            ),
        )
        kinds = dict(Source.Kind.choices)
        tables = [
            Table("source", _("Per source"), FUNNEL_COLUMNS, source_rows),
            Table("source_response", _("Response per source"), RESPONSE_COLUMNS, source_rows),
            Table(
                "kind",
                _("Per kind of source"),
                FUNNEL_COLUMNS,
                self._rollup(
                    splits,
                    "kind",
                    lambda v: kinds.get(v, _("No source")),
                    lambda v: {"kind": v, "channel": channel_of(v)},
                ),
            ),
            Table("seller", _("Leaderboard"), FUNNEL_COLUMNS, seller_rows),
            Table(
                "seller_response",
                _("Response per salesperson"),
                RESPONSE_COLUMNS,
                seller_rows,
            ),
            Table(
                "passive",
                _("Active and passive"),
                FUNNEL_COLUMNS,
                self._rollup(splits, "passive", lambda v: _("Passive") if v else _("Active")),
            ),
            Table(
                "condition",
                _("New and used"),
                FUNNEL_COLUMNS,
                self._rollup(
                    splits,
                    "condition",
                    lambda v: dict(Condition.choices).get(v, _("Unknown")),
                    lambda v: {"condition": v if v != NONE else None},
                ),
            ),
            Table(
                "channel",
                _("Online and phone"),
                FUNNEL_COLUMNS,
                self._rollup(
                    splits,
                    "channel",
                    lambda v: CHANNELS[v][0],
                    lambda v: {"channel": v, "kind": "phone" if v == "phone" else None},
                ),
            ),
            Table(
                "lead_type",
                _("Per lead type"),
                FUNNEL_COLUMNS,
                self._rollup(
                    splits,
                    "lead_type",
                    lambda v: dict(LeadType.choices).get(v, v),
                    lambda v: {"lead_type": v},
                ),
            ),
            Table("week", _("Per week"), FUNNEL_COLUMNS, self._weeks(weeks)),
            Table(
                "total",
                _("All leads"),
                FUNNEL_COLUMNS + RESPONSE_COLUMNS,
                [
                    self._row(_("This period"), {}, self.total),
                    self._row(_("Previous period"), self._previous_params(), self.previous),
                ],
            ),
        ]
        return {table.key: table for table in tables}

    def _source_label(self, source_id: int | None) -> str:
        if source_id is None:
            return _("No source")
        source = self.sources[source_id]
        if len(self.filters.dealership_ids()) > 1:
            return f"{source} ({source.dealership})"
        return str(source)

    def _rollup(self, splits, key, label, scope=lambda v: {}):
        rows = [
            self._row(
                label(value),
                {key: NONE if value is None else {True: "1", False: "0"}.get(value, value)},
                data,
                scope(value),
            )
            for value, data in _sums(splits, key).items()
        ]
        return sorted(rows, key=lambda r: -r.data["leads"])

    def _weeks(self, weeks) -> list[Row]:
        tz = self.filters.cleaned_data["tz"]
        rows = []
        for r in weeks:
            first = r["week"].astimezone(tz).date()
            start = max(first, self.filters.cleaned_data["start"])
            end = min(first + timedelta(days=6), self.filters.cleaned_data["end"])
            row = self._row(first, {"start": start.isoformat(), "end": end.isoformat()}, r)
            rows.append(row)
        return rows

    def _previous_params(self) -> dict[str, str]:
        start, end = self.filters.cleaned_data["start"], self.filters.cleaned_data["end"]
        length = end - start + timedelta(days=1)
        return {"start": (start - length).isoformat(), "end": (end - length).isoformat()}

    def _row(self, label, params: dict, data: dict, scope: dict | None = None) -> Row:
        row = Row(
            label=label, params={k: str(v) for k, v in params.items()}, data=data, scope=scope or {}
        )
        row_url = self.drill_url(**row.params)
        leads = data.get("leads") or 0
        for column in FUNNEL_COLUMNS + RESPONSE_COLUMNS:
            cell = Cell(column)
            if column in ("p50", "p90"):
                cell.seconds = data.get(column)
                cell.url = f"{row_url}&figure=attempted"
            elif column == "attempts":
                cell.average = (
                    data["attempts"] / data["contacted"] if data.get("contacted") else None
                )
                cell.url = f"{row_url}&figure=contacted"
            else:
                cell.count = data.get(column) or 0
                cell.percent = _pct(cell.count, leads) if column != "leads" else None
                cell.url = f"{row_url}&figure={column}"
                if column in TARGET_METRICS:
                    cell.target = self.targets.best(column, row.scope)
            row.cells.append(cell)
        return row

    # --- targets -------------------------------------------------------------------------
    def _scorecard(self, splits: list[dict]) -> list[dict]:
        """Every applicable target with the actual figure of its scope."""
        cards = []
        for target in self.targets.all:
            matching = [r for r in splits if _in_scope(target, r)]
            leads = sum(r["leads"] for r in matching)
            hits = sum(r[target.metric] for r in matching)
            percent = _pct(hits, leads)
            params = _target_params(target)
            cards.append(
                {
                    "target": target,
                    "leads": leads,
                    "count": hits,
                    "percent": percent,
                    "on_target": target.is_met(percent),
                    "url": self.drill_url(**params, figure=target.metric),
                    "leads_url": self.drill_url(**params, figure="leads"),
                }
            )
        return cards


def _sums(rows: list[dict], key: str | None = None) -> dict:
    """The additive figures of `rows`, summed per value of `key` (no key: all rows together), in
    the order the values first appear."""
    vectors: dict = defaultdict(list)
    for row in rows:
        vectors[row[key] if key else None].append(_additive(row))
    return {
        value: dict(zip(ADDITIVE, map(sum, zip(*v, strict=True)), strict=True))
        for value, v in vectors.items()
    }


def _times(rows: list[dict], key: str | None = None) -> dict:
    """The response-time percentiles of `rows` per value of `key` (no key: the one row)."""
    return {row[key] if key else None: {n: row[n] for n in PERCENTILES} for row in rows}


def _in_scope(target: Target, row: dict) -> bool:
    if target.source_id and row["source"] != target.source_id:
        return False
    if target.channel == "online" and row["channel"] != "online":
        return False
    if target.channel and target.channel != "online" and row["kind"] != target.channel:
        return False
    if target.lead_type and row["lead_type"] != target.lead_type:
        return False
    return not (target.condition and row["condition"] != target.condition)


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


def _empty() -> dict:
    return dict.fromkeys(ADDITIVE, 0) | NO_TIMES
