"""Fault benchmark: leads keep coming in while the worker is killed, Redis restarts and PostgreSQL
stops. Nothing may be lost, nothing doubled, every lead routed, within 90 s.

    .venv/bin/python bench/fault_bench.py [--seconds 120] [--rate 4]

Everything runs on services of its own, so no shared server is touched: a PostgreSQL cluster
(initdb from /usr/lib/postgresql/*/bin into a temporary folder, a free port; without initdb the
shared server of DATABASE_URL is used and the PostgreSQL fault is skipped, with a note), a Redis,
gunicorn with the app, a Celery worker (prefork) and beat (the sweeps that take up lost jobs).
A supervisor restarts the worker and beat when they stop, as scripts/run does.

A sender posts signed Mailgun webhooks (one new customer each) at --rate a second and, like a
provider, delivers again after a non-2xx answer or a broken connection (1, 2, 4 … 15 s apart).
Meanwhile, at fixed shares of the run: the worker and its pool are killed with SIGKILL (twice),
Redis is restarted (its queues lost), and PostgreSQL is stopped for 10 s. One minute after the
last delivery it prints: sent, answered 2xx (first try, and in the end), leads, duplicates, lost,
unrouted, and the worst delay from the first POST to the routed lead.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import faultkit  # noqa: E402 — after the path

SAMPLE = ROOT / "tests" / "samples" / "leads" / "adf-tradein.eml"
KEY = "fault-bench-signing-key"
SECRET = "bench:bench"  # noqa: S105 — a throwaway basic-auth pair for the bench server
TO = "faults@leads.dealerlms.example"
DB_NAME = "dlms_fault_bench"

SETUP = f"""
from accounts.models import Membership, Role, User
from dealers.models import DealerGroup, Dealership
from leads.models import Source
group = DealerGroup.objects.create(name="Faults")
d = Dealership.objects.create(group=group, name="Faults", slug="faults", country="NL",
    time_zone="Europe/Amsterdam", language="nl", inbound_address="{TO}")
Source.objects.create(dealership=d, name="Marktplaats", kind="portal",
    sender_patterns="portal.example")
for n in range(4):
    user = User.objects.create(username=f"seller{{n}}", first_name="Seller", last_name=str(n),
        email=f"seller{{n}}@faults.example")
    Membership.objects.create(user=user, dealership=d, role=Role.SALESPERSON)
"""


@dataclass
class Delivery:
    n: int
    first_sent: float = 0.0
    first_status: int = 0
    final_status: int = 0
    attempts: int = 0


@dataclass
class Run:
    deliveries: list[Delivery] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    restarts: dict[str, int] = field(default_factory=lambda: {"worker": 0, "beat": 0})
    notes: list[str] = field(default_factory=list)


def webhook_body(n: int, run_id: str) -> bytes:
    raw = (
        SAMPLE.read_text()
        .replace("To: doesburg@leads.dealerlms.example", f"To: {TO}")
        .replace("<20261015101500.4711@portal.example>", f"<fault-{run_id}-{n}@portal.example>")
        .replace("Joop Jansen", f"Klant{run_id} Nummer{n}")
        .replace("0313 - 47 22 10", f"06 {30000000 + n}")
        .replace("MP-5521093", f"MP-{run_id}-{n}")
    )
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    form = {"body-mime": raw, "recipient": TO, "sender": "leads@portal.example",
            "timestamp": timestamp, "token": token, "signature": signature}  # fmt: skip
    return urllib.parse.urlencode(form).encode()


HEADERS = {
    "Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode(),
    "Content-Type": "application/x-www-form-urlencoded",
}


def post(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/anymail/mailgun/inbound_mime/", body=body, headers=HEADERS)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0  # no answer: the provider delivers again
    finally:
        conn.close()


def deliver(port: int, delivery: Delivery, run_id: str, give_up_at: float) -> None:
    """As a provider does: again after a non-2xx answer, with growing pauses."""
    pause = 1.0
    while True:
        if not delivery.first_sent:
            delivery.first_sent = time.time()
        status = post(port, webhook_body(delivery.n, run_id))  # a fresh signature each time
        delivery.attempts += 1
        if delivery.attempts == 1:
            delivery.first_status = status
        delivery.final_status = status
        if 200 <= status < 300 or time.time() > give_up_at:
            return
        time.sleep(pause)
        pause = min(pause * 2, 15.0)


def supervise(procs: dict, start: dict, run: Run, stop: threading.Event) -> None:
    """scripts/run's supervisor: a worker or beat that stopped is started again."""
    while not stop.is_set():
        for name in ("worker", "beat"):
            if procs[name].poll() is not None:
                procs[name] = start[name]()
                run.restarts[name] += 1
        stop.wait(1.0)


def figures(database_url: str, run_id: str, run: Run) -> dict:
    import psycopg

    with psycopg.connect(database_url) as conn:
        messages = conn.execute(
            "SELECT message_id, count(*) FROM leads_inboundmessage"
            " WHERE message_id LIKE %s GROUP BY message_id",
            (f"<fault-{run_id}-%",),
        ).fetchall()
        leads = conn.execute(
            """SELECT m.message_id, extract(epoch from r.routed_at), c.full_name
               FROM leads_lead l JOIN leads_customer c ON c.id = l.customer_id
               LEFT JOIN leads_inboundmessage m ON m.id = l.inbound_message_id
               LEFT JOIN distribution_routing r ON r.lead_id = l.id
               WHERE c.full_name LIKE %s""",
            (f"Klant{run_id} %",),
        ).fetchall()
    per_customer: dict[str, int] = {}
    routed_at: dict[str, float] = {}
    for _message_id, at, name in leads:
        per_customer[name] = per_customer.get(name, 0) + 1
        if at is not None:
            routed_at[name] = min(routed_at.get(name, float(at)), float(at))
    delays = []
    for d in run.deliveries:
        name = f"Klant{run_id} Nummer{d.n}"
        if name in routed_at:
            delays.append(routed_at[name] - d.first_sent)
    sent = len(run.deliveries)
    return {
        "sent": sent,
        "answered 2xx at the first try": sum(200 <= d.first_status < 300 for d in run.deliveries),
        "answered 2xx in the end": sum(200 <= d.final_status < 300 for d in run.deliveries),
        "deliveries (with retries)": sum(d.attempts for d in run.deliveries),
        # 0: no answer (connection refused or broken); 5xx: nothing stored, delivered again.
        "first answers by status": dict(
            sorted(Counter(d.first_status for d in run.deliveries).items())
        ),
        "messages stored": sum(count for _m, count in messages),
        "leads": len(leads),
        "duplicates": sum(count - 1 for count in per_customer.values())
        + sum(count - 1 for _m, count in messages),
        "lost": sent - len(per_customer),
        "unrouted after one minute": len(per_customer) - len(routed_at),
        "worst delay s": round(max(delays), 1) if delays else None,
    }


def copy_database(pg: faultkit.PrivatePostgres, source_url: str, target_url: str) -> None:
    """A migrated database copied in (pg_dump | psql, ~2 s) instead of 23 s of migrations: the
    short version in the tests copies its own test database."""
    dump = subprocess.run(
        [str(pg.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        [str(pg.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", target_url],
        input=dump.stdout, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def all_routed(database_url: str, run_id: str, expected: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            (routed,) = conn.execute(
                """SELECT count(*) FROM leads_lead l JOIN leads_customer c ON c.id = l.customer_id
                   JOIN distribution_routing r ON r.lead_id = l.id WHERE c.full_name LIKE %s""",
                (f"Klant{run_id} %",),
            ).fetchone()
    except psycopg.Error:
        return False
    return routed >= expected


def run_bench(
    *,
    seconds: float,
    rate: float,
    settle: float = 60.0,
    sweep: int = 10,
    schema_from: str | None = None,
    pg_down: float = 10.0,
) -> dict:
    """Start everything, stream, break things, wait up to `settle` s for every lead to be routed
    (then a few seconds more, for late duplicates), count. Returns the figures. `schema_from`:
    a migrated database to copy instead of migrating."""
    workdir = Path(tempfile.mkdtemp(prefix="dlms-faults-"))
    run, run_id = Run(), uuid.uuid4().hex[:6]
    pg = None
    try:
        pg = faultkit.PrivatePostgres().start()
        database_url = pg.url(DB_NAME)
        import psycopg

        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
        pg = None
        from bench.benchdb import bench_database_url, recreate

        database_url, admin, name = bench_database_url()
        recreate(admin, name)
        run.notes.append(
            f"no private PostgreSQL ({error}): the shared server is used, and the PostgreSQL"
            " stop is skipped (it is other people's)"
        )
    redis = faultkit.PrivateRedis(str(workdir)).start()
    env = faultkit.app_env(
        database_url=database_url,
        redis_url=redis.url(),
        ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY=KEY,
        ANYMAIL_WEBHOOK_SECRET=SECRET,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEALERLMS_SWEEP_SECONDS=str(sweep),
        DEALERLMS_WEBHOOK_RATE_PER_MINUTE="100000",
        LOG_LEVEL="WARNING",
    )
    manage = [sys.executable, "manage.py"]
    if schema_from and pg is not None:
        copy_database(pg, schema_from, database_url)
    else:
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True)

    port = faultkit.free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dealerlms.wsgi", "-w", "2", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=open(workdir / "web.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    start = {
        "worker": lambda: faultkit.start_worker(env, workdir / "worker.log"),
        "beat": lambda: faultkit.start_beat(env, workdir / "beat.log", workdir / "beat-schedule"),
    }
    procs = {name: starter() for name, starter in start.items()}
    stop = threading.Event()
    supervisor = threading.Thread(target=supervise, args=(procs, start, run, stop), daemon=True)
    try:
        faultkit.wait_until(lambda: faultkit.tcp_answers(port), 60, "gunicorn")
        faultkit.wait_until(lambda: faultkit.worker_ready(workdir / "worker.log"), 60, "worker")
        supervisor.start()
        began = time.monotonic()
        schedule = [
            (0.15, "worker killed (SIGKILL, with its pool)", lambda: faultkit.kill_group(procs["worker"])),
            (0.35, "Redis restarted (3 s down, queues lost)", lambda: redis.restart(3)),
            (0.55, f"PostgreSQL stopped for {pg_down:.0f} s", None),
            (0.75, "worker killed again (SIGKILL)", lambda: faultkit.kill_group(procs["worker"])),
        ]  # fmt: skip

        def faults() -> None:
            for share, what, action in schedule:
                delay = began + share * seconds - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                at = time.monotonic() - began
                if action is None:
                    if pg is None:
                        run.faults.append("PostgreSQL stop SKIPPED (shared server)")
                        continue
                    pg.stop("fast")
                    time.sleep(pg_down)
                    pg.start()
                else:
                    action()
                run.faults.append(f"{at:5.1f} s  {what}")

        fault_thread = threading.Thread(target=faults)
        fault_thread.start()
        count = int(seconds * rate)
        give_up_at = time.time() + seconds + 120
        with ThreadPoolExecutor(max_workers=64) as pool:
            for n in range(count):
                delay = began + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                delivery = Delivery(n)
                run.deliveries.append(delivery)
                pool.submit(deliver, port, delivery, run_id, give_up_at)
            fault_thread.join()
        # The pool has joined: every delivery was answered 2xx (or gave up).
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            if all_routed(database_url, run_id, count):
                time.sleep(min(3.0, max(0.0, deadline - time.monotonic())))
                break
            time.sleep(0.5)
        result = figures(database_url, run_id, run)
    finally:
        stop.set()
        for proc in procs.values():
            faultkit.kill_group(proc, signal.SIGTERM)
        web.terminate()
        web.wait(timeout=30)
        redis.stop()
        if pg is not None:
            pg.destroy()
    result["faults"] = run.faults
    result["restarts by the supervisor"] = dict(run.restarts)
    result["notes"] = run.notes
    result["logs"] = str(workdir)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long leads come in")
    parser.add_argument("--rate", type=float, default=4, help="new leads a second")
    parser.add_argument("--sweep", type=int, default=30, help="sweep period (s), as in production")
    args = parser.parse_args()
    print(f"fault bench: {vars(args)}; machine {os.cpu_count()} cores", flush=True)
    result = run_bench(seconds=args.seconds, rate=args.rate, sweep=args.sweep)
    for note in result.pop("notes"):
        print(f"NOTE: {note}")
    for line in result.pop("faults"):
        print(f"fault  {line}")
    for name, value in result.items():
        print(f"{name:32s} {json.dumps(value) if isinstance(value, dict) else value}")


if __name__ == "__main__":
    main()
