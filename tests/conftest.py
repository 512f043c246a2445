import pytest
from django.conf import settings
from django.db import connection

from tests.factories import DealershipFactory, manager, salesperson


def pytest_report_header(config) -> list[str]:  # noqa: ANN001
    db = settings.DATABASES["default"]
    where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST')}:{db.get('PORT')}"
    return [f"database: {connection.vendor} ({where}); redis: {settings.REDIS_URL}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    terminalreporter.write_line(f"Tests ran on {connection.vendor}.")


@pytest.fixture(autouse=True)
def _eager_celery(settings) -> None:  # noqa: ANN001
    # Tasks run in-process in ordinary tests (our real task code, synchronously); the e2e tests
    # start a real worker instead.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from dealerlms.celery import app

    app.conf.task_always_eager = True


@pytest.fixture
def dealership(db):  # noqa: ANN001, ANN201
    return DealershipFactory()


@pytest.fixture
def seller(dealership):  # noqa: ANN001, ANN201
    return salesperson(dealership)


@pytest.fixture
def boss(dealership):  # noqa: ANN001, ANN201
    return manager(dealership)
