"""Jobs that drain a queue kept in the database (parse what waits, send what is due) need to be
started when work arrives, but once for many arrivals, not once per row: a Celery message per
lead costs more than the lead's own work.

queue_once() queues the job unless a run is already queued (a flag in the cache, set with SET NX);
the job calls started() before it looks for work, so work stored after that queues the next run
and nothing is left waiting. The flag expires, so a queued run that got lost does not block the
next one for long (and the beat schedule drains what waits anyway)."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)

FLAG_SECONDS = 10
# Celery job priority on Redis, where 0 is taken first. The jobs between an inbound lead and the
# salesperson's phone (parse, route, dial) go before everything that can wait a few seconds,
# which runs at settings.CELERY_TASK_DEFAULT_PRIORITY: under a burst of leads the phone rings
# first and the notifications, follow-up tasks and automations catch up after.
SPEED_TO_LEAD = 0


def queue_once(task, key: str) -> None:
    """Runs after a commit: with Redis away (restarting), the work is stored all the same and
    the beat sweeps start its job within a minute; the request that stored it must not fail."""
    try:
        if cache.add(f"job-queued:{key}", 1, timeout=FLAG_SECONDS):
            task.delay()
    except Exception as error:  # redis-py and kombu each have their own connection errors
        log.warning("job %s not queued (%s): the sweep will start it", key, type(error).__name__)


def started(key: str) -> None:
    cache.delete(f"job-queued:{key}")
