"""Where the calls app's models hold a customer's personal data (see leads.privacy)."""

from django.db import transaction
from django.db.models import Q

from calls import tasks
from calls.models import Call, CallSettings, TrackingNumber
from leads.privacy import How, holds_none, register


def _forget_recordings(calls: list[Call]) -> None:
    """The recordings themselves live at Twilio: deleted there once the erasure is kept."""
    sids = sorted({call.recording_sid for call in calls if call.recording_sid})
    if sids:
        transaction.on_commit(lambda: tasks.delete_recordings.delay(sids))


register(
    Call,
    rows=lambda p: Call.objects.filter(
        Q(lead__customer__in=p.customer_ids)
        | Q(customer_number__in=p.phones)
        | Q(caller_id__in=p.phones)
    ),
    fields={
        "customer_number": How.BLANK,
        "caller_id": How.BLANK,
        "recording_sid": How.BLANK,
        "recording_url": How.BLANK,
        "error": How.SCRUB,
    },
    why="the customer's number and the recording of their voice",
    before_erase=_forget_recordings,
)
holds_none(CallSettings, "the dealership's call settings")
holds_none(TrackingNumber, "the dealership's Twilio numbers")
