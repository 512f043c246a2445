"""Memory and time of one e-mail with a 30 MB attachment: received through the Mailgun webhook,
then parsed by the worker; this tree against an earlier commit, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dlms_attach \
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/attachment_bench.py \
        [--baseline REF] [--rounds 2] [--megabytes 30]

The message is what a mail client sends for a website form with a brochure: a text part with
the lead (name, e-mail, phone, vehicle) and a `--megabytes` PDF of random bytes, base64 (so a
30 MB attachment is a 41 MB message and a 41 MB `body-mime` field). The baseline is the whole
repository at the git commit REF (default: main before the attachment work of issue 13),
unpacked with `git archive`; each tree gets a fresh database (<name>_bench_before/_after,
migrated by its own migrations, dropped at the end) and a temporary MEDIA_ROOT.

Each figure comes from a Python process of its own, so that one phase's high-water mark does
not hide the next one's:

1. receive: the signed Mailgun POST handed to Django's WSGI handler (middleware, anymail, our
   receiver, the row and the file), as gunicorn would; the request body is built before the
   measurement starts;
2. parse: the parse job's batch (`inbound.ingest.parse_next_batch`): read the stored message,
   its parts, the lead.

Peak memory is the growth of the process's maximum resident set (ru_maxrss) over what it held
just before the phase (after a warm-up with a small message: imports, connections); time is
wall-clock. Prints both per phase, before and after, the median of `--rounds`, and whether the
message became a lead.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchdb import bench_database_url, recreate

ROOT = Path(__file__).resolve().parent.parent
BEFORE_ATTACHMENTS = "61c0f01"  # main before issue 13's large-attachment work
KEY = "bench-signing-key"
SECRET = "bench:bench"  # noqa: S105 — a throwaway basic-auth pair for the bench
TO = "bench@leads.dealerlms.example"

# Runs in each tree's own process: argv = phase, megabytes, round; prints JSON.
CHILD = r"""
import base64, gc, hashlib, hmac, io, json, os, resource, sys, time, uuid
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from email.message import EmailMessage
from email.policy import SMTP
from inbound import ingest
from leads.models import InboundMessage, Lead

phase, megabytes, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TO, KEY, SECRET = os.environ["BENCH_TO"], os.environ["BENCH_KEY"], os.environ["BENCH_SECRET"]
ingest.kick_parsing = lambda: None  # the bench runs the parse job itself (phase 2)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def email(n, size):
    msg = EmailMessage()
    msg["From"] = "Website <formulier@garage.example>"
    msg["To"] = TO
    msg["Subject"] = "Offerte aanvraag Ligier JS50"
    msg["Message-ID"] = f"<bench-{run}-{n}@garage.example>"
    msg["Date"] = "Mon, 19 Oct 2026 10:00:00 +0200"
    msg.set_content(
        f"Naam: Ruud Verbeek {n}\nE-mail: ruud{n}.{run}@example.nl\n"
        f"Telefoon: 06{11223344 + n + 10 * int(run[1:])}\n"
        "Merk: Ligier\nModel: JS50\nOpmerking: brochure en offerte graag\n"
    )
    if size:
        msg.add_attachment(os.urandom(size), maintype="application", subtype="pdf",
                           filename="brochure.pdf")
    return msg.as_bytes(policy=SMTP)  # CRLF, as on the wire


def webhook_environ(raw):
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    body = encode_multipart(BOUNDARY, {
        "body-mime": raw.decode("utf-8", "surrogateescape"), "recipient": TO,
        "sender": "formulier@garage.example", "timestamp": timestamp, "token": token,
        "signature": signature})
    auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/anymail/mailgun/inbound_mime/",
        "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "REMOTE_ADDR": f"10.0.{len(run)}.{n_addr()}",
        "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": auth,
        "CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def n_addr(counter=[0]):
    counter[0] += 1
    return counter[0]


handler = WSGIHandler()


def post(environ):
    answer = []
    result = handler(environ, lambda status, headers, exc_info=None: answer.append(status))
    b"".join(result)
    result.close()
    return answer[0]


if phase == "receive":
    assert post(webhook_environ(email(0, 0))).startswith("200")  # warm-up
    environ = webhook_environ(email(1, megabytes * 1024 * 1024))
    size = int(environ["CONTENT_LENGTH"])
    gc.collect()
    before, started = rss_mb(), time.monotonic()
    status = post(environ)
    seconds, peak = time.monotonic() - started, rss_mb() - before
    stored = InboundMessage.objects.order_by("-pk").first()
    print(json.dumps({"peak_mb": peak, "seconds": seconds, "status": status, "body": size,
                      "row_bytes": len(stored.raw or b"")}))
elif phase == "parse":
    ingest.parse_next_batch()  # warm-up: the small message
    gc.collect()
    before, started = rss_mb(), time.monotonic()
    ingest.parse_next_batch()
    seconds, peak = time.monotonic() - started, rss_mb() - before
    message = InboundMessage.objects.order_by("-pk").first()
    lead = Lead.objects.filter(inbound_message=message).first()
    print(json.dumps({"peak_mb": peak, "seconds": seconds, "status": message.status,
                      "lead": lead.customer.full_name if lead else None,
                      "reason": message.failure_reason}))
"""

SETUP = f"""
from dealers.models import DealerGroup, Dealership
group = DealerGroup.objects.create(name="Bench")
Dealership.objects.create(group=group, name="Bench", slug="bench", country="NL",
    time_zone="Europe/Amsterdam", language="nl", inbound_address="{TO}")
"""


def unpack(ref: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def tree_env(tree: Path, database_url: str, media: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "dealerlms.settings",
        "PYTHONPATH": str(tree),
        "DEBUG": "false",
        "MEDIA_ROOT": str(media),
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": KEY,
        "ANYMAIL_WEBHOOK_SECRET": SECRET,
        "BENCH_TO": TO,
        "BENCH_KEY": KEY,
        "BENCH_SECRET": SECRET,
    }


def prepare(tree: Path, env: dict[str, str], admin: str, name: str) -> None:
    recreate(admin, name)
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=tree, env=env, check=True)
    subprocess.run([*run, "shell", "-v0", "-c", SETUP], cwd=tree, env=env, check=True)


def phase(tree: Path, env: dict[str, str], name: str, megabytes: int, run: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, name, str(megabytes), run],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BEFORE_ATTACHMENTS, help="git commit of the baseline")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=30, help="size of the attachment")
    args = parser.parse_args()
    url, admin, name = bench_database_url()
    figures: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "before"
        unpack(args.baseline, baseline)
        trees = {"before": baseline, "after": ROOT}
        envs = {}
        for label, tree in trees.items():
            db = f"{name}_{label}"
            envs[label] = tree_env(tree, url.rsplit("/", 1)[0] + "/" + db, Path(tmp) / label)
            prepare(tree, envs[label], admin, db)
        try:
            for round_ in range(args.rounds):
                for label, tree in trees.items():
                    for step in ("receive", "parse"):
                        result = phase(tree, envs[label], step, args.megabytes, f"r{round_}")
                        figures.setdefault((label, step), []).append(result)
        finally:
            for label in trees:
                recreate(admin, f"{name}_{label}", drop_only=True)
    body = figures[("after", "receive")][0]["body"]
    print(
        f"one e-mail with a {args.megabytes} MB PDF (webhook body {body / 1e6:.1f} MB): "
        f"this tree against {args.baseline}, median of {args.rounds} rounds"
    )
    print(f"{'phase':<8} {'':<7} {'peak MB':>8} {'seconds':>8}  outcome")
    for step in ("receive", "parse"):
        for label in ("before", "after"):
            runs = figures[(label, step)]
            peak = statistics.median(r["peak_mb"] for r in runs)
            seconds = statistics.median(r["seconds"] for r in runs)
            last = runs[-1]
            outcome = (
                f"{last['status']}, {last['row_bytes'] / 1e6:.1f} MB in the row"
                if step == "receive"
                else f"{last['status']} {last['lead'] or last['reason']}"
            )
            print(f"{step:<8} {label:<7} {peak:>8.0f} {seconds:>8.2f}  {outcome}")


if __name__ == "__main__":
    main()
