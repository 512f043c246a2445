"""Celery tasks of the leads app: thin — they take ids (or nothing: "what waits"), load fresh rows
and call inbound.ingest."""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core import jobs
from inbound import ingest
from leads.models import InboundMessage


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=8,
    priority=jobs.SPEED_TO_LEAD,
)
def parse_received_messages() -> int:
    """Parse every message that waits, a batch at a time, until none does; returns how many.
    Safe to run twice and side by side: each batch claims rows no other job holds (SKIP
    LOCKED), and only a message still 'received' is parsed."""
    jobs.started(ingest.PARSE_JOB)
    done = 0
    while claimed := ingest.parse_next_batch():
        done += claimed
    return done


@shared_task
def requeue_waiting_messages(older_than_seconds: int = 120) -> int:
    """Messages stored but never parsed (the broker was down when they arrived, or their job
    was lost): start a parse job. Returns how many waited that long."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    waiting = InboundMessage.objects.filter(
        status=InboundMessage.Status.RECEIVED, received_at__lt=cutoff
    ).count()
    if waiting:
        parse_received_messages.delay()
    return waiting
