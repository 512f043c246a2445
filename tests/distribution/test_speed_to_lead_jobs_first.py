"""Under a burst of leads the worker takes the jobs between a lead and the salesperson's phone
(parse, route, dial) before the jobs that can wait (automations, follow-up tasks), through the
real Redis broker: a route job queued after a backlog is the next one a worker receives."""

from __future__ import annotations

import uuid

import pytest

from automation import tasks as automation_tasks
from calls import tasks as call_tasks
from dealerlms.celery import app
from distribution import tasks as distribution_tasks
from followup import tasks as followup_tasks
from inbound import tasks as inbound_tasks


@pytest.fixture
def backlog_queue(settings):
    """A queue of this test only, with no worker on it: jobs wait there as under a burst."""
    name = f"dealerlms-priority-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    with app.connection_for_write() as connection:
        yield name, connection
        connection.SimpleQueue(name).clear()
    app.conf.task_always_eager = True


def _next_job(connection, queue: str) -> str:
    with connection.SimpleQueue(queue) as waiting:
        message = waiting.get(timeout=2)
        message.ack()
        return message.headers["task"]


def test_the_phone_jobs_overtake_a_backlog(backlog_queue):
    queue, connection = backlog_queue
    for _ in range(5):
        automation_tasks.dispatch.apply_async(queue=queue)
        followup_tasks.react_to_events.apply_async(args=[[]], queue=queue)
    distribution_tasks.route_leads.apply_async(args=[[1]], queue=queue)
    call_tasks.start_bridge.apply_async(args=[1, 2], queue=queue)
    inbound_tasks.parse_received_messages.apply_async(queue=queue)

    first = {_next_job(connection, queue) for _ in range(3)}
    assert first == {
        "distribution.tasks.route_leads",
        "calls.tasks.start_bridge",
        "inbound.tasks.parse_received_messages",
    }
    assert _next_job(connection, queue) in {
        "automation.tasks.dispatch",
        "followup.tasks.react_to_events",
    }
