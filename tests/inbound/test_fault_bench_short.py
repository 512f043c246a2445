"""The fault benchmark, short (bench/fault_bench.py): leads keep coming in over signed Mailgun
webhooks while the worker is killed with SIGKILL (twice), Redis restarts and a PostgreSQL cluster of
the test's own stops for a few seconds. Nothing is lost or doubled, every lead is routed, and the
worst delay stays under 90 s. Services are all private: the shared Redis and PostgreSQL are never
touched."""

import pytest
from django.db import connection

from bench import fault_bench, faultkit

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _test_database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.skipif(faultkit.postgres_bin() is None, reason="no initdb for a private PostgreSQL")
def test_no_lead_is_lost_doubled_or_left_unrouted_under_faults(transactional_db):
    figures = fault_bench.run_bench(
        seconds=8, rate=3, settle=30, sweep=2, schema_from=_test_database_url(), pg_down=3
    )

    assert not figures["notes"], figures
    assert len(figures["faults"]) == 4, figures
    assert figures["sent"] == 24 and figures["answered 2xx in the end"] == 24, figures
    assert figures["answered 2xx at the first try"] < 24, figures  # the faults did bite
    assert figures["lost"] == 0 and figures["duplicates"] == 0, figures
    assert figures["leads"] == 24 and figures["unrouted after one minute"] == 0, figures
    assert figures["worst delay s"] < 90, figures
