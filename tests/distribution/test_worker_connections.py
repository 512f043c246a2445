"""A worker keeps its database connection from one task to the next (a new PostgreSQL backend
for every job costs its catalog caches: routing a lead took twice the database time), and
drops one that broke or is older than CONN_MAX_AGE, as Django does around a request."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

import dealerlms.celery
from dealerlms.celery import app, close_old_connections
from distribution.tasks import route_lead


def _around_a_task(*, eager: bool = False) -> None:
    route_lead.push_request(is_eager=eager)
    try:
        close_old_connections(sender=route_lead)
    finally:
        route_lead.pop_request()


def _kill(pid: int) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
        password=db["PASSWORD"] or None, autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_worker_settings_keep_connections():
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX >= 100
    if connection.vendor == "postgresql":  # SQLite's connections are never kept
        assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


@pytest.fixture
def prefork_child(monkeypatch):
    monkeypatch.setattr(dealerlms.celery, "_keep_connections", True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_healthy_connection_is_kept_and_a_broken_one_replaced(prefork_child):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backends")
    first = _backend()
    _around_a_task()
    assert _backend() == first  # kept: same backend
    _kill(first)
    with pytest.raises(Exception):  # noqa: B017 — whichever error the driver raises
        _backend()
    assert connection.errors_occurred
    _around_a_task(eager=True)  # an eager task runs in its caller's context: not touched
    assert connection.connection is not None
    _around_a_task()
    assert connection.connection is None  # closed; the next query opens a new one
    assert _backend() != first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_older_than_conn_max_age_is_closed(prefork_child, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backends")
    first = _backend()
    monkeypatch.setattr(connection, "close_at", 0.0)  # as if CONN_MAX_AGE had passed
    _around_a_task()
    assert _backend() != first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_prefork_child_every_task_closes_its_connection():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backends")
    assert dealerlms.celery._keep_connections is False
    first = _backend()
    _around_a_task()
    assert connection.connection is None and _backend() != first
