"""Inbound lead benchmark: Mailgun webhook → stored → real Celery worker → parsed lead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealerlms_ingest \
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/ingest_bench.py

It creates its own database (<name>_bench), starts gunicorn (2 workers x 8 threads) and a Celery
worker (prefork, 6 processes) as subprocesses, and drives HTTP from threads in this process:

1. a Django "hello world" view at full speed: the baseline of this machine, in this run;
2. the webhook at a steady 50 leads/s: p50/p99 from the POST to the parsed lead;
3. the webhook at full speed for a bounded time: sustained leads/s (webhook to parsed lead);
4. the parser alone, in-process, per format.

Latency is the lead's "parsed" log entry (written in the worker's transaction) minus the moment
the client started the POST; both clocks are this machine's. Prints its figures; takes ~2 min.
"""

from __future__ import annotations

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

STEADY_RATE, STEADY_SECONDS = 50, 20
MAX_SECONDS, MAX_THREADS = 20, 12
HELLO_SECONDS = 10
# Parsing a lead is ~20 database round trips: I/O-bound, so more processes than cores pay off.
WORKER_PROCESSES = 6


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
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    }


def create_database(env: dict[str, str]) -> None:
    db = dj_database_url.parse(env["DATABASE_URL"])
    admin = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*run, "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
    )


SETUP = f"""
from dealers.models import DealerGroup, Dealership
from leads.models import Source
group = DealerGroup.objects.create(name="Bench")
d = Dealership.objects.create(group=group, name="Bench", slug="bench", country="NL",
    time_zone="Europe/Amsterdam", language="nl", inbound_address="{TO}")
Source.objects.create(dealership=d, name="Marktplaats", kind="portal",
    sender_patterns="portal.example")
"""


def start(env: dict[str, str]) -> list[subprocess.Popen]:
    import redis

    redis.Redis.from_url(env.get("REDIS_URL", "redis://127.0.0.1:6379/0")).flushdb()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dealerlms.wsgi", "-w", "2", "--threads", "8",
         "-b", f"127.0.0.1:{PORT}",
         "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dealerlms", "worker", "-c", str(WORKER_PROCESSES), "-l", "warning",
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


def steady(sent: dict) -> list[int]:
    statuses: list[int] = []
    interval = 1 / STEADY_RATE
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for n in range(STEADY_RATE * STEADY_SECONDS):
            delay = start + n * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(post_webhook, n, "s", sent))
        statuses = [f.result() for f in futures]
    return statuses


def flat_out(sent: dict) -> tuple[int, float]:
    counter, lock, stop = [0], threading.Lock(), time.monotonic() + MAX_SECONDS
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


def parsed_times(env: dict[str, str], prefix: str) -> dict[str, float]:
    db = dj_database_url.parse(env["DATABASE_URL"])
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            """SELECT m.message_id, extract(epoch from l.at) FROM leads_inboundmessage m
               JOIN leads_inboundmessagelog l ON l.message_id = m.id AND l.action = 'parsed'
               WHERE m.message_id LIKE %s""",
            (f"<bench-{prefix}-%",),
        ).fetchall()
    return {mid: float(at) for mid, at in rows}


def wait_parsed(env: dict[str, str], prefix: str, expected: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    done: dict = {}
    while time.monotonic() < deadline:
        done = parsed_times(env, prefix)
        if len(done) >= expected:
            break
        time.sleep(0.5)
    return done


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def parser_rates() -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from leads.parsing import parse_message

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
    env = bench_env()
    print(f"database {env['DATABASE_URL']}, redis {env.get('REDIS_URL')}", flush=True)
    print(f"machine   {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    create_database(env)
    procs = start(env)
    try:
        for n in range(20):  # warm both workers' imports and connections
            post_webhook(100000 + n, "w", {})
        wait_parsed(env, "w", 20, timeout=30)

        hello = hello_rate()
        print(f"baseline  Django hello world: {hello:7.0f} req/s ({MAX_THREADS} client threads)")

        sent: dict[str, float] = {}
        t0 = time.time()
        statuses = steady(sent)
        done = wait_parsed(env, "s", len(statuses))
        latencies = [done[m] - sent[m] for m in done]
        print(
            f"steady    {STEADY_RATE} leads/s for {STEADY_SECONDS}s: {len(done)}/{len(statuses)}"
            f" parsed, webhook 2xx {statuses.count(200)}; webhook→parsed lead"
            f" p50 {percentile(latencies, 50) * 1000:.0f} ms, p99"
            f" {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )

        sent = {}
        t0 = time.time()
        accepted, accept_rate = flat_out(sent)
        done = wait_parsed(env, "m", accepted, timeout=180)
        span = max(done.values()) - t0
        latencies = [done[m] - sent[m] for m in done]
        print(
            f"max rate  {MAX_SECONDS}s flat out: webhook accepted {accept_rate:.0f}/s;"
            f" {len(done)} leads parsed in {span:.1f}s = {len(done) / span:.0f} leads/s"
            f" sustained (webhook→parsed p50 {percentile(latencies, 50):.1f}s,"
            f" p99 {percentile(latencies, 99):.1f}s: the queue grows when ingest outruns parsing)"
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
