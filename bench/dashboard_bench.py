"""Dashboard speed at scale: one dealership, N leads over two years (default 1,000,000), 50
salespeople, 15 sources, on PostgreSQL.

Prints the dashboard page's p50/p95 (Django test client, signed in as the manager, default period:
the last 30 days, previous period included) next to ONE hand-written SQL GROUP BY computing the same
per-source figures over the same rows in the same run, and the ratio. Also checks that the page's
per-source numbers equal the hand-written query's.

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

HAND_SQL = """
SELECT l.source_id,
       count(*) AS leads,
       count(*) FILTER (WHERE l.first_contact_at IS NOT NULL) AS contacted,
       count(*) FILTER (WHERE l.appointment_set_at IS NOT NULL) AS appointment,
       count(*) FILTER (WHERE l.showed_at IS NOT NULL) AS showed,
       count(*) FILTER (WHERE l.status = 'sold') AS sold,
       count(*) FILTER (WHERE l.status = 'lost') AS lost,
       count(*) FILTER (WHERE l.first_attempt_at <= l.received_at + interval '5 minutes') AS within_5_min,
       count(*) FILTER (WHERE l.first_attempt_at <= l.received_at + interval '60 minutes') AS within_1_hour,
       count(*) FILTER (WHERE l.status IN ('new','assigned','contacted','appointment','showed','proposal')
                        AND l.first_attempt_at IS NULL) AS waiting,
       sum(l.attempts_until_contact) FILTER (WHERE l.first_contact_at IS NOT NULL) AS attempts,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM l.first_attempt_at - l.received_at)) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM l.first_attempt_at - l.received_at)) AS p90
FROM leads_lead l
WHERE l.dealership_id = %s AND l.received_at >= %s AND l.received_at < %s AND l.deleted_at IS NULL
GROUP BY l.source_id
ORDER BY l.source_id
"""


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


def timed(fn, runs: int) -> list[float]:  # noqa: ANN001
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
    from dashboards.selectors import (
        Period,
        grouped,
        planned_for_reports,
        received_in,
        scoped_leads,
    )

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
            # The same session settings as the dashboard's own reads, for a fair comparison.
            with planned_for_reports(), connection.cursor() as cur:
                cur.execute(HAND_SQL, [dealership.pk, period.start, period.end])
                return cur.fetchall()

        # Same numbers first: the page's per-source table against the hand-written query.
        filters = DashboardFilter(QueryDict(), user=made["boss"])
        assert filters.is_valid(), filters.errors
        report = Dashboard(made["boss"], filters, lambda **_: "").build()
        by_hand = {row[0]: row[1:] for row in hand()}
        keys = (
            "leads",
            "contacted",
            "appointment",
            "showed",
            "sold",
            "lost",
            "within_5_min",
            "within_1_hour",
            "waiting",
            "attempts",
        )
        for row in report.tables["source"].rows:
            source_id = row.data["source"]
            ours = tuple(row.data[k] for k in keys)
            theirs = tuple(by_hand[source_id][: len(keys)])
            assert ours == theirs, (source_id, ours, theirs)
            assert abs(row.data["p50"] - by_hand[source_id][-2]) < 1e-6
        in_period = sum(r.data["leads"] for r in report.tables["source"].rows)
        print(
            f"Period {start} – {end} (last 30 days): {in_period:,} leads; "
            "per-source figures identical to the hand-written query"
        )

        def per_source_table() -> list:
            # The page's own per-source query alone (dashboards.selectors.grouped), like for like.
            with planned_for_reports():
                leads = received_in(
                    scoped_leads(made["boss"], dealership_ids=[dealership.pk]), period
                )
                return grouped(leads, {"source": "source_id"}, percentiles=True)

        page_ms = timed(page, args.runs)
        hand_ms = timed(hand, args.runs)
        table_ms = timed(per_source_table, args.runs)
        print(f"Load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for label, ms in (
            ("dashboard page", page_ms),
            ("hand-written GROUP BY", hand_ms),
            ("page's per-source query", table_ms),
        ):
            print(
                f"{label:>24}: p50 {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"
                f"   ({args.runs} runs)"
            )
        ratio50 = statistics.median(page_ms) / statistics.median(hand_ms)
        ratio95 = percentile(page_ms, 0.95) / percentile(hand_ms, 0.95)
        print(f"{'ratio page / hand':>24}: p50 {ratio50:7.2f}×     p95 {ratio95:7.2f}×")
        print(
            f"{'per-source query / hand':>24}: p50 "
            f"{statistics.median(table_ms) / statistics.median(hand_ms):7.2f}×"
        )
        p95 = percentile(page_ms, 0.95)
        print(
            f"Target p95 < 300 ms: {'met' if p95 < 300 else 'MISSED'}; "
            f"within 2× of the hand-written query: {'met' if ratio95 <= 2 else 'MISSED'}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    main()
