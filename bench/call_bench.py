"""Call bridge benchmark: lead e-mail webhook → stored → parsed → routed → the salesperson's phone
is dialled, i.e. the local fake of Twilio's REST API receives POST .../Calls.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealerlms_phone \
    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/call_bench.py \
        [--rate 50] [--seconds 20] [--sellers 10] [--processes 3]

Reuses bench/ingest_bench.py's database, gunicorn and Celery worker (subprocesses) with the call
bridge switched on for the bench dealership and TWILIO_API_BASE pointed at a fake of Twilio's
REST API that this process serves on 127.0.0.1 (a thread): it answers 201 with a call SID as
Twilio does and notes when each call request arrived. Latency per lead: that arrival minus the
moment the client started the webhook POST (both on this machine's clock). Prints its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest_bench as ingest

WEB_PORT = 8121
FAKE_PORT = 8120
CALL_ID = re.compile(rb"calls%2Ftwilio%2F(\d+)%2Fagent")

ingest.PORT = WEB_PORT  # this helper's ports

SETUP_CALLS = """
from accounts.models import User
from calls.models import CallSettings
from dealers.models import Dealership
d = Dealership.objects.get(slug="bench")
d.phone = "+31201234567"
d.save()
CallSettings.objects.create(dealership=d, bridge_on_assignment=True)
for n, user in enumerate(User.objects.filter(username__startswith="seller")):
    user.phone = f"+3161000{n:04d}"
    user.save()
"""


class FakeTwilio(BaseHTTPRequestHandler):
    received: dict[int, float] = {}
    lock = threading.Lock()

    def do_POST(self) -> None:
        at = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        found = CALL_ID.search(body)
        if self.path.endswith("/Calls.json") and found:
            with self.lock:
                self.received.setdefault(int(found.group(1)), at)
        payload = json.dumps({"sid": "CA" + uuid.uuid4().hex, "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


class FakeTwilioServer(ThreadingHTTPServer):
    # A routing batch's calls arrive together (calls.services.DIAL_THREADS in flight): the
    # standard backlog of 5 would refuse connections that Twilio itself would take.
    request_queue_size = 256


DIALED = """SELECT c.id, m.message_id FROM calls_call c
    JOIN leads_lead l ON c.lead_id = l.id
    JOIN leads_inboundmessage m ON l.inbound_message_id = m.id
    WHERE m.message_id LIKE %s"""


def call_ids(env: dict[str, str], prefix: str) -> dict[int, str]:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(env["DATABASE_URL"])
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(DIALED, (f"<bench-{prefix}-%",)).fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=50, help="leads/s")
    parser.add_argument("--seconds", type=int, default=20, help="steady phase, seconds")
    parser.add_argument("--sellers", type=int, default=10)
    parser.add_argument("--processes", type=int, default=3, help="Celery worker processes")
    args = parser.parse_args()
    ingest.STEADY_SECONDS = args.seconds
    env = {
        **ingest.bench_env(),
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "bench-token",
        "TWILIO_FROM_NUMBER": "+3197010000000",
        "TWILIO_API_BASE": f"http://127.0.0.1:{FAKE_PORT}",
        # The assignees' e-mail notifications are not what this measures: kept in memory.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    print(f"database {env['DATABASE_URL']}, redis {env.get('REDIS_URL')}; {vars(args)}", flush=True)
    print(f"machine   {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    fake = FakeTwilioServer(("127.0.0.1", FAKE_PORT), FakeTwilio)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    ingest.create_database(env, args.sellers)
    import subprocess

    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP_CALLS],
        cwd=ingest.ROOT, env=env, check=True,
    )  # fmt: skip
    procs = ingest.start(env, args.processes)
    try:
        for n in range(20):  # warm the workers' imports and connections
            ingest.post_webhook(100000 + n, "w", {})
        time.sleep(5)
        sent: dict[str, float] = {}
        statuses = ingest.steady(sent, args.rate)
        expected = len(statuses)
        deadline = time.monotonic() + 60
        by_call: dict[int, str] = {}
        while time.monotonic() < deadline:
            by_call = call_ids(env, "s")
            if len(by_call) >= expected and all(c in FakeTwilio.received for c in by_call):
                break
            time.sleep(0.5)
        dialed = {m: FakeTwilio.received[c] for c, m in by_call.items() if c in FakeTwilio.received}
        routed = ingest.wait_for(env, ingest.ROUTED, "s", expected, timeout=5)
        print(
            f"steady    {args.rate} leads/s for {args.seconds}s: webhook 2xx"
            f" {statuses.count(200)}/{expected}, salesperson dialled for {len(dialed)};"
            f" webhook→routed {ingest.describe(routed, sent)};"
            f" webhook→Twilio REST call received {ingest.describe(dialed, sent)};"
            f" load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        fake.shutdown()


if __name__ == "__main__":
    main()
