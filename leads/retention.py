"""Retention: a dealership keeps personal data of closed leads, and raw inbound messages, for a
number of months (Dealership.retention_months; empty = kept). What is past it is erased here;
beat calls this through leads.tasks. Running it twice erases nothing the second time."""

from __future__ import annotations

import calendar
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dealers.models import Dealership
from leads import inbound_files, privacy, services
from leads.lifecycle import CLOSED_STATUSES
from leads.models import Customer, ErasureRecord, InboundMessage, Lead

RAW_FIELDS = (
    "raw",
    "raw_file",
    "text",
    "html",
    "attachments",
    "parsed",
    "sender",
    "envelope_sender",
)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's end)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _kept_since(cutoff: datetime) -> Q:
    """Leads that keep their customer's data: open, or closed (or received) after the cutoff."""
    return (
        ~Q(status__in=CLOSED_STATUSES)
        | Q(closed_at__gte=cutoff)
        | Q(closed_at__isnull=True, received_at__gte=cutoff)
    )


def customers_past_retention(*, dealership: Dealership, now: datetime) -> list[int]:
    """Customers of the dealership not yet erased whose every lead closed before the cutoff."""
    cutoff = months_before(now, dealership.retention_months)
    live = Lead.all_objects.filter(_kept_since(cutoff), customer=OuterRef("pk"))
    return list(
        Customer.objects.filter(dealership=dealership, erased_at__isnull=True, leads__isnull=False)
        .exclude(Exists(live))
        .distinct()
        .values_list("pk", flat=True)
    )


def erase_customer_past_retention(*, customer_id: int, cutoff: datetime) -> bool:
    """Erase one customer (and the same person's other records) when none of the person's leads
    anywhere in the group is still live; True when erased."""
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update()
            .filter(pk=customer_id, erased_at__isnull=True)
            .first()
        )
        if customer is None:
            return False
        person = privacy.person_of(customer)
        # Locked, so that a lead arriving now for one of the records waits for the answer.
        list(Customer.objects.select_for_update().filter(pk__in=person.customer_ids))
        live = Lead.all_objects.filter(_kept_since(cutoff), customer__in=person.customer_ids)
        if live.exists():
            return False
        services.erase_customer(customer=customer, by=None, reason=ErasureRecord.Reason.RETENTION)
        return True


def erase_raw_messages(*, dealership: Dealership, now: datetime) -> int:
    """Blank the raw copies (and their readable parts) of messages received before the cutoff,
    and delete the files of large ones once that is committed. The leads made from them keep
    their fields; the message row stays for the counts."""
    cutoff = months_before(now, dealership.retention_months)
    with transaction.atomic():
        old = InboundMessage.objects.filter(dealership=dealership, received_at__lt=cutoff).exclude(
            raw=b"", raw_file="", parsed__isnull=True, sender=""
        )
        files = [name for name in old.values_list("raw_file", flat=True) if name]
        if files:
            transaction.on_commit(lambda: inbound_files.discard(files))
        return old.update(
            raw=b"",
            raw_file="",
            text="",
            html="",
            attachments=[],
            parsed=None,
            sender="",
            envelope_sender="",
            subject=privacy.ERASED,
        )


def erase_past_retention(*, dealership_id: int, now: datetime | None = None) -> dict[str, int]:
    """Everything of one dealership past its retention period: customers one transaction each
    (a failure leaves the others erased), then the raw messages."""
    dealership = Dealership.objects.get(pk=dealership_id)
    if not dealership.retention_months:
        return {"customers": 0, "messages": 0}
    now = now or timezone.now()
    cutoff = months_before(now, dealership.retention_months)
    erased = sum(
        erase_customer_past_retention(customer_id=pk, cutoff=cutoff)
        for pk in customers_past_retention(dealership=dealership, now=now)
    )
    return {"customers": erased, "messages": erase_raw_messages(dealership=dealership, now=now)}
