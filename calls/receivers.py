"""calls reacts to what leads announce: a lead given to someone may start the call bridge.
The call starts in Celery once the assignment has committed."""

from functools import partial

from django.db import transaction

from leads.models import EventKind

ASSIGNING = (EventKind.ASSIGNED, EventKind.REASSIGNED)


def on_lead_events(sender, events, **kwargs) -> None:
    from calls import services, tasks

    if not services.is_configured():  # calls are off: not even a job
        return
    pairs = [
        [event.lead_id, event.assignee_id, event.dealership_id]
        for event in events
        if event.kind in ASSIGNING and event.assignee_id
    ]
    # One job for all the leads a routing batch assigned, as distribution does for new leads.
    if len(pairs) == 1:
        transaction.on_commit(partial(tasks.start_bridge.delay, *pairs[0]))
    elif pairs:
        transaction.on_commit(partial(tasks.start_bridges.delay, pairs))
