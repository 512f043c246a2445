"""The test suite keeps to itself: its Celery tasks travel on a queue of its own (a running app's
worker on the same Redis cannot take them), and it leaves no test database behind, even when a
thread (a live worker's, a test's own) still holds a connection when the run ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest
from django.db import connection

from tests.conftest import TEST_QUEUE
from tests.firstrun import ROOT


def test_tasks_sent_by_a_test_go_to_the_tests_own_queue(settings):
    from dealerlms.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    probe = f"tests.isolation-probe-{uuid.uuid4().hex[:8]}"
    try:
        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            app.send_task(probe, connection=conn)
            waiting = [json.loads(m)["headers"]["task"] for m in client.lrange(TEST_QUEUE, 0, -1)]
            assert probe in waiting
            assert TEST_QUEUE != "celery"  # the queue every worker of the app listens on
            client.delete(TEST_QUEUE)
    finally:
        app.conf.task_always_eager = True


_parked = threading.Event()


@pytest.mark.django_db(transaction=True)
def test_a_thread_keeps_a_connection_open():
    """Run on its own by the test below: a thread holds a connection until the process ends,
    as a live worker's threads may."""
    opened = threading.Event()

    def hold() -> None:
        from django.db import connection as own

        own.ensure_connection()
        opened.set()
        _parked.wait()  # never set: the connection lives until the process exits

    threading.Thread(target=hold, daemon=True).start()
    assert opened.wait(10)


@pytest.mark.postgres
def test_no_test_database_is_left_behind(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's test database lives in memory")
    base = connection.settings_dict["NAME"].removeprefix("test_")
    name = f"{base}_teardown_{uuid.uuid4().hex[:6]}"
    url = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0] + "/" + name
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_a_thread_keeps_a_connection_open",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname = %s", [f"test_{name}"])
        left = cursor.fetchall()
        if left:  # tidy up, then fail
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [f"test_{name}"],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "test_{name}"')
    assert left == [], "test database left behind"
