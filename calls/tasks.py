"""Celery tasks of calls: thin — they take ids; the services lock the call's row, so a task run
twice dials once."""

from celery import shared_task
from django.db import OperationalError

from calls import services
from core import jobs


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    priority=jobs.SPEED_TO_LEAD,
)
def start_bridge(lead_id: int, agent_id: int, dealership_id: int | None = None) -> None:
    services.start_bridges(pairs=[(lead_id, agent_id, dealership_id)])


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    priority=jobs.SPEED_TO_LEAD,
)
def start_bridges(pairs: list[list[int]]) -> None:
    """[lead id, assignee id, dealership id] of one routing batch. A call already dialled is not
    dialled again when the job runs twice (one live bridge per lead and person)."""
    services.start_bridges(pairs=[tuple(pair) for pair in pairs])


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    priority=jobs.SPEED_TO_LEAD,
)
def dial(call_id: int) -> None:
    services.dial(call_id=call_id)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    priority=jobs.SPEED_TO_LEAD,
)
def pass_to_next(lead_id: int) -> None:
    services.pass_to_next(lead_id=lead_id)


@shared_task
def dial_due() -> int:
    """Every minute: retries and calls that waited for the opening."""
    return services.dial_due()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def delete_recordings(sids: list[str]) -> int:
    """Recordings of an erased customer's calls, deleted at Twilio (GDPR erasure)."""
    return services.delete_recordings(sids=sids)
