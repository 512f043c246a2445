"""A customer's SMS reply: on their latest open lead's conversation (which tells the salesperson,
and flags the customer as waiting for an answer), and STOP / START as the opt-out they are."""

from __future__ import annotations

from django.db import transaction

from automation.consent import record_opt_out, withdraw_opt_out
from automation.models import Channel, InboundSms, OptOut
from leads.lifecycle import OPEN_STATUSES
from leads.models import ContactChannel, CustomerPhone, EventKind, Lead
from leads.services import record_event

STOP_WORDS = {
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "arret",
    "arrêt",
    "stoppen",
}
START_WORDS = {"start", "unstop", "yes"}


@transaction.atomic
def receive_sms(*, sid: str, from_number: str, body: str) -> InboundSms:
    """A customer's SMS: once per MessageSid, on their latest open lead's timeline (which
    notifies the salesperson). STOP records an opt-out; START withdraws it."""
    existing = InboundSms.objects.filter(sid=sid).first()
    if existing:
        return existing
    phones = CustomerPhone.objects.filter(
        number=from_number, customer__erased_at__isnull=True
    ).values_list("customer_id", flat=True)
    leads = Lead.objects.filter(customer_id__in=list(phones)).order_by("-received_at")
    lead = leads.filter(status__in=OPEN_STATUSES).first() or leads.first()
    sms = InboundSms.objects.create(sid=sid, from_number=from_number, body=body, lead=lead)
    word = body.strip().lower().rstrip(".!")
    data = {"from": from_number, "sid": sid, "inbound_sms_id": sms.pk}
    if word in STOP_WORDS:
        record_opt_out(channel=Channel.SMS, address=from_number, origin=OptOut.Origin.SMS_STOP)
        data["keyword"] = "stop"  # an opt-out, not a question waiting for an answer
    elif word in START_WORDS:
        withdraw_opt_out(channel=Channel.SMS, address=from_number)
        data["keyword"] = "start"
    if lead is not None:
        # On the lead's conversation; the salesperson is told (automation.notifications) and,
        # unless it is STOP / START, the customer waits for an answer (leads.services).
        record_event(
            lead=lead,
            kind=EventKind.MESSAGE_RECEIVED,
            channel=ContactChannel.SMS,
            occurred_at=sms.received_at,
            note=body[:2000],
            data=data,
        )
    return sms
