"""Where the calls app's models hold a customer's personal data (see leads.privacy)."""

from django.db.models import Q

from calls.models import Call, CallSettings, TrackingNumber
from leads.privacy import How, holds_none, register

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
    why="the customer's number and the reference to the recording of their voice",
)
holds_none(CallSettings, "the dealership's call settings")
holds_none(TrackingNumber, "the dealership's Twilio numbers")
