"""Work arriving together shares one draining job (core.jobs): many inbound messages one
parse job, many due messages one dispatcher run — counted on the real Redis broker."""

import pytest

from automation.tasks import dispatch
from inbound import ingest
from inbound.tasks import parse_received_messages
from leads import services as leads
from tests.automation_helpers import new_lead
from tests.factories import DealershipFactory, salesperson
from tests.inbound.test_ingest_batch import lead_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    """Jobs go to the real Redis broker instead of running in-process; emptied before and after."""
    from dealerlms.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.control.purge()
    yield app
    app.control.purge()
    app.conf.task_always_eager = True


def queued(app, task) -> int:
    """How many runs of `task` wait in the broker's default queue (the test run's own), at any
    priority (Redis keeps one list per priority step)."""
    import json

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        queue = app.conf.task_default_queue
        return sum(
            json.loads(raw)["headers"]["task"] == task.name
            for step in channel.priority_steps
            for raw in channel.client.lrange(channel._q_for_pri(queue, step), 0, -1)
        )


def test_messages_arriving_together_share_one_parse_job(broker, django_capture_on_commit_callbacks):
    dealership = DealershipFactory()

    def deliver(n: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            ingest.store_message(
                channel="api", raw=lead_json(f"H{n}"), dealership=dealership, message_id=f"<{n}@x>"
            )

    for n in range(5):
        deliver(n)
    assert queued(broker, parse_received_messages) == 1

    broker.control.purge()
    assert parse_received_messages() == 5  # the job: everything that waits

    deliver(5)
    assert queued(broker, parse_received_messages) == 1  # it had started: the next one queues


def test_assignments_together_share_one_dispatcher_run(
    broker, dealership, django_capture_on_commit_callbacks
):
    seller = salesperson(dealership)
    fresh = [new_lead(dealership) for _ in range(4)]
    broker.control.purge()

    for lead in fresh:
        with django_capture_on_commit_callbacks(execute=True):
            leads.assign_lead(lead=lead, to=seller)  # each: a notification e-mail due now
    assert queued(broker, dispatch) == 1

    broker.control.purge()
    assert dispatch() == 4  # the run sends all four

    with django_capture_on_commit_callbacks(execute=True):
        leads.assign_lead(lead=new_lead(dealership), to=seller)
    assert queued(broker, dispatch) == 1
