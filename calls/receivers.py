"""calls reacts to what leads announce: a lead given to someone may start the call bridge.
The call starts in Celery once the assignment has committed."""

from functools import partial

from django.db import transaction

from leads.models import EventKind

ASSIGNING = (EventKind.ASSIGNED, EventKind.REASSIGNED)


def on_lead_events(sender, events, **kwargs) -> None:
    from calls import tasks

    for event in events:
        if event.kind in ASSIGNING and event.assignee_id:
            transaction.on_commit(
                partial(tasks.start_bridge.delay, event.lead_id, event.assignee_id)
            )
