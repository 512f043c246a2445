"""Jobs that drain a queue kept in the database (parse what waits, send what is due) need to be
started when work arrives, but once for many arrivals, not once per row: a Celery message per
lead costs more than the lead's own work.

queue_once() queues the job unless a run is already queued (a flag in the cache, set with SET NX);
the job calls started() before it looks for work, so work stored after that queues the next run
and nothing is left waiting. The flag expires, so a queued run that got lost does not block the
next one for long (and the beat schedule drains what waits anyway)."""

from django.core.cache import cache

FLAG_SECONDS = 10


def queue_once(task, key: str) -> None:
    if cache.add(f"job-queued:{key}", 1, timeout=FLAG_SECONDS):
        task.delay()


def started(key: str) -> None:
    cache.delete(f"job-queued:{key}")
