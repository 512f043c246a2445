"""distribution reacts to what leads announce: new leads are routed, a failed contact attempt
may hand the lead to the BDC. Work starts in Celery once the events' transaction commits: one
job for all the leads a batch created (an inbound batch writes dozens at once)."""

from functools import partial

from django.db import transaction

from leads.models import ContactOutcome, EventKind


def on_lead_events(sender, events, **kwargs) -> None:
    from distribution import tasks

    created = [event.lead_id for event in events if event.kind == EventKind.CREATED]
    if created:
        transaction.on_commit(lambda: tasks.route_leads.delay(created))
    for event in events:
        if event.kind == EventKind.CONTACT_ATTEMPT and event.outcome != ContactOutcome.REACHED:
            transaction.on_commit(partial(tasks.check_failed_attempts.delay, event.lead_id))
