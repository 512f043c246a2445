"""Dashboard speed at scale: one dealership, N leads over two years (default 1,000,000), 50
salespeople, 15 sources, on PostgreSQL.

Prints the dashboard page's p50/p95 (Django test client, signed in as the manager, default period:
the last 30 days, previous period included) next to two hand-written baselines over the same rows,
timed in the same run, interleaved with the page's runs so that both see the same load:

- ONE hand-written SQL GROUP BY computing the page's per-source figures (HAND_SQL): the issue's
  baseline, which computes one of the page's tables;
- ONE hand-written statement returning the data of every figure on the page (FULL_SQL): the
  previous period's totals; this period's counts per salesperson and per source × active/passive
  × lead type × new/used × week (every other table and target is a sum of these rows); the
  response-time percentiles over all leads, per source and per salesperson.

Also checks that the page's numbers equal both queries' before timing anything, and times the
page's own statements without the HTTP request and HTML (Dashboard.build).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealerlms_dev \\
        .venv/bin/python bench/dashboard_bench.py [--leads 200000] [--runs 30] [--keep]

It creates its own database (<name>_bench, dropped and re-created; dropped at the end unless
--keep), so it never touches development data. Leads are generated with one INSERT … SELECT over
generate_series; the data set is the same for the same --leads and --seed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_url, recreate  # noqa: E402 — after the path

SELLERS, SOURCES = 50, 15
SOURCE_KINDS = ["portal"] * 8 + ["website"] * 2 + ["importer"] * 2 + ["phone"] * 2 + ["list"]


LEADS_SQL = """
WITH base AS (
    SELECT i,
           -- in arrival order, as in production: ids and the table's pages follow received_at
           now() - interval '730 days' * (1 - i::float / %(leads)s) - random() * interval '1 minute'
               AS received,
           random() AS stage, random() AS speed, random() AS pick, random() AS kind_roll,
           (1 + floor(random() * %(sources)s))::int AS source_no,
           (1 + floor(random() * %(sellers)s))::int AS seller_no
    FROM generate_series(1, %(leads)s) AS i
), journey AS (
    SELECT b.*,
           -- response: mostly minutes, a long tail of hours and days
           b.received + make_interval(secs => exp(b.speed * 12)) AS attempted,
           CASE WHEN b.stage < 0.05 THEN 'new'
                WHEN b.stage < 0.12 THEN 'assigned'
                WHEN b.stage < 0.18 THEN 'unreachable'
                WHEN b.stage < 0.34 THEN 'contacted'
                WHEN b.stage < 0.50 THEN 'lost'
                WHEN b.stage < 0.60 THEN 'appointment'
                WHEN b.stage < 0.68 THEN 'showed'
                WHEN b.stage < 0.74 THEN 'proposal'
                ELSE 'sold' END AS status
    FROM base b
)
INSERT INTO leads_lead (
    id, dealership_id, source_id, customer_id, lead_type, is_passive, status, lost_reason,
    assigned_to_id, vehicle_id, external_id, comments, extra, received_at, first_assigned_at,
    first_attempt_at, first_contact_at, appointment_at, appointment_set_at, showed_at,
    attempts_until_contact, closed_at, updated_at
)
SELECT j.i, %(dealership)s, %(first_source)s + j.source_no - 1, %(first_customer)s + (j.i %% %(customers)s),
       (ARRAY['info_request','info_request','test_drive','quote','trade_in','finance','call'])[1 + (j.i %% 7)],
       j.source_no = %(sources)s,
       j.status,
       CASE WHEN j.status = 'lost' THEN 'price' ELSE '' END,
       CASE WHEN j.status = 'new' THEN NULL ELSE %(first_seller)s + j.seller_no - 1 END,
       j.i, '', '', '{}', j.received,
       CASE WHEN j.status = 'new' THEN NULL ELSE j.received + interval '20 seconds' END,
       CASE WHEN j.status IN ('new', 'assigned') THEN NULL ELSE j.attempted END,
       CASE WHEN j.status IN ('new', 'assigned', 'unreachable') THEN NULL
            ELSE j.attempted + (j.pick * interval '2 hours') END,
       CASE WHEN j.stage >= 0.50 OR (j.status = 'lost' AND j.pick < 0.3)
            THEN j.attempted + interval '3 days' END,
       CASE WHEN j.stage >= 0.50 OR (j.status = 'lost' AND j.pick < 0.3)
            THEN j.attempted + interval '3 hours' END,
       CASE WHEN j.stage >= 0.60 AND NOT (j.status = 'sold' AND j.pick < 0.1)
            THEN j.attempted + interval '3 days' END,
       CASE WHEN j.status IN ('new', 'assigned') THEN 0 ELSE 1 + floor(j.pick * 3)::int END,
       CASE WHEN j.status IN ('sold', 'lost', 'unreachable') THEN j.attempted + interval '5 days' END,
       j.received
FROM journey j
"""

# The figures of one group of leads, as the definitions (dashboards.definitions) say.
COUNTS_SQL = """
       count(*) AS leads,
       count(*) FILTER (WHERE l.first_contact_at IS NOT NULL) AS contacted,
       count(*) FILTER (WHERE l.appointment_set_at IS NOT NULL) AS appointment,
       count(*) FILTER (WHERE l.showed_at IS NOT NULL) AS showed,
       count(*) FILTER (WHERE l.status = 'sold') AS sold,
       count(*) FILTER (WHERE l.status = 'lost') AS lost,
       count(*) FILTER (WHERE l.first_attempt_at <= l.received_at + interval '5 minutes') AS within_5_min,
       count(*) FILTER (WHERE l.first_attempt_at <= l.received_at + interval '60 minutes') AS within_1_hour,
       count(*) FILTER (WHERE l.status IN ('new','assigned','contacted','appointment','showed','proposal')
                        AND l.first_attempt_at IS NULL) AS waiting"""
ATTEMPTS_SQL = """
       sum(l.attempts_until_contact) FILTER (WHERE l.first_contact_at IS NOT NULL) AS attempts"""
PERCENTILES_SQL = """
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM l.first_attempt_at - l.received_at)) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM l.first_attempt_at - l.received_at)) AS p90"""
FIGURES_SQL = f"""{COUNTS_SQL},
       count(*) FILTER (WHERE l.first_attempt_at IS NOT NULL) AS attempted,{ATTEMPTS_SQL}"""

HAND_SQL = f"""
SELECT l.source_id,{COUNTS_SQL},{ATTEMPTS_SQL},{PERCENTILES_SQL}
FROM leads_lead l
WHERE l.dealership_id = %s AND l.received_at >= %s AND l.received_at < %s AND l.deleted_at IS NULL
GROUP BY l.source_id
ORDER BY l.source_id
"""

# The data of every figure on the page in one statement: three GROUP BYs over the two periods'
# leads, told apart by `part`. Every table and target of the page is one of these rows or a sum
# of them (the fine rows add up to the totals, sources, kinds, splits, targets and weeks).
FULL_SQL = f"""
SELECT 'previous' AS part, NULL::bigint AS source_id, NULL::bigint AS seller_id, NULL::boolean AS passive,
       NULL::text AS lead_type, NULL::text AS condition, NULL::timestamp AS week,{FIGURES_SQL},{PERCENTILES_SQL}
FROM leads_lead l
WHERE l.dealership_id = %(dealership)s AND l.received_at >= %(previous)s AND l.received_at < %(start)s
      AND l.deleted_at IS NULL
UNION ALL
SELECT CASE WHEN GROUPING(l.assigned_to_id) = 0 THEN 'seller' ELSE 'fine' END,
       l.source_id, l.assigned_to_id, l.is_passive, l.lead_type, v.condition,
       date_trunc('week', l.received_at AT TIME ZONE %(tz)s),{FIGURES_SQL}, NULL, NULL
FROM leads_lead l LEFT JOIN leads_leadvehicle v ON v.id = l.vehicle_id
WHERE l.dealership_id = %(dealership)s AND l.received_at >= %(start)s AND l.received_at < %(end)s
      AND l.deleted_at IS NULL
GROUP BY GROUPING SETS ((l.assigned_to_id), (l.source_id, l.is_passive, l.lead_type, v.condition,
                                             date_trunc('week', l.received_at AT TIME ZONE %(tz)s)))
UNION ALL
SELECT CASE GROUPING(l.source_id, l.assigned_to_id) WHEN 3 THEN 'times' WHEN 1 THEN 'times_source'
       ELSE 'times_seller' END,
       l.source_id, l.assigned_to_id, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,{PERCENTILES_SQL}
FROM leads_lead l
WHERE l.dealership_id = %(dealership)s AND l.received_at >= %(start)s AND l.received_at < %(end)s
      AND l.deleted_at IS NULL AND l.first_attempt_at IS NOT NULL
GROUP BY GROUPING SETS ((), (l.source_id), (l.assigned_to_id))
"""
KEYS = (
    "leads",
    "contacted",
    "appointment",
    "showed",
    "sold",
    "lost",
    "within_5_min",
    "within_1_hour",
    "waiting",
    "attempted",
    "attempts",
)


def expected_from_full(rows: list[dict], tz) -> dict:
    """What the page must show, added up from FULL_SQL's rows: the totals of both periods and
    the rows of the per-source, per-salesperson, per-week and new/used tables."""
    from django.utils import timezone

    def summed(group: list[dict]) -> dict:
        return {k: sum(r[k] or 0 for r in group) for k in KEYS}

    def times(row: dict | None) -> dict:
        return {"p50": row and row["p50"], "p90": row and row["p90"]}

    parts: dict[str, list[dict]] = {}
    for row in rows:
        parts.setdefault(row["part"], []).append(row)
    fine = parts.get("fine", [])
    by = {
        part: {r[key]: r for r in parts.get(part, [])}
        for part, key in (("times_source", "source_id"), ("times_seller", "seller_id"))
    }
    every = {
        "total": summed(fine) | times(parts["times"][0] if parts.get("times") else None),
        "previous": {k: parts["previous"][0][k] or 0 for k in KEYS} | times(parts["previous"][0]),
    }
    keyed = (
        ("source", lambda r: r["source_id"]),
        ("week", lambda r: timezone.make_aware(r["week"], tz)),
        ("condition", lambda r: r["condition"] or None),  # no vehicle or none given: one row
    )
    for name, key in keyed:
        for value in {key(r) for r in fine}:
            found = summed([r for r in fine if key(r) == value])
            if name == "source":
                found |= times(by["times_source"].get(value))
            every[(name, value)] = found
    for row in parts.get("seller", []):
        every[("seller", row["seller_id"])] = {k: row[k] or 0 for k in KEYS} | times(
            by["times_seller"].get(row["seller_id"])
        )
    return every


def shown(report) -> dict:
    """The same figures as the page computed them."""
    keys = (*KEYS, "p50", "p90")
    tables = report.tables
    every = {
        "total": {k: getattr(tables["total"].rows[0].figures, k) for k in keys},
        "previous": {k: getattr(tables["total"].rows[1].figures, k) for k in keys},
    }
    for row in tables["source"].rows:
        every[("source", row.value)] = {k: getattr(row.figures, k) for k in keys}
    for row in tables["seller"].rows:
        every[("seller", row.value)] = {k: getattr(row.figures, k) for k in keys}
    for row in tables["week"].rows:
        every[("week", row.value)] = {k: getattr(row.figures, k) for k in KEYS}
    for row in tables["condition"].rows:
        value = row.params["condition"]
        every[("condition", None if value == "none" else value)] = {
            k: getattr(row.figures, k) for k in KEYS
        }
    return every


def load(leads: int, seed: float) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import Membership, Role, User
    from dealers.models import DealerGroup, Dealership
    from leads.models import Source

    group = DealerGroup.objects.create(name="Bench group")
    dealership = Dealership.objects.create(
        group=group,
        name="Bench",
        slug="bench",
        country="NL",
        language="en",
        inbound_address="bench@leads.test",
    )
    password = make_password("bench-password")
    boss = User.objects.create(username="boss", password=password, language="en")
    Membership.objects.create(user=boss, dealership=dealership, role=Role.MANAGER)
    sellers = User.objects.bulk_create(
        [
            User(username=f"seller{n:02d}", first_name=f"Seller {n:02d}", password=password)
            for n in range(SELLERS)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, dealership=dealership, role=Role.SALESPERSON) for u in sellers]
    )
    sources = Source.objects.bulk_create(
        [
            Source(
                dealership=dealership, name=f"Source {n:02d}", kind=kind, is_passive=kind == "list"
            )
            for n, kind in enumerate(SOURCE_KINDS)
        ]
    )
    customers = max(leads // 10, 1)
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed])
        cur.execute(
            "INSERT INTO leads_customer (id, dealership_id, first_name, last_name, full_name, email,"
            " street, postal_code, city, country, language, preferred_contact, consent_email,"
            " consent_sms, created_at) SELECT i, %s, '', '', 'Customer ' || i, '', '', '', '', 'NL',"
            " 'nl', '', true, true, now() FROM generate_series(1, %s) i",
            [dealership.pk, customers],
        )
        cur.execute(
            "INSERT INTO leads_leadvehicle (id, condition, make, model, trim, vin, stock_number,"
            " registration, currency) SELECT i, CASE WHEN i %% 3 = 0 THEN 'used' ELSE 'new' END,"
            " 'Ligier', 'JS50', '', '', '', '', 'EUR' FROM generate_series(1, %s) i",
            [leads],
        )
        cur.execute(
            LEADS_SQL,
            {
                "leads": leads,
                "sources": SOURCES,
                "sellers": SELLERS,
                "dealership": dealership.pk,
                "first_source": sources[0].pk,
                "first_customer": 1,
                "customers": customers,
                "first_seller": sellers[0].pk,
            },
        )
        for table in ("leads_customer", "leads_leadvehicle", "leads_lead"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    # Steady state, as a production table is: statistics and visibility map up to date.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"dealership": dealership, "boss": boss}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(fn, runs: int) -> list[float]:
    fn()  # warm the caches once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by an earlier --keep run"
    )
    args = parser.parse_args()

    url, admin_url, name = bench_database_url()
    if not args.reuse:
        recreate(admin_url, name)
    os.environ.update(
        DATABASE_URL=url, DEBUG="0", ALLOWED_HOSTS="testserver", DEALERLMS_ENV="development"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealerlms.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.utils import timezone

    from dashboards.forms import DEFAULT_PRESET, DashboardFilter, _midnight, preset_dates
    from dashboards.report import Dashboard
    from dashboards.selectors import Period, planned_for_reports

    try:
        if args.reuse:
            from accounts.models import User
            from dealers.models import Dealership

            made = {
                "dealership": Dealership.objects.get(slug="bench"),
                "boss": User.objects.get(username="boss"),
            }
            print(f"Reusing {name}")
        else:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            made = load(args.leads, args.seed)
            loaded = time.perf_counter() - started
            print(
                f"Loaded {args.leads:,} leads, {SELLERS} salespeople, {SOURCES} sources "
                f"in {loaded:.1f} s"
            )

        client = Client()
        client.force_login(made["boss"])
        dealership = made["dealership"]
        tz = dealership.tz
        start, end = preset_dates(DEFAULT_PRESET, timezone.now().astimezone(tz).date())
        period = Period(_midnight(start, tz), _midnight(end + timedelta(days=1), tz))

        def page() -> object:
            response = client.get("/dashboards/")
            assert response.status_code == 200, response.status_code
            return response

        def hand() -> list:
            # The same session settings as the dashboard's own reads, for a fair comparison, and
            # no JIT: the one big FULL_SQL statement would pay ~120 ms compiling it (the page's
            # three smaller statements stay under jit_above_cost).
            with planned_for_reports(), connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
                cur.execute(HAND_SQL, [dealership.pk, period.start, period.end])
                return cur.fetchall()

        def full() -> list[dict]:
            with planned_for_reports(), connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
                cur.execute(
                    FULL_SQL,
                    {
                        "dealership": dealership.pk,
                        "previous": period.previous().start,
                        "start": period.start,
                        "end": period.end,
                        "tz": str(tz),
                    },
                )
                names = [c[0] for c in cur.description]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

        filters = DashboardFilter(QueryDict(), user=made["boss"])
        assert filters.is_valid(), filters.errors

        def build() -> Dashboard:
            return Dashboard(made["boss"], filters, lambda **_: "").build()

        # Same numbers first: the page's per-source table against the hand-written query, and
        # every total, source, salesperson, week and new/used row against the fuller one.
        report = build()
        by_hand = {row[0]: row[1:] for row in hand()}
        per_source = KEYS[:9] + ("attempts",)
        for row in report.tables["source"].rows:
            source_id = row.value
            ours = tuple(getattr(row.figures, k) for k in per_source)
            theirs = tuple(by_hand[source_id][: len(per_source)])
            assert ours == theirs, (source_id, ours, theirs)
            assert (row.figures.p50, row.figures.p90) == tuple(by_hand[source_id][-2:])
        page_figures, full_figures = shown(report), expected_from_full(full(), tz)
        assert page_figures == full_figures, {
            k: (page_figures.get(k), full_figures.get(k))
            for k in page_figures.keys() | full_figures.keys()
            if page_figures.get(k) != full_figures.get(k)
        }
        in_period = report.tables["total"].rows[0].figures.leads
        print(
            f"Period {start} – {end} (last 30 days): {in_period:,} leads; the page's figures are "
            f"identical to the hand-written queries' ({len(page_figures)} rows compared)"
        )

        # Interleaved: the machine is shared, and load that comes and goes then weighs on all
        # four series alike.
        series = {"page": page, "hand": hand, "full": full, "build": build}
        times = {name: [] for name in series}
        for fn in series.values():
            fn()  # warm the caches once
        print(f"Load average before measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        for _ in range(args.runs):
            for name, fn in series.items():
                started = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - started) * 1000)
        print(f"Load average after measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        labels = {
            "page": "dashboard page",
            "hand": "hand-written per source",
            "full": "hand-written, every figure",
            "build": "page's statements alone",
        }
        for name, label in labels.items():
            ms = times[name]
            print(
                f"{label:>27}: p50 {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"
                f"   ({args.runs} runs)"
            )

        def ratio(a: str, b: str) -> tuple[float, float]:
            return (
                statistics.median(times[a]) / statistics.median(times[b]),
                percentile(times[a], 0.95) / percentile(times[b], 0.95),
            )

        for a, b, label in (
            ("page", "hand", "page / per source"),
            ("page", "full", "page / every figure"),
            ("build", "full", "statements / every figure"),
        ):
            r50, r95 = ratio(a, b)
            print(f"{label:>27}: p50 {r50:7.2f}×     p95 {r95:7.2f}×")
        p95 = percentile(times["page"], 0.95)
        print(f"Target p95 < 300 ms: {'met' if p95 < 300 else 'MISSED'} ({p95:.0f} ms)")
        for b, label in (("hand", "the per-source query"), ("full", "the every-figure query")):
            r95 = ratio("page", b)[1]
            print(f"Within 2× of {label} (p95): {'met' if r95 <= 2 else 'MISSED'} ({r95:.2f}×)")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    main()
