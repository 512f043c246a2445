"""A customer's SMS or WhatsApp message: on their latest open lead's conversation (which tells the
salesperson, and flags the customer as waiting for an answer), and STOP / START as the opt-out
they are. A WhatsApp message from a number the dealership does not know starts a new lead."""

from __future__ import annotations

from django.db import transaction

from automation.consent import record_opt_out, withdraw_opt_out
from automation.models import Channel, InboundSms, OptOut
from core.db import lock_keys
from dealers.models import Dealership
from leads import services as lead_services
from leads.lifecycle import OPEN_STATUSES
from leads.models import ContactChannel, CustomerPhone, EventKind, Lead, LeadType, Source
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
    _take_in(
        message=sms,
        lead=lead,
        channel=Channel.SMS,
        contact_channel=ContactChannel.SMS,
        data={"from": from_number, "sid": sid, "inbound_sms_id": sms.pk},
    )
    return sms


def _take_in(
    *, message: InboundSms, lead: Lead | None, channel: str, contact_channel: str, data: dict
) -> None:
    """STOP records an opt-out on the message's channel, START withdraws it; the message goes on
    the lead's conversation, where the salesperson is told (automation.notifications) and,
    unless it is STOP / START, the customer waits for an answer (leads.services)."""
    keyword = _keyword(message.body)
    if keyword == "stop":
        record_opt_out(channel=channel, address=message.from_number, origin=OptOut.Origin.SMS_STOP)
        data["keyword"] = "stop"  # an opt-out, not a question waiting for an answer
    elif keyword == "start":
        withdraw_opt_out(channel=channel, address=message.from_number)
        data["keyword"] = "start"
    if lead is not None:
        record_event(
            lead=lead,
            kind=EventKind.MESSAGE_RECEIVED,
            channel=contact_channel,
            occurred_at=message.received_at,
            note=message.body[:2000],
            data=data,
        )


def _keyword(body: str) -> str:
    word = body.strip().lower().rstrip(".!")
    return "stop" if word in STOP_WORDS else "start" if word in START_WORDS else ""


WHATSAPP_SOURCE = "WhatsApp"


@transaction.atomic
def receive_whatsapp(
    *,
    sid: str,
    from_number: str,
    to_number: str,
    body: str,
    profile_name: str = "",
    media: list[dict] | tuple = (),
) -> InboundSms:
    """A customer's WhatsApp message to a dealership's WhatsApp sender (`to_number`): once per
    MessageSid, on the customer's open lead there, else on a new lead of that dealership (source
    "WhatsApp", the customer named by their WhatsApp profile). It opens WhatsApp's 24-hour window
    (automation.whatsapp), flags the customer as waiting and tells the salesperson. STOP records
    a WhatsApp opt-out, START withdraws it; neither starts a lead."""
    existing = InboundSms.objects.filter(sid=sid).first()
    if existing:
        return existing
    keyword = _keyword(body)
    dealership = Dealership.objects.filter(whatsapp_number=to_number).first() if to_number else None
    lead = None
    if dealership is not None:
        # Two messages of a new number at the same moment (two webhook requests): the second
        # waits here and then finds the lead the first made (the customer's own lock key).
        lock_keys([f"customer:{dealership.pk}:{from_number}"])
        lead = (
            Lead.objects.filter(
                dealership=dealership,
                customer__phones__number=from_number,
                customer__erased_at__isnull=True,
            )
            .open()
            .order_by("-received_at")
            .first()
        )
        if lead is None and not keyword and (body.strip() or media):
            lead = _new_lead(dealership, from_number, profile_name, body)
    message = InboundSms.objects.create(
        sid=sid,
        channel=Channel.WHATSAPP,
        from_number=from_number,
        to_number=to_number,
        profile_name=profile_name,
        body=body,
        lead=lead,
    )
    data = {"from": from_number, "sid": sid, "inbound_sms_id": message.pk}
    if media:
        data["media"] = list(media)
    _take_in(
        message=message,
        lead=lead,
        channel=Channel.WHATSAPP,
        contact_channel=ContactChannel.WHATSAPP,
        data=data,
    )
    return message


def _new_lead(dealership: Dealership, number: str, profile_name: str, body: str) -> Lead:
    """A new lead for a WhatsApp message from a number without an open lead: routed like every
    new lead (its "created" event), the message itself is its first comment."""
    customer = lead_services.find_or_create_customer(
        dealership=dealership,
        full_name=profile_name.strip(),
        phones=[(number, CustomerPhone.Kind.MOBILE)],
    )
    source, _created = Source.objects.get_or_create(
        dealership=dealership,
        name=WHATSAPP_SOURCE,
        defaults={"kind": Source.Kind.OTHER},
    )
    return lead_services.create_lead(
        dealership=dealership,
        customer=customer,
        source=source,
        lead_type=LeadType.INFO_REQUEST,
        comments=body[:2000],
    )
