"""A dispatcher batch's outcomes are written the same way on every database: the message's status
with its updated_at, and only rows the dispatcher still owns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from automation import dispatcher
from automation.models import ActionState, OutboundMessage, ScheduledAction
from automation.outcomes import Outcomes
from tests.automation_helpers import new_lead, rule

pytestmark = pytest.mark.django_db


def test_a_messages_status_moves_its_updated_at(dealership):
    rule(dealership)
    new_lead(dealership)
    dispatcher.dispatch_due()
    long_ago = timezone.now() - timedelta(days=1)
    OutboundMessage.objects.update(updated_at=long_ago)
    message = OutboundMessage.objects.get()
    outcomes = Outcomes()
    outcomes.message(message, "delivered")
    outcomes.write()
    message.refresh_from_db()
    assert message.status == "delivered"
    assert message.updated_at > long_ago  # on PostgreSQL and SQLite alike (it was PG only)


def test_only_rows_still_sending_are_written(dealership):
    rule(dealership, offset_amount=1, offset_unit="hours")
    new_lead(dealership)
    action = ScheduledAction.objects.get()
    ScheduledAction.objects.filter(pk=action.pk).update(state=ActionState.SENDING)
    mine = ScheduledAction.objects.get(pk=action.pk)
    # Meanwhile a provider's callback confirmed the send (state no longer 'sending').
    ScheduledAction.objects.filter(pk=action.pk).update(state=ActionState.SENT, reason="callback")
    outcomes = Outcomes()
    outcomes.finish(mine, ActionState.FAILED, "too late")
    outcomes.write()
    assert ScheduledAction.objects.values_list("state", "reason").get(pk=action.pk) == (
        ActionState.SENT,
        "callback",
    )
