"""Celery tasks of forwarding: thin, safe to run twice (a delivery is claimed before it is sent)."""

from celery import shared_task

from core import jobs
from integrations import services


@shared_task
def send_due_deliveries() -> int:
    """Send every delivery that is due, until none is; the beat runs it each minute for retries."""
    jobs.started(services.FORWARD_JOB)
    sent = 0
    while ids := services.due_delivery_ids():
        done = [services.deliver(delivery_id=pk) for pk in ids]
        sent += sum(d is not None for d in done)
        if not any(done):
            break
    return sent
