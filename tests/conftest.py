import uuid

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import DealershipFactory, manager, salesperson
from tests.sns_edge import sns_edge  # noqa: F401 — Amazon SNS's certificate host, faked (fixture)
from tests.twilio_edge import twilio  # noqa: F401 — Twilio faked at its HTTP edge (fixture)

# The tests' Celery tasks go to a queue of this run only: an app (or another test run) using the
# same Redis has workers on the default queue, and they must never take the tests' tasks.
TEST_QUEUE = f"dealerlms-tests-{uuid.uuid4().hex[:12]}"


def pytest_configure(config) -> None:
    # Tests create many people; strong password hashing would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_DEFAULT_QUEUE = TEST_QUEUE
    from dealerlms.celery import app

    app.conf.task_default_queue = TEST_QUEUE


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the connections other threads left open (a live
    worker's threads, a test's own threads): PostgreSQL refuses to drop a database "being
    accessed by other users", and the database would be left behind."""
    yield
    with django_db_blocker.unblock():
        _end_other_connections()


def pytest_report_header(config) -> list[str]:
    db = settings.DATABASES["default"]
    where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST')}:{db.get('PORT')}"
    return [f"database: {connection.vendor} ({where}); redis: {settings.REDIS_URL}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    terminalreporter.write_line(f"Tests ran on {connection.vendor}.")


@pytest.fixture(autouse=True)
def _eager_celery(settings) -> None:
    # Tasks run in-process in ordinary tests (our real task code, synchronously); the e2e tests
    # start a real worker instead.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from dealerlms.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, _media_root) -> None:
    """Stored files (large inbound messages, photos) go to a folder of this run, never to the
    project's media/; a test that looks at its files sets MEDIA_ROOT to its own tmp_path."""
    settings.MEDIA_ROOT = _media_root


@pytest.fixture(autouse=True)
def _own_cache_keys(settings) -> None:
    """The real Redis cache, but keys of this test only: a rate-limit counter must not carry over
    from another test (or an xdist worker whose database reuses the same primary keys)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _sns_certificates_at_their_edge(sns_edge) -> None:  # noqa: F811 — the fixture, by name
    """No test fetches a certificate from the network: Amazon SES webhooks (tests/inbound_payloads)
    are signed with the tests' own key, served at an SNS certificate URL (tests/sns_edge.py)."""


@pytest.fixture
def dealership(db):
    return DealershipFactory()


@pytest.fixture
def seller(dealership):
    return salesperson(dealership)


@pytest.fixture
def boss(dealership):
    return manager(dealership)


@pytest.fixture
def live_worker(transactional_db, settings):
    """A real Celery worker, consuming from the real Redis broker, for end-to-end tests.

    It runs in this process (a thread pool) so that it sees the test database; tasks travel
    through Redis exactly as in production. Use with `transactional_db` data only.
    """
    from celery.contrib.testing.worker import start_worker

    from dealerlms.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.task_default_queue = TEST_QUEUE
    with start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=[TEST_QUEUE],
    ):
        yield app
    app.conf.task_always_eager = True
    # The worker marks this process as one whose tasks must not wait for results (a global
    # flag that outlives it): later tests' eager `.delay().get()` would be refused.
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    _end_other_connections(in_transaction_only=True)


def _end_other_connections(*, in_transaction_only: bool = False) -> None:
    """End this test database's other connections. After a live worker: a worker thread stopped
    in the middle of a task keeps its connection, and its open transaction holds row locks that
    deadlock the flush after the test; only those (the live server's idle connections stay)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND (NOT %s OR state IN ('active', 'idle in transaction',"
            " 'idle in transaction (aborted)'))",
            [in_transaction_only],
        )


def wait_for(condition, timeout: float = 10.0, interval: float = 0.05):
    """Poll `condition()` until it is truthy; returns its value or fails after `timeout` s."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
