"""Inbound lead benchmark: Mailgun webhook → stored → real Celery worker → parsed lead (→ routed).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealerlms_ingest \
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/ingest_bench.py \
        [--sellers 10] [--processes 3] [--rate 50] [--flat-seconds 20]

It creates its own database (<name>_bench) with one dealership and `--sellers` salespeople (the
default rule hands each lead to one of them, round-robin; 0: every lead waits in the unassigned
queue), starts gunicorn (2 workers x 8 threads) and a Celery worker (prefork, `--processes`) as
subprocesses, and drives HTTP from threads in this process:

1. a Django "hello world" view at full speed: the baseline of this machine, in this run;
2. the webhook at a steady `--rate` leads/s: p50/p99 from the POST to the parsed lead;
3. the webhook at full speed for a bounded time: sustained leads/s (webhook to parsed lead);
4. the parser alone, in-process, per format.

The same workers route every lead (distribution) and plan its automations: each phase also says
when the leads were routed, so a pipeline that parses fast but cannot route as fast shows.
Latency is the lead's "parsed" log entry (written in the worker's transaction; routing: the
routing row's time) minus the moment the client started the POST; both clocks are this
machine's. Prints its figures; takes ~2 min.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path("/work/shared/samples/leads")
PORT = 8765
KEY = "bench-signing-key"
SECRET = "bench:bench"  # noqa: S105 — a throwaway basic-auth pair for the bench server
TO = "bench@leads.dealerlms.example"

STEADY_SECONDS = 20
MAX_THREADS = 12
HELLO_SECONDS = 10


def bench_env() -> dict[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealerlms")
    db = dj_database_url.parse(base)
    bench_url = base.rsplit("/", 1)[0] + "/" + db["NAME"] + "_bench"
    return {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "bench.ingest_settings",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": KEY,
        "ANYMAIL_WEBHOOK_SECRET": SECRET,
        "DEBUG": "false",
        # One sender posting hundreds a second is what a benchmark does, not an abuse to refuse.
        "DEALERLMS_WEBHOOK_RATE_PER_MINUTE": "10000000",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    }


def create_database(env: dict[str, str], sellers: int = 0) -> None:
    db = dj_database_url.parse(env["DATABASE_URL"])
    admin = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*run, "shell", "-c", f"SELLERS = {sellers}\n{SETUP}"],
        cwd=ROOT,
        env=env,
        check=True,
    )


SETUP = f"""
from accounts.models import Membership, Role, User
from dealers.models import DealerGroup, Dealership
from leads.models import Source
group = DealerGroup.objects.create(name="Bench")
# No opening hours: always open, so the figures do not depend on the time of day.
d = Dealership.objects.create(group=group, name="Bench", slug="bench", country="NL",
    time_zone="Europe/Amsterdam", language="nl", inbound_address="{TO}")
Source.objects.create(dealership=d, name="Marktplaats", kind="portal",
    sender_patterns="portal.example")
for n in range(SELLERS):
    user = User.objects.create(username=f"seller{{n}}", first_name="Seller", last_name=str(n),
        email=f"seller{{n}}@bench.example")
    Membership.objects.create(user=user, dealership=d, role=Role.SALESPERSON)
"""


def start(env: dict[str, str], processes: int) -> list[subprocess.Popen]:
    import redis

    redis.Redis.from_url(env.get("REDIS_URL", "redis://127.0.0.1:6379/0")).flushdb()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dealerlms.wsgi", "-w", "2", "--threads", "8",
         "-b", f"127.0.0.1:{PORT}",
         "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dealerlms", "worker", "-c", str(processes), "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request("GET", "/bench/hello")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    return [web, worker]


_local = threading.local()


def request(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple:
    conn = getattr(_local, "conn", None)
    for _attempt in range(2):
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
            _local.conn = conn
            return response.status, data
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = None
    raise OSError("request failed twice")


TEMPLATE = (SAMPLES / "adf-tradein.eml").read_text()


def webhook_body(n: int, run: str) -> tuple[bytes, str]:
    message_id = f"<bench-{run}-{n}@portal.example>"
    raw = (
        TEMPLATE.replace("To: doesburg@leads.dealerlms.example", f"To: {TO}")
        .replace("<20261015101500.4711@portal.example>", message_id)
        .replace("Joop Jansen", f"Klant {run}{n}")
        .replace("0313 - 47 22 10", f"06 {20000000 + n + (0 if run == 's' else 5000000)}")
        .replace("MP-5521093", f"MP-{run}{n}")
    )
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    form = {"body-mime": raw, "recipient": TO, "sender": "leads@portal.example",
            "timestamp": timestamp, "token": token, "signature": signature}  # fmt: skip
    return urllib.parse.urlencode(form).encode(), message_id


AUTH = {
    "Authorization": "Basic " + __import__("base64").b64encode(SECRET.encode()).decode(),
    "Content-Type": "application/x-www-form-urlencoded",
}


def post_webhook(n: int, run: str, sent: dict) -> int:
    body, message_id = webhook_body(n, run)
    sent[message_id] = time.time()
    status, _ = request("POST", "/anymail/mailgun/inbound_mime/", body, AUTH)
    return status


def hello_rate() -> float:
    count, stop = [0], time.monotonic() + HELLO_SECONDS

    def loop() -> None:
        while time.monotonic() < stop:
            if request("GET", "/bench/hello")[0] == 200:
                count[0] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(MAX_THREADS) as pool:
        for _ in range(MAX_THREADS):
            pool.submit(loop)
    return count[0] / (time.monotonic() - started)


def steady(sent: dict, rate: int) -> list[int]:
    statuses: list[int] = []
    interval = 1 / rate
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for n in range(rate * STEADY_SECONDS):
            delay = start + n * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(post_webhook, n, "s", sent))
        statuses = [f.result() for f in futures]
    return statuses


def flat_out(sent: dict, seconds: int) -> tuple[int, float]:
    counter, lock, stop = [0], threading.Lock(), time.monotonic() + seconds
    statuses: list[int] = []

    def loop() -> None:
        while time.monotonic() < stop:
            with lock:
                counter[0] += 1
                n = counter[0]
            statuses.append(post_webhook(n, "m", sent))

    started = time.monotonic()
    with ThreadPoolExecutor(MAX_THREADS) as pool:
        for _ in range(MAX_THREADS):
            pool.submit(loop)
    accepted = sum(1 for s in statuses if s == 200)
    return accepted, accepted / (time.monotonic() - started)


PARSED = """SELECT m.message_id, extract(epoch from l.at) FROM leads_inboundmessage m
    JOIN leads_inboundmessagelog l ON l.message_id = m.id AND l.action = 'parsed'
    WHERE m.message_id LIKE %s"""
ROUTED = """SELECT m.message_id, extract(epoch from r.routed_at) FROM leads_inboundmessage m
    JOIN leads_lead l ON l.inbound_message_id = m.id
    JOIN distribution_routing r ON r.lead_id = l.id
    WHERE m.message_id LIKE %s"""


def times(env: dict[str, str], sql: str, prefix: str) -> dict[str, float]:
    db = dj_database_url.parse(env["DATABASE_URL"])
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(sql, (f"<bench-{prefix}-%",)).fetchall()
    return {mid: float(at) for mid, at in rows}


def wait_for(
    env: dict[str, str], sql: str, prefix: str, expected: int, timeout: float = 120
) -> dict:
    deadline = time.monotonic() + timeout
    done: dict = {}
    while time.monotonic() < deadline:
        done = times(env, sql, prefix)
        if len(done) >= expected:
            break
        time.sleep(0.5)
    return done


def describe(done: dict, sent: dict) -> str:
    latencies = [done[m] - sent[m] for m in done]
    if not latencies:
        return "none"
    return (
        f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f}"
        f" ms, max {max(latencies) * 1000:.0f} ms"
    )


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def parser_rates() -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from leadparser import parse_message

    samples = {
        "adf (bare XML)": "adf-basic.xml",
        "adf in e-mail": "adf-tradein.eml",
        "html e-mail": "html-website-nl.eml",
        "json": "json-api.json",
        "text e-mail (FR)": "text-portal-fr.eml",
    }
    rates = {}
    for label, name in samples.items():
        raw = (SAMPLES / name).read_bytes()
        region = "FR" if name.endswith("-fr.eml") else "NL"
        n, started = 0, time.perf_counter()
        while time.perf_counter() - started < 2:
            parse_message(raw, region=region)
            n += 1
        rates[label] = n / (time.perf_counter() - started)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sellers", type=int, default=10, help="salespeople sharing the leads")
    parser.add_argument("--processes", type=int, default=3, help="Celery worker processes")
    parser.add_argument("--rate", type=int, default=50, help="steady phase, leads/s")
    parser.add_argument("--flat-seconds", type=int, default=20, help="flat-out phase, seconds")
    args = parser.parse_args()
    env = bench_env()
    print(f"database {env['DATABASE_URL']}, redis {env.get('REDIS_URL')}; {vars(args)}", flush=True)
    print(f"machine   {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    create_database(env, args.sellers)
    procs = start(env, args.processes)
    try:
        for n in range(20):  # warm both workers' imports and connections
            post_webhook(100000 + n, "w", {})
        wait_for(env, ROUTED, "w", 20, timeout=30)

        hello = hello_rate()
        print(f"baseline  Django hello world: {hello:7.0f} req/s ({MAX_THREADS} client threads)")

        sent: dict[str, float] = {}
        statuses = steady(sent, args.rate)
        parsed = wait_for(env, PARSED, "s", len(statuses))
        routed = wait_for(env, ROUTED, "s", len(statuses))
        print(
            f"steady    {args.rate} leads/s for {STEADY_SECONDS}s: {len(parsed)}/{len(statuses)}"
            f" parsed, webhook 2xx {statuses.count(200)}; webhook→parsed lead"
            f" {describe(parsed, sent)}; webhook→routed {describe(routed, sent)}"
        )

        sent = {}
        t0 = time.time()
        accepted, accept_rate = flat_out(sent, args.flat_seconds)
        parsed = wait_for(env, PARSED, "m", accepted, timeout=300)
        parsed_span = max(parsed.values()) - t0
        routed = wait_for(env, ROUTED, "m", accepted, timeout=300)
        routed_span = max(routed.values()) - t0 if routed else float("nan")
        print(
            f"max rate  {args.flat_seconds}s flat out: webhook accepted {accept_rate:.0f}/s;"
            f" {len(parsed)} leads parsed in {parsed_span:.1f}s = {len(parsed) / parsed_span:.0f}"
            f" leads/s sustained (webhook→parsed {describe(parsed, sent)});"
            f" routed in {routed_span:.1f}s = {len(routed) / routed_span:.0f} leads/s"
            f" (webhook→routed {describe(routed, sent)})"
        )
        print(
            f"          webhook acceptance = {accept_rate / hello * 100:.0f}% of hello-world req/s"
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    print(
        f"machine   load average {os.getloadavg()[0]:.1f} at the end (other work shares the cores)"
    )
    for label, rate in parser_rates().items():
        print(f"parser    {label:18s} {rate:7.0f} messages/s (one core, in-process)")


if __name__ == "__main__":
    main()
