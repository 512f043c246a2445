"""Retention: closed leads' personal data and raw messages past a dealership's period are erased
by the beat task; what is live, recent or without a period is kept; a second run changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from leads import tasks
from leads.models import Customer, ErasureRecord, InboundMessage
from leads.retention import months_before
from tests.factories import (
    CustomerFactory,
    DealerGroupFactory,
    DealershipFactory,
    InboundMessageFactory,
    LeadFactory,
)


def test_months_are_calendar_months():
    assert months_before(datetime(2026, 3, 31, 12, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 12, tzinfo=UTC
    )
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


def _closed(dealership, *, months_ago: float, status: str = "sold", **customer):
    at = timezone.now() - timedelta(days=31 * months_ago)
    return LeadFactory(
        dealership=dealership,
        customer=CustomerFactory(dealership=dealership, **customer),
        status=status,
        received_at=at - timedelta(days=10),
        closed_at=at,
        comments="Bel na vijven",
    )


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_erases_what_is_past_the_period_and_nothing_else():
    group = DealerGroupFactory()
    dealership = DealershipFactory(group=group, retention_months=12)
    sister = DealershipFactory(group=group)
    keeps_all = DealershipFactory(group=group)
    old = _closed(dealership, months_ago=13)
    recent = _closed(dealership, months_ago=11, status="lost")
    open_old = LeadFactory(
        dealership=dealership, received_at=timezone.now() - timedelta(days=800), status="new"
    )
    # Closed long ago here, but the same person has a live lead at the sister dealership.
    returning = _closed(dealership, months_ago=20, email="back@example.test")
    LeadFactory(
        dealership=sister, customer=CustomerFactory(dealership=sister, email="back@example.test")
    )
    no_period = _closed(keeps_all, months_ago=40)
    old_message = InboundMessageFactory(
        dealership=dealership, received_at=timezone.now() - timedelta(days=400), text="Naam: Piet"
    )
    new_message = InboundMessageFactory(dealership=dealership, text="Naam: Kees")

    assert tasks.erase_past_retention.delay().get() == 1

    erased = set(Customer.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {old.customer_id}
    old.refresh_from_db()
    assert old.comments == "" and old.customer.email == ""
    for kept in (recent, open_old, returning, no_period):
        kept.refresh_from_db()
        assert kept.comments == "Bel na vijven" or kept is open_old
        assert kept.customer.erased_at is None and kept.customer.email
    old_message.refresh_from_db()
    new_message.refresh_from_db()
    assert bytes(old_message.raw) == b"" and old_message.text == "" and old_message.sender == ""
    assert bytes(new_message.raw) and new_message.text == "Naam: Kees"
    record = ErasureRecord.objects.get()
    assert record.reason == "retention" and record.by is None

    # Safe to run twice: nothing more is erased, no second audit entry.
    assert tasks.erase_past_retention.delay().get() == 0
    assert ErasureRecord.objects.count() == 1
    assert InboundMessage.objects.filter(text="Naam: Kees").exists()
