"""What a manager does with a message that did not become a lead: re-parse it, create the lead
by hand, route it to a dealership, or discard it. Every outcome is logged; nothing is deleted."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import dealerships_for
from dealers.models import Dealership
from inbound import ingest
from leads import services
from leads.models import InboundMessage, Lead, LeadVehicle, Source

Status = InboundMessage.Status
Action = ingest.Action
WAITING = (Status.QUARANTINED, Status.UNROUTED)
# A message refused as not a lead waits for nobody, but a manager may still act on it.
ACTIONABLE = (*WAITING, Status.NOT_A_LEAD)
MANAGING = (Role.MANAGER, Role.ADMIN)


class QuarantineError(Exception):
    """The message's state does not allow this; the text says why."""


def managed_dealerships(user: User) -> QuerySet[Dealership]:
    return dealerships_for(user, MANAGING)


def visible_messages(user: User) -> QuerySet[InboundMessage]:
    """Messages of the dealerships a person manages. Unrouted messages (addressed to no known
    dealership) are shown to administrators only: they set up the inbound addresses and can
    route such a message; a manager must not read another business's mail."""
    if user.is_superuser:
        return InboundMessage.objects.all()
    condition = Q(dealership__in=managed_dealerships(user))
    if dealerships_for(user, [Role.ADMIN]).exists():
        condition |= Q(dealership__isnull=True)
    return InboundMessage.objects.filter(condition)


def waiting_messages(user: User) -> QuerySet[InboundMessage]:
    return (
        visible_messages(user)
        .filter(status__in=WAITING)
        .select_related("dealership", "source")
        .defer("raw")
    )


def not_a_lead_messages(user: User) -> QuerySet[InboundMessage]:
    """Auto-replies, bounces, newsletters, own mail: kept with the reason, newest first."""
    return (
        visible_messages(user)
        .filter(status=Status.NOT_A_LEAD)
        .select_related("dealership", "source")
        .defer("raw")
        .order_by("-received_at", "-pk")
    )


def _locked(message: InboundMessage) -> InboundMessage:
    return InboundMessage.objects.select_for_update().get(pk=message.pk)


@transaction.atomic
def reparse(*, message: InboundMessage, by: User | None) -> InboundMessage:
    """Back to 'received' and through the task again (after a label or parser change)."""
    message = _locked(message)
    if message.status not in ACTIONABLE:
        raise QuarantineError("Only a quarantined or unrouted message can be parsed again.")
    if message.dealership_id is None:
        raise QuarantineError("Choose the dealership this message is for first.")
    message.status = Status.RECEIVED
    message.failure_reason = ""
    message.save(update_fields=["status", "failure_reason"])
    ingest.log(message, Action.REPARSE, by=by)
    ingest.enqueue_parse(message)
    return message


@transaction.atomic
def confirm_lead(*, message: InboundMessage, by: User) -> InboundMessage:
    """A manager says a message refused as not a lead is one: it is parsed again without the
    not-a-lead filter (an out-of-office subject on a real enquiry, a portal's bulk mailer)."""
    message = _locked(message)
    if message.status != Status.NOT_A_LEAD:
        raise QuarantineError(_("Only a message refused as not a lead can be marked as a lead."))
    message.is_lead_confirmed = True
    message.status = Status.RECEIVED
    message.failure_reason = ""
    message.save(update_fields=["is_lead_confirmed", "status", "failure_reason"])
    ingest.log(message, Action.CONFIRMED_LEAD, by=by)
    ingest.enqueue_parse(message)
    return message


def reparse_source(*, source: Source, by: User | None) -> int:
    """Re-parse every quarantined message of a source; returns how many were queued."""
    ids = list(
        InboundMessage.objects.filter(source=source, status=Status.QUARANTINED).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        reparse(message=InboundMessage(pk=pk), by=by)
    return len(ids)


@transaction.atomic
def route(*, message: InboundMessage, dealership: Dealership, by: User) -> InboundMessage:
    """An unrouted message belongs to this dealership: match its source and parse it."""
    message = _locked(message)
    if message.status != Status.UNROUTED:
        raise QuarantineError("This message already has a dealership.")
    message.dealership = dealership
    message.source = ingest.match_source(dealership, message.sender)
    message.status = Status.RECEIVED
    message.failure_reason = ""
    message.save(update_fields=["dealership", "source", "status", "failure_reason"])
    ingest.log(message, Action.ROUTED, by=by, note=dealership.name)
    ingest.enqueue_parse(message)
    return message


@transaction.atomic
def discard(*, message: InboundMessage, by: User, reason: str) -> InboundMessage:
    message = _locked(message)
    reason = reason.strip()
    if not reason:
        raise QuarantineError("Say why the message is discarded.")
    if message.status not in ACTIONABLE:
        raise QuarantineError("Only a quarantined or unrouted message can be discarded.")
    message.status = Status.DISCARDED
    message.failure_reason = reason
    message.processed_at = timezone.now()
    message.save(update_fields=["status", "failure_reason", "processed_at"])
    ingest.log(message, Action.DISCARDED, by=by, note=reason)
    return message


@transaction.atomic
def create_by_hand(
    *,
    message: InboundMessage,
    by: User,
    dealership: Dealership,
    full_name: str,
    email: str,
    phone: str,
    lead_type: str,
    source: Source | None,
    make: str = "",
    model: str = "",
    comments: str = "",
) -> Lead:
    """A manager read the message and typed the lead in: it is created and linked like a
    parsed one, with a note saying who did it."""
    message = _locked(message)
    if message.status not in ACTIONABLE:
        raise QuarantineError("This message is no longer waiting for a person.")
    customer = services.find_or_create_customer(
        dealership=dealership,
        full_name=full_name,
        email=email,
        phones=[(phone, "unknown")] if phone else [],
    )
    vehicle = LeadVehicle(make=make, model=model) if (make or model) else None
    lead = services.create_lead(
        dealership=dealership,
        customer=customer,
        source=source,
        lead_type=lead_type,
        vehicle=vehicle,
        comments=comments,
        received_at=message.received_at,
        inbound_message=message,
        by=by,
    )
    note = f"created by hand from quarantine by {by}"
    services.add_note(lead=lead, text=note, by=by)
    message.dealership = dealership
    message.source = source
    message.status = Status.PARSED
    message.failure_reason = ""
    message.processed_at = timezone.now()
    message.save(update_fields=["dealership", "source", "status", "failure_reason", "processed_at"])
    ingest.log(message, Action.CREATED_BY_HAND, by=by, note=f"lead #{lead.pk}")
    return lead


def prefill(message: InboundMessage) -> dict:
    """What could be read from the message, for the by-hand form."""
    parsed = message.parsed or {}
    customer = parsed.get("customer") or {}
    vehicle = parsed.get("vehicle") or {}
    phones = customer.get("phones") or []
    return {
        "dealership": message.dealership_id,
        "full_name": customer.get("full_name") or "",
        "email": customer.get("email") or "",
        "phone": phones[0]["number"] if phones else "",
        "lead_type": ingest.lead_type_of(parsed.get("lead_type") or "info_request"),
        "source": message.source_id,
        "make": vehicle.get("make") or "",
        "model": vehicle.get("model") or "",
        "comments": parsed.get("comments") or message.text[:2000],
    }
