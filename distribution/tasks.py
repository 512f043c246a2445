"""Celery tasks of distribution: thin — they take ids, and the services lock fresh rows."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core import jobs, logs
from distribution import escalation, queues, routing, selectors

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=8,
    priority=jobs.SPEED_TO_LEAD,
)
def route_lead(lead_id: int) -> None:
    """Route a new lead. Safe to run twice: a routed lead is left alone."""
    routing.route_lead(lead_id=lead_id)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=8,
    priority=jobs.SPEED_TO_LEAD,
)
def route_leads(lead_ids: list[int]) -> None:
    """Route the leads one write created together, in one transaction. Safe to run twice:
    routed leads are left alone. Should the batch fail for another reason than the database,
    each lead is routed on its own, so that one lead at fault holds up no other."""
    try:
        routing.route_leads(lead_ids=lead_ids)
    except OperationalError:
        raise
    except Exception:
        if len(lead_ids) == 1:
            raise
        logs.exception_without_text(
            logger, "routing %d leads together failed: routing each alone", len(lead_ids)
        )
        for lead_id in lead_ids:
            route_lead.delay(lead_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def check_failed_attempts(lead_id: int) -> None:
    queues.move_to_bdc_after_failed_attempts(lead_id=lead_id)


@shared_task
def escalate_overdue() -> int:
    """Every minute: passed first-contact deadlines; and leads that waited for someone free."""
    escalated = escalation.escalate_overdue()
    routing.retry_waiting()
    return escalated


@shared_task
def queue_reactivations() -> int:
    return queues.queue_reactivations()


@shared_task
def route_forgotten(older_than_seconds: int = 30) -> int:
    """Beat, every 30 s: a lead whose routing job was lost is routed within a minute, once
    (route_leads leaves routed leads alone)."""
    ids = selectors.forgotten_lead_ids(
        now=timezone.now(),
        older_than=timedelta(seconds=older_than_seconds),
        within=timedelta(days=2),
    )
    if ids:
        logger.warning("routing %d lead(s) whose routing job was lost", len(ids))
        routing.route_leads(lead_ids=ids)
    return len(ids)
