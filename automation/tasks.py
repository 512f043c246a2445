"""Celery tasks: thin, safe to run twice (the dispatcher only ever claims pending rows)."""

from celery import shared_task

from automation import dispatcher
from core import jobs

# The flag that makes many "send what is due" kicks share one run (core.jobs, outbox).
DISPATCH_JOB = "automation.dispatch"


@shared_task(ignore_result=True)
def dispatch(budget_seconds: float = 8.0) -> int:
    """Driven by beat (CELERY_BEAT_SCHEDULE) and kicked on commit when something is due now."""
    jobs.started(DISPATCH_JOB)
    return dispatcher.dispatch_due(budget_seconds=budget_seconds)
