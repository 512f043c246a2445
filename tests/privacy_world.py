"""One person with everything the project can hold about them (GDPR erasure and access tests)."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from automation import notifications
from automation.models import NotificationPreference, OptOut, OutboundMessage, ScheduledAction
from automation.replies import receive_sms
from calls.models import Call
from followup.models import Task
from inbound import ingest
from integrations.models import Delivery, DeliveryAttempt, SaleReport
from leads import services
from leads.models import (
    ExportRecord,
    InboundMessageLog,
    LeadVehicle,
)
from tests.appraisal_world import _photo
from tests.calls_world import _call
from tests.factories import (
    CustomerFactory,
    CustomerPhoneFactory,
    DealerGroupFactory,
    DealershipFactory,
    InboundMessageFactory,
    LeadFactory,
    manager,
    salesperson,
)
from tests.followup_world import _task
from tests.integrations_world import _delivery

FIRST, LAST = "Zebedeus", "Quarnstrom"
EMAIL = "zebedeus.quarnstrom@example.test"
TYPO = "zebedeus.quarnstrom@exmaple.test"
PHONE, OTHER_PHONE = "+31687654321", "+32470123456"
# What must be found nowhere afterwards: the names, the addresses, the numbers (digits only too).
NEEDLES = (FIRST, LAST, EMAIL, TYPO, PHONE, OTHER_PHONE, "687654321", "470123456")


def populated_person(tmp_path, settings) -> dict:
    """One person with everything the project can hold about them, in two dealerships of one
    group (a duplicate record by e-mail address), plus an unrelated customer."""
    settings.MEDIA_ROOT = tmp_path
    group = DealerGroupFactory()
    dealership, sister = DealershipFactory(group=group), DealershipFactory(group=group)
    seller, boss = salesperson(dealership), manager(dealership)
    customer = CustomerFactory(
        dealership=dealership,
        first_name=FIRST,
        last_name=LAST,
        full_name=f"{FIRST} {LAST}",
        email=TYPO,
        street="Kerkstraat 1",
        city="Doesburg",
        postal_code="6981AB",
    )
    CustomerPhoneFactory(customer=customer, number=PHONE)
    message = InboundMessageFactory(
        dealership=dealership,
        raw=f"From: {FIRST} {LAST} <{EMAIL}>\r\nSubject: Lead {LAST}\r\n\r\nTel {PHONE}".encode(),
        text=f"Naam: {FIRST} {LAST}\nTelefoon: {PHONE}",
        html=f"<p>{FIRST} {LAST}</p>",
        sender=EMAIL,
        envelope_sender=EMAIL,
        subject=f"Lead {FIRST} {LAST}",
        parsed={"customer": {"full_name": f"{FIRST} {LAST}", "email": EMAIL}},
        status="parsed",
    )
    InboundMessageLog.objects.create(message=message, action="parsed", note=f"{LAST} parsed")
    # A message with an attachment, kept as a file (leads.inbound_files), not yet a lead.
    inline, settings.DEALERLMS_INBOUND_INLINE_BYTES = settings.DEALERLMS_INBOUND_INLINE_BYTES, 100
    with_file = ingest.store_message(
        channel="email",
        raw=(
            f"From: {FIRST} {LAST} <{EMAIL}>\r\nSubject: Brochure\r\n\r\nBel {PHONE}\r\n"
            + "brochure " * 50
        ).encode(),
        dealership=dealership,
        sender=EMAIL,
        enqueue=False,
    )
    settings.DEALERLMS_INBOUND_INLINE_BYTES = inline
    assert with_file.raw_file
    trade_in = LeadVehicle.objects.create(make="Ligier", model="JS50", registration="ZQ-123-X")
    lead = LeadFactory(
        dealership=dealership,
        customer=customer,
        comments=f"Bel {FIRST} op {PHONE}",
        extra={"portal": {"name": f"{FIRST} {LAST}"}},
        inbound_message=message,
        trade_in=trade_in,
        lead_type="trade_in",
    )
    services.assign_lead(lead=lead, to=seller)
    services.update_lead(lead=lead, by=seller, email=EMAIL)  # the typo corrected: in the history
    services.add_note(lead=lead, text=f"{FIRST} wil terugbellen op {PHONE}", by=seller)
    # The salesperson gets replies by e-mail too: a staff copy that quotes the customer.
    NotificationPreference.objects.create(user=seller, kind="reply", by_email=True)
    receive_sms(sid="SM-gdpr-1", from_number=PHONE, body=f"Hoi, {FIRST} hier")
    notifications.notify(
        user=seller, kind="reply", title=f"{FIRST} {LAST} replied", body=EMAIL, lead=lead
    )
    OutboundMessage.objects.create(
        lead=lead, channel="email", to=EMAIL, subject=f"Hallo {FIRST}", body=f"Beste {LAST}"
    )
    ScheduledAction.objects.create(
        lead=lead,
        recipient_kind="customer",
        channel="sms",
        due_at=timezone.now(),
        state="skipped",
        reason=f"{PHONE} opted out",
    )
    OptOut.objects.create(channel="sms", address=PHONE, customer=customer, origin="sms_stop")
    world = {"lead": lead, "owner": seller, "dealership": dealership}
    photo = _photo(world)
    type(photo).objects.filter(pk=photo.pk).update(caption=f"Auto van {LAST}")
    appraisal = photo.appraisal
    type(appraisal).objects.filter(pk=appraisal.pk).update(remarks=f"Voor {FIRST} {LAST}")
    call = _call(world)
    Call.objects.filter(pk=call.pk).update(
        customer_number=PHONE,
        caller_id=PHONE,
        recording_sid="RE0123456789",
        recording_url="https://api.twilio.com/2010-04-01/Recordings/RE0123456789",
    )
    Call.objects.create(  # a call from the number, before there was a lead
        dealership=dealership, direction="inbound", state="done", customer_number=PHONE
    )
    task = _task(world)
    Task.objects.filter(pk=task.pk).update(note=f"{FIRST} terugbellen")
    delivery = _delivery(world)
    Delivery.objects.filter(pk=delivery.pk).update(last_answer=f"400 unknown {EMAIL}")
    DeliveryAttempt.objects.create(delivery=delivery, answer=f"400 unknown {EMAIL}")
    SaleReport.objects.create(
        dealership=dealership,
        via="api",
        data={"buyer": f"{FIRST} {LAST}", "email": EMAIL},
        lead=lead,
        outcome="closed",
    )
    ExportRecord.objects.create(user=boss, export="leads", query=f"q={LAST}", rows=1)
    InboundMessageFactory(  # never became a lead, but is theirs
        dealership=dealership, status="quarantined", text=f"Mail {EMAIL} terug", sender="x@y.test"
    )
    # The same person at the sister dealership, with one more number.
    duplicate = CustomerFactory(
        dealership=sister,
        first_name=FIRST,
        last_name=LAST,
        full_name=f"{FIRST} {LAST}",
        email=EMAIL.upper(),
    )
    CustomerPhoneFactory(customer=duplicate, number=OTHER_PHONE)
    LeadFactory(dealership=sister, customer=duplicate, comments=f"Ik ben {FIRST}")
    # Someone else, in another group with the same address: a different controller's customer.
    stranger = CustomerFactory(
        dealership=DealershipFactory(group=DealerGroupFactory(name="Other")), email=EMAIL
    )
    bystander = LeadFactory(dealership=dealership, comments="Bel Anneke na vijf")
    return {
        **world,
        "boss": boss,
        "customer": customer,
        "duplicate": duplicate,
        "stranger": stranger,
        "bystander": bystander,
        "photo": photo,
        "message_file": Path(settings.MEDIA_ROOT) / with_file.raw_file.name,
    }
