"""Dispatcher benchmark: N scheduled e-mails (default 100,000) due within the same minute, two
dispatcher processes claiming them from PostgreSQL with FOR UPDATE SKIP LOCKED.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealerlms_auto \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/automation_bench.py [--actions 100000] [--spread 60] [--workers 2]

It creates its own database (<name>_bench, dropped at the end unless --keep) and migrates it.
Each worker process runs exactly what the beat-driven Celery task runs
(automation.dispatcher.dispatch_due), in a loop, looking again every 50 ms. The e-mail provider is
bench/counting_email.py: it records every call (the message's uid) in Redis.

Prints:
- the baseline, in the same run and process type: render + hand the same messages to the same
  provider in a plain loop, no database state at all (messages/s of one process);
- the dispatcher: lateness after the due time (the moment the row was marked sent, i.e. after the
  provider call) p50/p99/max, and messages/s;
- the proof: rows per state, provider calls, actions with more than one call (duplicates), due
  actions without a call (misses), MESSAGE_SENT lead events.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database_url, recreate  # noqa: E402 — after the path

PREFIX = "automation-bench"


def bench_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "dealerlms.settings",
        "DEBUG": "false",
        "EMAIL_BACKEND": "bench.counting_email.EmailBackend",
        "AUTOMATION_BENCH_PREFIX": PREFIX,
        "LOG_LEVEL": "WARNING",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def load(actions: int) -> dict:
    """One dealership, one enabled rule, `actions` customers with a lead each."""
    from django.db import connection

    from automation.models import MessageTemplate, Rule
    from dealers.models import DealerGroup, Dealership

    dealership = Dealership.objects.create(
        group=DealerGroup.objects.create(name="Bench group"),
        name="Bench",
        slug="bench",
        country="NL",
        language="nl",
        inbound_address="bench@leads.test",
    )
    template = MessageTemplate.objects.create(
        dealership=dealership,
        name="Confirmation",
        subject_nl="Bedankt voor uw aanvraag bij {{ dealership }}",
        body_nl="Beste {{ customer_name }},\n\nBedankt voor uw interesse{% if vehicle %} in de "
        "{{ vehicle }}{% endif %}. We nemen snel contact met u op.\n\n{{ dealership }}",
    )
    rule = Rule.objects.create(
        dealership=dealership,
        name="Confirmation",
        trigger="created",
        to_customer=True,
        channel="email",
        template=template,
        window_start="00:00",
        window_end="23:59:59",
        window_days=[],
    )
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO leads_customer (id, dealership_id, first_name, last_name, full_name, email,"
            " street, postal_code, city, country, language, preferred_contact, consent_email,"
            " consent_sms, created_at) SELECT i, %s, 'Klant', i::text, 'Klant ' || i,"
            " 'klant' || i || '@bench.test', '', '', '', 'NL', 'nl', '', true, true, now()"
            " FROM generate_series(1, %s) i",
            [dealership.pk, actions],
        )
        cur.execute(
            "INSERT INTO leads_lead (id, dealership_id, customer_id, lead_type, is_passive, status,"
            " lost_reason, external_id, comments, extra, received_at, attempts_until_contact,"
            " updated_at) SELECT i, %s, i, 'quote', false, 'new', '', '', '', '{}', now(), 0, now()"
            " FROM generate_series(1, %s) i",
            [dealership.pk, actions],
        )
        for table in ("leads_customer", "leads_lead"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    return {"dealership": dealership, "rule": rule, "template": template}


def schedule(rule_id: int, actions: int, start, spread: float) -> None:
    """`actions` pending rows, due evenly from `start` over `spread` seconds."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO automation_scheduledaction (kind, rule_id, lead_id, recipient_kind,"
            " channel, anchor_at, due_at, state, attempts, reason, subject, body, created_at)"
            " SELECT 'rule', %s, i, 'customer', 'email', %s,"
            " %s + make_interval(secs => %s * (i - 1)::float / %s), 'pending', 0, '', '', '',"
            " now()"
            " FROM generate_series(1, %s) i",
            [rule_id, start, start, spread, actions, actions],
        )
        cur.execute("VACUUM ANALYZE automation_scheduledaction")
        cur.execute("VACUUM ANALYZE leads_lead")
        cur.execute("VACUUM ANALYZE leads_customer")


def baseline(template, count: int) -> tuple[float, float]:
    """Messages/s of one process rendering and handing messages to the same provider, with no
    database state: the floor of what sending costs on this machine, in this run; and its CPU
    seconds per message."""
    import uuid

    from automation import channels, render
    from bench import counting_email
    from leads.models import Lead

    counting_email.PREFIX = f"{PREFIX}-baseline"
    leads = list(
        Lead.objects.select_related("customer", "dealership", "vehicle", "assigned_to")[:count]
    )
    language, subject, body = template.version("nl")
    sender = channels.EmailSender()
    started, cpu_started = time.perf_counter(), time.process_time()
    for lead in leads:
        context = render.lead_context(lead, language=language, recipient_name=str(lead.customer))
        out = render.render(subject, body, context, language=language)
        sender.send(
            channels.Email(
                to=lead.customer.email,
                subject=out.subject,
                text=out.text,
                html=out.html,
                uid=str(uuid.uuid4()),
            )
        )
    sender.close()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    counting_email.client().delete(f"{PREFIX}-baseline:calls")
    counting_email.PREFIX = PREFIX
    return len(leads) / elapsed, cpu / len(leads)


def backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far, when the server runs on this
    machine (/proc readable); None otherwise."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (pid,) = cur.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def worker(until: float, batch: int) -> None:
    from automation import dispatcher
    from automation.models import ScheduledAction

    handled = 0
    cpu, db_cpu = time.process_time(), backend_cpu()
    while time.time() < until:
        handled += dispatcher.dispatch_due(batch_size=batch, budget_seconds=2.0, poll_seconds=0.05)
        if not ScheduledAction.objects.filter(state__in=["pending", "sending"]).exists():
            break
    cpu = time.process_time() - cpu
    db_end = backend_cpu()
    db_cpu = None if db_cpu is None or db_end is None else db_end - db_cpu
    print(f"worker {os.getpid()}: {handled} actions", flush=True)
    print(json.dumps({"handled": handled, "cpu": cpu, "db_cpu": db_cpu}), flush=True)


def analyse(actions: int) -> dict:
    from django.db import connection

    from bench import counting_email

    with connection.cursor() as cur:
        cur.execute("SELECT state, count(*) FROM automation_scheduledaction GROUP BY state")
        states = dict(cur.fetchall())
        cur.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), "
            " percentile_cont(0.99) WITHIN GROUP (ORDER BY s), max(s),"
            " percentile_cont(0.99) WITHIN GROUP (ORDER BY c)"
            " FROM (SELECT extract(epoch FROM finished_at - due_at) AS s,"
            "              extract(epoch FROM claimed_at - due_at) AS c"
            "       FROM automation_scheduledaction WHERE state = 'sent') t"
        )
        p50, p99, worst, claim_p99 = cur.fetchone()
        cur.execute(
            "SELECT extract(epoch FROM max(finished_at) - min(due_at)) FROM automation_scheduledaction"
        )
        (span,) = cur.fetchone()
        cur.execute("SELECT uid::text, action_id FROM automation_outboundmessage")
        action_of = dict(cur.fetchall())
        cur.execute(
            "SELECT count(*), count(DISTINCT (data->>'action_id')) FROM leads_leadevent"
            " WHERE kind = 'message_sent'"
        )
        events, event_actions = cur.fetchone()
        cur.execute("SELECT id FROM automation_scheduledaction")
        all_actions = {row[0] for row in cur.fetchall()}
    calls = [u.decode() for u in counting_email.client().lrange(f"{PREFIX}:calls", 0, -1)]
    per_action: dict[int, int] = {}
    orphans = 0
    for uid in calls:
        action = action_of.get(uid)
        if action is None:
            orphans += 1
        else:
            per_action[action] = per_action.get(action, 0) + 1
    return {
        "states": states,
        "p50": p50,
        "p99": p99,
        "max": worst,
        "claim_p99": claim_p99,
        "span": span,
        "calls": len(calls),
        "duplicates": sum(1 for n in per_action.values() if n > 1),
        "misses": len(all_actions - per_action.keys()),
        "orphans": orphans,
        "events": events,
        "event_actions": event_actions,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds the due times span")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="dispatcher.BATCH_SIZE")
    parser.add_argument("--baseline", type=int, default=10_000, help="messages in the baseline")
    parser.add_argument("--lead-in", type=float, default=10.0, help="seconds before the first due")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--until", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        import django

        django.setup()
        worker(args.until, args.batch)
        return

    url, admin, name = bench_database_url()
    env = bench_env(url)
    print(
        f"database {name}; redis {env.get('REDIS_URL')}; {args.actions} actions over "
        f"{args.spread:.0f} s; {args.workers} dispatcher processes, batches of {args.batch}",
        flush=True,
    )
    recreate(admin, name)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup_django(env)
    from django.db import connection
    from django.utils import timezone

    from bench import counting_email

    counting_email.client().delete(f"{PREFIX}:calls")
    t = time.perf_counter()
    world = load(args.actions)
    print(
        f"loaded {args.actions} customers and leads in {time.perf_counter() - t:.1f} s", flush=True
    )
    rate, base_cpu = baseline(world["template"], min(args.baseline, args.actions))
    print(
        f"baseline (render + provider call, no database state, 1 process): {rate:,.0f} messages/s",
        flush=True,
    )
    start = timezone.now() + timedelta(seconds=args.lead_in)
    schedule(world["rule"].pk, args.actions, start, args.spread)
    connection.close()
    until = time.time() + args.lead_in + args.spread + 300
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                "--until",
                str(until),
                "--batch",
                str(args.batch),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.workers)
    ]
    cpu = {"handled": 0, "cpu": 0.0, "db_cpu": 0.0}
    for process in workers:
        out, _err = process.communicate()
        lines = out.splitlines()
        print(*lines[:-1], sep="\n", flush=True)
        report = json.loads(lines[-1])
        for key in cpu:
            cpu[key] = None if cpu[key] is None or report[key] is None else cpu[key] + report[key]
    result = analyse(args.actions)
    sent = result["states"].get("sent", 0)
    print()
    print(f"rows by state: {result['states']}")
    print(
        f"provider calls: {result['calls']}; actions with more than one call (duplicates): "
        f"{result['duplicates']}; actions without a call (misses): {result['misses']}; "
        f"calls for no action: {result['orphans']}"
    )
    print(
        f"MESSAGE_SENT lead events: {result['events']} for {result['event_actions']} distinct actions"
    )
    print(
        f"lateness after due time (marked sent): p50 {result['p50']:.2f} s, p99 {result['p99']:.2f} s, "
        f"max {result['max']:.2f} s; claim p99 {result['claim_p99']:.2f} s"
    )
    throughput = sent / max(result["span"], 1e-9)
    print(
        f"dispatcher: {sent} sent, first due → last sent {result['span']:.1f} s "
        f"(the due times span {args.spread:.0f} s); demand {args.actions / args.spread:,.0f} "
        f"messages/s; the baseline loop alone: {rate:,.0f}/s per process"
    )
    ok = (
        result["duplicates"] == 0
        and result["misses"] == 0
        and result["orphans"] == 0
        and sent == args.actions == result["calls"] == result["events"]
    )
    print(
        f"zero duplicates and zero misses: {'YES' if ok else 'NO'}; "
        f"p99 under 5 s: {'YES' if result['p99'] < 5 else 'NO'}; throughput {throughput:,.0f}/s"
    )
    if cpu["handled"]:
        per = cpu["cpu"] / cpu["handled"]
        db = cpu["db_cpu"] / cpu["handled"] if cpu["db_cpu"] is not None else None
        whole = per + (db or 0)
        print(
            f"CPU per message: dispatcher {per * 1e3:.3f} ms (Python)"
            + (f" + {db * 1e3:.3f} ms (its PostgreSQL backends)" if db is not None else "")
            + f"; baseline {base_cpu * 1e3:.3f} ms: {whole / base_cpu:.1f}× the baseline; "
            f"at that cost {args.workers} dispatchers with a core each would carry "
            f"{args.workers / whole:,.0f} messages/s"
        )
    if not args.keep:
        connection.close()
        recreate(admin, name, drop_only=True)


if __name__ == "__main__":
    main()
