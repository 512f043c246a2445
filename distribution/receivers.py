"""distribution reacts to what leads announce: a new lead is routed, a failed contact attempt
may hand the lead to the BDC. Work starts in Celery once the lead's transaction commits."""

from django.db import transaction

from leads.models import ContactOutcome, EventKind


def on_lead_event(sender, event, **kwargs) -> None:  # noqa: ANN001, ANN003
    from distribution import tasks

    lead_id = event.lead_id
    if event.kind == EventKind.CREATED:
        transaction.on_commit(lambda: tasks.route_lead.delay(lead_id))
    elif event.kind == EventKind.CONTACT_ATTEMPT and event.outcome != ContactOutcome.REACHED:
        transaction.on_commit(lambda: tasks.check_failed_attempts.delay(lead_id))
