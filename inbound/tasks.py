"""Celery tasks of the leads app: thin — they take ids (or nothing: "what waits"), load fresh rows
and call inbound.ingest."""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from core import jobs
from inbound import ingest
from leads.models import InboundMessage


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def parse_received_messages() -> int:
    """Parse every message that waits, a batch at a time, until none does; returns how many.
    Safe to run twice and side by side: each batch claims rows no other job holds (SKIP
    LOCKED), and only a message still 'received' is parsed."""
    jobs.started(ingest.PARSE_JOB)
    done = 0
    while claimed := ingest.parse_next_batch():
        done += claimed
    return done


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def parse_inbound_message(message_id: int) -> None:
    """Parse one stored message (what earlier versions queued per message; jobs still in the
    broker at an upgrade run here). Safe to run twice: only a message still 'received' is
    parsed, and the row lock makes a concurrent second run wait and then find it done."""
    with transaction.atomic():
        message = (
            InboundMessage.objects.select_for_update(of=("self",))
            .select_related("dealership", "source")
            .filter(pk=message_id, status=InboundMessage.Status.RECEIVED)
            .first()
        )
        if message is not None:
            ingest.process_message(message=message)


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
