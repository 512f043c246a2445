"""Distribution benchmark: 50 salespeople, leads arriving, real Celery worker processes on
PostgreSQL and Redis. Prints its figures; it is not a timed test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealerlms_dist \
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/distribution_bench.py \
        [--history 100000] [--backlog 100000] [--steady-seconds 60] [--rate 10,50] [--workers 4]

It creates its own database (<name>_distbench), migrates it, seeds `--history` open leads
spread over the 50 salespeople (so the cap counts read a realistic table), and starts a Celery
worker (prefork, `--workers` processes) as a subprocess. Then, for the baseline and for
distribution in turn:

1. backlog: `--backlog` leads waiting, their jobs queued at once: jobs done per second;
2. steady: leads created one by one through leads.services.create_lead at `--rate` per second
   for `--steady-seconds`: p50/p99/max from the lead's commit to its assignment being visible
   (a poller in this process looks every 10 ms; both clocks are this machine's).

The baseline job is the least a routing job must do: lock the lead row and write one field in a
transaction, through the same Celery worker, Redis and database. Distribution's job is the real
one (distribution.tasks.route_lead: rule match, eligibility, rotation lock, assign_lead, event,
deadline, routing row). The weighted split is printed, so a fairness slip would show.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parents[1]
SELLERS = 50


def bench_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealerlms")
    return base.rsplit("/", 1)[0] + "/" + dj_database_url.parse(base)["NAME"] + "_distbench"


def create_database(url: str) -> None:
    db = dj_database_url.parse(url)
    admin = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    os.environ["DATABASE_URL"] = bench_url()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealerlms.settings")
os.environ.setdefault("DEBUG", "false")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from celery import shared_task  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


@shared_task(name="bench.touch_lead")
def touch_lead(lead_id: int) -> None:
    """The baseline job: lock the lead, write one field, commit."""
    from leads.models import Lead

    with transaction.atomic():
        Lead.objects.select_for_update().filter(pk=lead_id).first()
        Lead.objects.filter(pk=lead_id).update(first_assigned_at=timezone.now())


def seed(history: int) -> dict:
    from accounts.models import Membership, Role, User
    from dealers.models import DealerGroup, Dealership
    from distribution.models import DistributionRule, Strategy
    from distribution.rules import save_rule
    from leads.models import Customer, Lead, Source

    group = DealerGroup.objects.create(name="Bench")

    def shop(slug: str) -> Dealership:
        # No opening hours: always open, so the figures do not depend on the time of day.
        return Dealership.objects.create(
            group=group, name=slug, slug=slug, country="NL", language="nl",
            inbound_address=f"{slug}@bench.example",
        )  # fmt: skip

    main, baseline = shop("bench"), shop("baseline")
    people = User.objects.bulk_create(
        [User(username=f"seller{i}", first_name="Seller", last_name=str(i)) for i in range(SELLERS)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, dealership=main, role=Role.SALESPERSON) for u in people]
    )
    source = Source.objects.create(dealership=main, name="Portal", kind="portal")
    # Weights 1-3 and a cap nobody reaches: every pick counts the open leads of the team.
    team = [(u, 1 + i % 3, 100_000) for i, u in enumerate(people)]
    save_rule(
        rule=DistributionRule(
            dealership=main, name="Portals", source_kind="portal", strategy=Strategy.ROUND_ROBIN
        ),
        team=team,
    )
    customer = Customer.objects.create(dealership=main, full_name="History")
    now = timezone.now()
    for start in range(0, history, 10_000):
        Lead.objects.bulk_create(
            [
                Lead(
                    dealership=main, customer=customer, source=source, status="assigned",
                    assigned_to=people[n % SELLERS], received_at=now, first_assigned_at=now,
                )
                for n in range(start, min(history, start + 10_000))
            ]
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"main": main, "baseline": baseline, "source": source, "weights": dict(
        (u.pk, w) for u, w, _cap in team)}  # fmt: skip


def start_worker(processes: int) -> subprocess.Popen:
    import redis

    redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")).flushdb()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dealerlms", "worker", "-c", str(processes),
         "-P", "prefork", "-l", "warning", "-I", "bench.distribution_bench",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    # Ready when a baseline job on a non-existent lead comes back done.
    from dealerlms.celery import app

    app.conf.task_ignore_result = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if app.control.ping(timeout=1.0):
                break
        except Exception:  # noqa: S110 — not up yet
            pass
        time.sleep(0.5)
    return worker


def backlog_leads(dealership, source, n: int) -> list[int]:
    from leads.models import Customer, Lead

    customer = Customer.objects.create(dealership=dealership, full_name="Backlog")
    now = timezone.now()
    leads = Lead.objects.bulk_create(
        [
            Lead(dealership=dealership, customer=customer, source=source, received_at=now)
            for _ in range(n)
        ],
        batch_size=5000,
    )
    return [lead.pk for lead in leads]


def wait_all(ids: list[int], timeout: float) -> float:
    from leads.models import Lead

    low, high = min(ids), max(ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = Lead.objects.filter(
            pk__gte=low, pk__lte=high, first_assigned_at__isnull=False
        ).count()
        if done >= len(ids):
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"only {done} of {len(ids)} jobs done in {timeout:.0f} s")


def backlog(send, ids: list[int]) -> float:
    started = time.monotonic()
    for lead_id in ids:
        send(lead_id)
    finished = wait_all(ids, timeout=max(120, len(ids) / 4))
    return len(ids) / (finished - started)


class Poller(threading.Thread):
    """Sees each lead's assignment once it is committed; records when."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.created: dict[int, float] = {}
        self.seen: dict[int, float] = {}
        self.stop = False

    def run(self) -> None:
        from django.db import connections

        from leads.models import Lead

        try:
            while not self.stop or len(self.seen) < len(self.created):
                pending = [pk for pk in list(self.created) if pk not in self.seen]
                if pending:
                    found = Lead.objects.filter(
                        pk__gte=min(pending), pk__lte=max(pending), first_assigned_at__isnull=False
                    ).values_list("pk", flat=True)
                    now = time.monotonic()
                    for pk in found:
                        self.seen.setdefault(pk, now)
                time.sleep(0.01)
        finally:
            connections.close_all()


def steady(create, seconds: int, rate: int) -> list[float]:
    poller = Poller()
    poller.start()
    interval = 1 / rate
    start = time.monotonic()
    for n in range(seconds * rate):
        delay = start + n * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        lead_id = create()
        poller.created[lead_id] = time.monotonic()
    achieved = seconds * rate / (time.monotonic() - start)
    poller.stop = True
    poller.join(timeout=120)
    latencies = sorted(poller.seen[pk] - t for pk, t in poller.created.items() if pk in poller.seen)
    if len(latencies) < len(poller.created):
        raise SystemExit(f"{len(poller.created) - len(latencies)} leads never assigned")
    print(f"    offered {achieved:.1f} leads/s")
    return latencies


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--steady-seconds", type=int, default=60)
    parser.add_argument("--rate", default="50", help="leads/s; several: 10,50")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    from distribution.tasks import route_lead
    from leads import services
    from leads.models import Lead, LeadVehicle
    from leads.signals import announcements_paused

    print(f"database {os.environ['DATABASE_URL']}; {os.cpu_count()} cores; {vars(args)}")
    create_database(os.environ["DATABASE_URL"])
    t = time.monotonic()
    world = seed(args.history)
    print(
        f"seeded {SELLERS} salespeople and {args.history} open leads in {time.monotonic() - t:.1f} s"
    )
    worker = start_worker(args.workers)
    try:
        touch = touch_lead.delay
        route = route_lead.delay
        print("1. backlog: jobs done per second")
        base_rate = backlog(touch, backlog_leads(world["baseline"], None, args.backlog))
        print(f"    baseline (lock + write one field): {base_rate:8.1f} /s")
        ids = backlog_leads(world["main"], world["source"], args.backlog)
        dist_rate = backlog(route, ids)
        print(f"    distribution (route_lead):         {dist_rate:8.1f} /s"
              f"   ({dist_rate / base_rate:.2f} x baseline)")  # fmt: skip
        split = Counter(
            world["weights"][pk]
            for pk in Lead.objects.filter(pk__in=ids).values_list("assigned_to_id", flat=True)
        )
        per_person = {w: round(split[w] / sum(1 for v in world["weights"].values() if v == w))
                      for w in sorted(split)}  # fmt: skip
        print(f"    leads per salesperson by weight: {per_person}")

        def create_baseline() -> int:
            with announcements_paused():
                lead = services.create_lead(
                    dealership=world["baseline"],
                    customer=customer_of(world["baseline"]),
                    vehicle=LeadVehicle(condition="new", make="Ligier", model="JS50"),
                )
            touch(lead.pk)
            return lead.pk

        def create_routed() -> int:
            # The real path: create_lead records CREATED; distribution's receiver queues
            # route_lead on commit.
            return services.create_lead(
                dealership=world["main"],
                customer=customer_of(world["main"]),
                source=world["source"],
                vehicle=LeadVehicle(condition="new", make="Ligier", model="JS50"),
            ).pk

        for rate in (int(r) for r in args.rate.split(",")):
            print(f"2. steady {rate} leads/s for {args.steady_seconds} s: created → assigned")
            for name, create in (("baseline", create_baseline), ("distribution", create_routed)):
                lat = steady(create, args.steady_seconds, rate)
                print(
                    f"    {name:12s} n={len(lat)} p50 {pct(lat, 50) * 1000:6.1f} ms"
                    f"  p99 {pct(lat, 99) * 1000:6.1f} ms  max {lat[-1] * 1000:6.1f} ms"
                )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


_customers: dict = {}


def customer_of(dealership):
    from leads.models import Customer

    if dealership.pk not in _customers:
        _customers[dealership.pk] = Customer.objects.create(
            dealership=dealership, full_name="Steady"
        )
    return _customers[dealership.pk]


if __name__ == "__main__":
    main()
