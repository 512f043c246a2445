"""The Celery worker survives a restart of its broker: a real worker process (prefork, as in
production) on a Redis of this test's own, against the real PostgreSQL test database. Redis is
restarted under it, twice, once with jobs in flight; the worker is still running afterwards and
does a job sent after the restarts. (The shared Redis is never restarted: it is other people's.)"""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.db import connection

from bench.faultkit import PrivateRedis, app_env, kill_group, start_worker, wait_until, worker_ready
from inbound import ingest
from leads.models import InboundMessage
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, SourceFactory

TO = "restart@leads.dealerlms.example"
PARSE = "inbound.tasks.parse_received_messages"


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _store(dealership, n: int) -> InboundMessage:
    raw = wire.email_to(wire.sample("adf-tradein.eml"), TO)
    return ingest.store_message(
        channel="email",
        raw=raw,
        dealership=dealership,
        provider="mailgun",
        message_id=f"<restart-{n}@portal.example>",
        recipient=TO,
        sender="leads@portal.example",
        enqueue=False,  # the job goes to the private broker below, not the tests' one
    )


def _handled(message: InboundMessage) -> bool:
    message.refresh_from_db()
    return message.status != InboundMessage.Status.RECEIVED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process needs PostgreSQL")
def test_the_worker_survives_redis_restarts_and_works_afterwards(transactional_db, tmp_path):
    dealership = DealershipFactory(inbound_address=TO)
    SourceFactory(dealership=dealership, name="Marktplaats", sender_patterns="portal.example")
    redis = PrivateRedis(str(tmp_path)).start()
    log = tmp_path / "worker.log"
    worker = start_worker(app_env(database_url=_database_url(), redis_url=redis.url()), log)
    sender = Celery("sender", broker=redis.url(), set_as_current=False)
    try:
        wait_until(lambda: worker_ready(log), 60, "worker ready")
        first = _store(dealership, 1)
        sender.send_task(PARSE)
        wait_until(lambda: _handled(first), 30, "a job before any restart")

        redis.restart(down_seconds=1)
        # Jobs in flight (sent, then the broker goes away under them), and a longer outage.
        for _ in range(3):
            sender.send_task(PARSE)
        time.sleep(0.2)
        redis.restart(down_seconds=5)

        time.sleep(3)
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        after = _store(dealership, 2)
        sender = Celery("sender-again", broker=redis.url(), set_as_current=False)
        sender.send_task(PARSE)
        wait_until(lambda: _handled(after), 60, "a job sent after the restarts")
        # The same customer asking again: merged into the first lead; either way handled.
        assert after.status in {InboundMessage.Status.PARSED, InboundMessage.Status.MERGED}
        assert worker.poll() is None
        assert "Unrecoverable error" not in log.read_text(errors="replace")
    finally:
        kill_group(worker)
        redis.stop()
