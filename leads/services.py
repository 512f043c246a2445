"""Every write that changes a lead. Each status or assignee change writes exactly one LeadEvent in
the same transaction, and announces it (leads.signals) so distribution and automation can react."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.db import update_rows
from dealers.models import Dealership, StockVehicle
from leads import privacy
from leads.customers import CustomerBook, normalize_email
from leads.lifecycle import CLOSED_STATUSES, LostReason, Status, check_transition
from leads.models import (
    ContactChannel,
    ContactOutcome,
    Customer,
    CustomerPhone,
    ErasureRecord,
    EventKind,
    InboundMessage,
    Lead,
    LeadEvent,
    LeadType,
    LeadVehicle,
    Source,
)
from leads.signals import announce

SHOWED_AFTER = frozenset({Status.PROPOSAL, Status.SOLD})


class LeadError(Exception):
    """A request a person made that the lead's state does not allow; the message says why."""


def record_event(*, lead: Lead, kind: str, actor: User | None = None, **fields: Any) -> LeadEvent:
    event = LeadEvent.objects.create(
        lead=lead, dealership_id=lead.dealership_id, kind=kind, actor=actor, **fields
    )
    track_waiting(events=[event])
    announce([event])
    return event


def record_events(*, events: list[LeadEvent]) -> list[LeadEvent]:
    """Many events in one INSERT, announced together: for writers of whole batches (inbound
    leads, the automation dispatcher's "message sent" events)."""
    for event in events:
        event.dealership_id = event.lead.dealership_id
    created = LeadEvent.objects.bulk_create(events)
    track_waiting(events=created)
    announce(created)
    return created


def answers_customer(event: LeadEvent) -> bool:
    """Whether the event answers a waiting customer: a message a person sent them (not an
    automation's), or a contact attempt (a call, a visit) logged by anyone."""
    if event.kind == EventKind.CONTACT_ATTEMPT:
        return True
    return (
        event.kind == EventKind.MESSAGE_SENT
        and event.actor_id is not None
        and (event.data or {}).get("recipient", "customer") == "customer"
    )


def awaits_answer(event: LeadEvent) -> bool:
    """A customer's message that a person should answer (STOP / START are not questions)."""
    return event.kind == EventKind.MESSAGE_RECEIVED and not (event.data or {}).get("keyword")


def track_waiting(*, events: list[LeadEvent]) -> None:
    """Lead.customer_waiting_since, kept with the events that change it: the first unanswered
    customer message sets it, an answer given after it clears it. Nothing is read or written
    for a batch without such events (the hot paths: inbound leads, the dispatcher)."""
    asked: dict[int, datetime] = {}
    answered: dict[int, datetime] = {}
    for event in events:
        at = event.occurred_at or timezone.now()
        if awaits_answer(event):
            asked[event.lead_id] = min(at, asked.get(event.lead_id, at))
        elif answers_customer(event):
            answered[event.lead_id] = max(at, answered.get(event.lead_id, at))
    for lead_id, at in answered.items():
        Lead.all_objects.filter(pk=lead_id, customer_waiting_since__lte=at).update(
            customer_waiting_since=None
        )
    for lead_id, at in asked.items():
        if lead_id in answered and answered[lead_id] >= at:
            continue
        Lead.all_objects.filter(pk=lead_id, customer_waiting_since__isnull=True).update(
            customer_waiting_since=at
        )


def _locked(lead: Lead) -> Lead:
    return Lead.all_objects.select_for_update().get(pk=lead.pk)


@transaction.atomic
def change_status(
    *,
    lead: Lead,
    to: str,
    by: User | None = None,
    lost_reason: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Lead:
    lead = _locked(lead)
    at = at or timezone.now()
    check_transition(lead.status, to)
    if to == Status.LOST and lost_reason not in LostReason.values:
        raise LeadError("Say why the lead was lost.")
    previous = lead.status
    lead.status = to
    lead.lost_reason = lost_reason if to == Status.LOST else ""
    lead.closed_at = at if to in CLOSED_STATUSES else None
    if to == Status.CONTACTED and lead.first_contact_at is None:
        lead.first_contact_at = at
    if to == Status.APPOINTMENT and lead.appointment_set_at is None:
        lead.appointment_set_at = at
    # Straight from an appointment to a proposal or a sale: the customer came, the status skipped.
    showed = to == Status.SHOWED or (previous == Status.APPOINTMENT and to in SHOWED_AFTER)
    if showed and lead.showed_at is None:
        lead.showed_at = at
    lead.save(
        update_fields=[
            "status",
            "lost_reason",
            "closed_at",
            "first_contact_at",
            "appointment_set_at",
            "showed_at",
            "updated_at",
        ]
    )
    record_event(
        lead=lead,
        kind=EventKind.STATUS_CHANGED,
        actor=by,
        occurred_at=at,
        status_from=previous,
        status_to=to,
        note=note,
        data={"lost_reason": lost_reason} if lost_reason else {},
    )
    return lead


def assign_lead(
    *,
    lead: Lead,
    to: User | None,
    by: User | None = None,
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Lead:
    """Give the lead to `to` (None: back to the unassigned queue). One event, whatever the case;
    none when `to` holds it already. Returns the lead's row as written."""
    # No savepoint inside a caller's transaction: an error here aborts the caller's work too,
    # which is what every caller wants (and a savepoint costs two round trips).
    with transaction.atomic(savepoint=False):
        assignment = Assignment(_locked(lead), to, reason, data)
        return assign_leads(assignments=[assignment], by=by, at=at)[0]


ASSIGNMENT_FIELDS = frozenset({"assigned_to", "assigned_to_id", "status", "first_assigned_at"})


@dataclass
class Assignment:
    """One lead for assign_leads: its row (locked by the caller in this transaction), whom it
    goes to (None: back to the unassigned queue), why, and other fields to write with it in the
    same UPDATE (distribution's contact deadline) — even when `to` holds the lead already."""

    lead: Lead
    to: User | None
    reason: str = ""
    data: dict | None = None
    set_fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.set_fields.keys() & ASSIGNMENT_FIELDS:
            raise ValueError("assign_leads sets the status and the assignee itself.")


def assign_leads(
    *, assignments: list[Assignment], by: User | None = None, at: datetime | None = None
) -> list[Lead]:
    """Each assignment as assign_lead makes it — one event each, the status moved between new
    and assigned — for leads its caller holds locked (the rows are changed in place, not read
    again): the rows written with one UPDATE executed for all of them, the events with one
    INSERT, announced together."""
    at = at or timezone.now()
    now = timezone.now()
    events: list[LeadEvent] = []
    written: list[Lead] = []
    for a in assignments:
        lead = a.lead
        for name, value in a.set_fields.items():
            setattr(lead, name, value)
        previous_assignee_id = lead.assigned_to_id
        if a.to is not None and a.to.pk == previous_assignee_id:
            if a.set_fields:  # as a plain field write: no assignment happened
                written.append(lead)
            continue
        if a.to is None:
            kind = EventKind.UNASSIGNED
        elif previous_assignee_id is None:
            kind = EventKind.ASSIGNED
        else:
            kind = EventKind.REASSIGNED
        lead.assigned_to = a.to
        lead.updated_at = now
        if a.to is not None and lead.first_assigned_at is None:
            lead.first_assigned_at = at
        status_from = lead.status
        if a.to is not None and lead.status == Status.NEW:
            lead.status = Status.ASSIGNED
        elif a.to is None and lead.status == Status.ASSIGNED:
            lead.status = Status.NEW
        moved = lead.status != status_from
        written.append(lead)
        events.append(
            LeadEvent(
                lead=lead,
                kind=kind,
                actor=by,
                occurred_at=at,
                assignee=a.to,
                status_from=status_from if moved else "",
                status_to=lead.status if moved else "",
                note=a.reason,
                data={"previous_assignee_id": previous_assignee_id, **(a.data or {})},
            )
        )
    # One statement shape for every row: each gets every field, its unchanged ones with the
    # values it has (current: the caller holds its lock).
    other = sorted({name for a in assignments for name in a.set_fields})
    update_rows(written, ["assigned_to", "status", "first_assigned_at", "updated_at", *other])
    record_events(events=events)
    return [a.lead for a in assignments]


@transaction.atomic
def log_contact_attempt(
    *,
    lead: Lead,
    channel: str,
    outcome: str,
    by: User | None,
    note: str = "",
    at: datetime | None = None,
) -> Lead:
    """A salesperson tried to reach the customer. Reaching them moves a fresh lead to contacted."""
    if channel not in ContactChannel.values or outcome not in ContactOutcome.values:
        raise LeadError("Unknown contact channel or outcome.")
    lead = _locked(lead)
    at = at or timezone.now()
    if lead.first_contact_at is None:  # still trying: count the attempts it takes
        lead.first_attempt_at = lead.first_attempt_at or at
        lead.attempts_until_contact += 1
        if outcome == ContactOutcome.REACHED:
            lead.first_contact_at = at
        lead.save(
            update_fields=[
                "first_attempt_at",
                "first_contact_at",
                "attempts_until_contact",
                "updated_at",
            ]
        )
    elif lead.first_attempt_at is None:
        lead.first_attempt_at = at
        lead.save(update_fields=["first_attempt_at", "updated_at"])
    record_event(
        lead=lead,
        kind=EventKind.CONTACT_ATTEMPT,
        actor=by,
        occurred_at=at,
        channel=channel,
        outcome=outcome,
        note=note,
    )
    if outcome == ContactOutcome.REACHED and lead.status in (Status.NEW, Status.ASSIGNED):
        lead = change_status(lead=lead, to=Status.CONTACTED, by=by, at=at)
    return lead


@transaction.atomic
def set_appointment(
    *,
    lead: Lead,
    at: datetime,
    by: User | None,
    kind: str = "showroom",
    note: str = "",
    occurred_at: datetime | None = None,
) -> Lead:
    """Book the customer for `at`. `occurred_at`: when it was agreed (default now), for the
    timeline, the first contact and the status change alike."""
    if timezone.is_naive(at):
        raise LeadError("An appointment time needs a time zone.")
    lead = _locked(lead)
    occurred_at = occurred_at or timezone.now()
    if lead.status != Status.APPOINTMENT:
        check_transition(lead.status, Status.APPOINTMENT)
    lead.appointment_at = at
    lead.save(update_fields=["appointment_at", "updated_at"])
    record_event(
        lead=lead,
        kind=EventKind.APPOINTMENT_SET,
        actor=by,
        occurred_at=occurred_at,
        note=note,
        data={"appointment_at": at.isoformat(), "appointment_kind": kind},
    )
    if lead.status != Status.APPOINTMENT:
        if lead.first_contact_at is None:
            lead.first_contact_at = occurred_at
            lead.save(update_fields=["first_contact_at"])
        lead = change_status(lead=lead, to=Status.APPOINTMENT, by=by, at=occurred_at)
    return lead


def add_note(*, lead: Lead, text: str, by: User | None) -> LeadEvent:
    text = text.strip()
    if not text:
        raise LeadError("A note cannot be empty.")
    return record_event(lead=lead, kind=EventKind.NOTE, actor=by, note=text)


@transaction.atomic
def soft_delete(*, lead: Lead, by: User, reason: str) -> Lead:
    """Only the lead's owner may delete it; a manager takes it over first. Kept for the audit."""
    lead = _locked(lead)
    if lead.assigned_to_id != by.pk:
        raise LeadError("Only the salesperson who owns the lead can delete it.")
    if not reason.strip():
        raise LeadError("Say why the lead is deleted.")
    lead.deleted_at = timezone.now()
    lead.deleted_by = by
    lead.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_event(lead=lead, kind=EventKind.DELETED, actor=by, note=reason.strip())
    return lead


@transaction.atomic
def find_or_create_customer(
    *,
    dealership: Dealership,
    first_name: str = "",
    last_name: str = "",
    full_name: str = "",
    email: str = "",
    phones: list[tuple[str, str]] = (),  # (E.164 number, kind)
    **details: str,
) -> Customer:
    """The dealership's customer with this e-mail or one of these phones, else a new one.
    Known details are never overwritten by blanks; new phones are added."""
    book = CustomerBook(dealership, emails=[email], numbers=[number for number, _k in phones])
    customer = book.find_or_add(
        first_name=first_name,
        last_name=last_name,
        full_name=full_name,
        email=email,
        phones=phones,
        **details,
    )
    book.save()
    return customer


def new_lead(
    *,
    dealership: Dealership,
    customer: Customer,
    source: Source | None = None,
    lead_type: str = LeadType.INFO_REQUEST,
    vehicle: LeadVehicle | None = None,
    trade_in: LeadVehicle | None = None,
    comments: str = "",
    external_id: str = "",
    is_passive: bool | None = None,
    received_at: datetime | None = None,
    inbound_message: InboundMessage | None = None,
    extra: dict | None = None,
) -> Lead:
    """A lead not written yet, for create_leads. Passive unless said otherwise when its source
    is. Its vehicles may be unsaved: create_leads writes them."""
    if is_passive is None:
        is_passive = bool(source and source.is_passive)
    return Lead(
        dealership=dealership,
        customer=customer,
        source=source,
        lead_type=lead_type,
        vehicle=vehicle,
        trade_in=trade_in,
        comments=comments,
        external_id=external_id,
        is_passive=is_passive,
        received_at=received_at or timezone.now(),
        inbound_message=inbound_message,
        extra=extra or {},
    )


@transaction.atomic
def create_leads(*, leads: list[Lead], by: User | None = None) -> list[Lead]:
    """New leads (see new_lead) with their vehicles and their 'created' events, written
    together: a few INSERTs whatever their number, and one announcement for all of them."""
    match_stock_vehicles(leads=leads)
    vehicles = [v for lead in leads for v in (lead.vehicle, lead.trade_in) if v is not None]
    for vehicle in vehicles:
        if vehicle.pk is not None:  # recorded already by the caller: keep what we matched
            vehicle.save()
    LeadVehicle.objects.bulk_create([v for v in vehicles if v.pk is None])
    Lead.objects.bulk_create(leads)
    record_events(
        events=[
            LeadEvent(lead=lead, kind=EventKind.CREATED, actor=by, occurred_at=lead.received_at)
            for lead in leads
        ]
    )
    return leads


def create_lead(*, by: User | None = None, **fields: Any) -> Lead:
    """A new lead with its 'created' event (fields: those of new_lead)."""
    return create_leads(leads=[new_lead(**fields)], by=by)[0]


def match_stock_vehicles(*, leads: list[Lead]) -> None:
    """Link the vehicle each lead asks about to the stock vehicle it is, in the lead's
    dealership: by VIN, else by stock number."""
    wanted = [
        lead
        for lead in leads
        if lead.vehicle is not None
        and lead.vehicle.stock_vehicle_id is None
        and (lead.vehicle.vin or lead.vehicle.stock_number)
    ]
    if not wanted:
        return
    vins = {_vin(lead.vehicle.vin) for lead in wanted if lead.vehicle.vin}
    numbers = {lead.vehicle.stock_number for lead in wanted if lead.vehicle.stock_number}
    by_vin: dict[tuple[int, str], StockVehicle] = {}
    by_number: dict[tuple[int, str], StockVehicle] = {}
    for stock in StockVehicle.objects.filter(
        Q(vin__in=vins) | Q(stock_number__in=numbers),
        dealership_id__in={lead.dealership_id for lead in wanted},
    ).order_by("-make", "-model", "-pk"):
        # Reversed, so that the first in the stock list's order stays in the maps.
        by_vin[stock.dealership_id, stock.vin] = stock
        by_number[stock.dealership_id, stock.stock_number] = stock
    for lead in wanted:
        vehicle, dealership = lead.vehicle, lead.dealership_id
        found = by_vin.get((dealership, _vin(vehicle.vin))) if vehicle.vin else None
        if found is None and vehicle.stock_number:
            found = by_number.get((dealership, vehicle.stock_number))
        vehicle.stock_vehicle = found


def _vin(vin: str) -> str:
    return vin.replace(" ", "").upper()


def erase_customer(
    *, customer: Customer, by: User | None, reason: str = ErasureRecord.Reason.REQUEST
) -> Customer:
    """GDPR/AVG erasure of a person: this customer and every record of the same person in the
    dealership group (same e-mail address or phone number). Their data goes from every table
    declared in leads.privacy (events, messages, calls, tasks, appraisals and their photos, …);
    the leads stay as anonymous counts. One transaction; files are deleted once it commits. An
    ErasureRecord (no personal data in it) says who did it and how much went."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.erased_at is not None:
            return customer
        person = privacy.person_of(customer)
        list(Customer.objects.select_for_update().filter(pk__in=person.customer_ids))
        leads = list(Lead.all_objects.filter(customer__in=person.customer_ids))
        earlier = []
        for data in LeadEvent.objects.filter(lead__in=leads, kind=EventKind.MODIFIED).values_list(
            "data", flat=True
        ):
            for pair in (data or {}).get("changes", {}).values():
                earlier += [v for v in pair if isinstance(v, str)]
        person = privacy.with_history(person, earlier)
        counts = {}
        for entry in sorted(privacy.REGISTRY.values(), key=lambda e: e.label):
            touched = privacy.erase_rows(entry, person)
            if touched:
                counts[entry.label] = touched
        now = timezone.now()
        for record in Customer.objects.filter(pk__in=person.customer_ids):
            record.full_name = f"(erased #{record.pk})"
            record.postal_code = record.postal_code[:2]  # region only: keeps the counts by area
            record.consent_email = record.consent_sms = False
            record.erased_at = now
            record.save()
        for lead in leads:
            record_event(lead=lead, kind=EventKind.ERASED, actor=by)
        ErasureRecord.objects.create(
            dealership_id=customer.dealership_id,
            by=by,
            reason=reason,
            customer_ids=list(person.customer_ids),
            counts=counts,
        )
    customer.refresh_from_db()
    return customer


LEAD_FIELDS = ("lead_type", "rating", "comments")
CUSTOMER_FIELDS = ("first_name", "last_name", "email", "postal_code", "city", "language")


@transaction.atomic
def update_lead(*, lead: Lead, by: User | None, phone: str | None = None, **changes: Any) -> Lead:
    """Correct a lead's details (a typo in the e-mail, a phone taken over the counter). Writes
    one 'modified' event listing what changed, with the old and new values."""
    lead = _locked(lead)
    customer = lead.customer
    changed: dict[str, list] = {}
    for name, value in changes.items():
        target = lead if name in LEAD_FIELDS else customer if name in CUSTOMER_FIELDS else None
        if target is None:
            raise LeadError(f"'{name}' cannot be changed here.")
        if name == "email" and value:
            value = normalize_email(value)
        if getattr(target, name) != value:
            changed[name] = [getattr(target, name), value]
            setattr(target, name, value)
    if {"first_name", "last_name"} & changed.keys():
        customer.full_name = " ".join(p for p in (customer.first_name, customer.last_name) if p)
    if phone and not customer.phones.filter(number=phone).exists():
        CustomerPhone.objects.create(customer=customer, number=phone)
        changed["phone"] = [None, phone]
    if not changed:
        return lead
    customer.save()
    lead.save()
    record_event(
        lead=lead,
        kind=EventKind.MODIFIED,
        actor=by,
        data={
            "changes": {
                k: [str(v) if v is not None else None for v in pair] for k, pair in changed.items()
            }
        },
    )
    return lead
