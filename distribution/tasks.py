"""Celery tasks of distribution: thin — they take ids, and the services lock fresh rows."""

from celery import shared_task
from django.db import OperationalError

from distribution import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def route_lead(lead_id: int) -> None:
    """Route a new lead. Safe to run twice: a routed lead is left alone."""
    services.route_lead(lead_id=lead_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def route_leads(lead_ids: list[int]) -> None:
    """Route the leads one write created together, each in its own transaction. Safe to run
    twice, or after a retry that stopped halfway: routed leads are left alone."""
    for lead_id in lead_ids:
        services.route_lead(lead_id=lead_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def check_failed_attempts(lead_id: int) -> None:
    services.move_to_bdc_after_failed_attempts(lead_id=lead_id)


@shared_task
def escalate_overdue() -> int:
    """Every minute: passed first-contact deadlines; and leads that waited for someone free."""
    escalated = services.escalate_overdue()
    services.retry_waiting()
    return escalated


@shared_task
def queue_reactivations() -> int:
    return services.queue_reactivations()
