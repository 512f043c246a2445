"""What became of one dispatcher batch, written with a couple of statements however large the
batch: each row's outcome is set on the row's object in memory, then one parametrized UPDATE per
table for all of them (core.db.update_many: one statement on PostgreSQL, whatever the count).
Row-by-row saves were a round trip (and a commit) per action, most of a batch's time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from automation.models import ActionState, Notification, OutboundMessage
from automation.models import ScheduledAction as Action
from core.db import update_many

ACTION_FIELDS = ["state", "reason", "due_at", "attempts", "finished_at"]
MESSAGE_FIELDS = ["status", "provider_id", "status_detail", "updated_at"]


@dataclass
class Outcomes:
    actions: dict[int, Action] = field(default_factory=dict)
    messages: list[OutboundMessage] = field(default_factory=list)
    notes: list[Notification] = field(default_factory=list)  # in-app copies for staff

    def finish(
        self, action: Action, state: str, reason: str, *, at: datetime | None = None
    ) -> None:
        action.state, action.reason = state, reason[:300]
        action.finished_at = at or timezone.now()
        self.actions[action.pk] = action

    def back_to_pending(
        self, action: Action, due_at: datetime, reason: str | None = None, *, undo: bool = False
    ) -> None:
        """Due again at `due_at`; `undo`: this run was no attempt (the window was closed)."""
        action.state, action.due_at = ActionState.PENDING, due_at
        if reason is not None:
            action.reason = reason[:300]
        action.attempts -= int(undo)
        self.actions[action.pk] = action

    def message(
        self, message: OutboundMessage, status: str, *, provider_id: str = "", detail: str = ""
    ) -> None:
        message.status = status
        message.provider_id = provider_id[:255]
        message.status_detail = detail[:300]
        message.updated_at = timezone.now()
        self.messages.append(message)

    def write(self) -> None:
        """One transaction (or part of the caller's); only rows still 'sending' (ours) change.
        Empties the lists."""
        if not (self.actions or self.messages or self.notes):
            return
        with transaction.atomic(savepoint=False):
            update_many(self.messages, MESSAGE_FIELDS)
            update_many(
                list(self.actions.values()), ACTION_FIELDS, only_if={"state": ActionState.SENDING}
            )
            Notification.objects.bulk_create(self.notes)
        self.actions, self.messages, self.notes = {}, [], []
