"""What became of one dispatcher batch, written with a handful of statements however large the
batch: each row's outcome is collected in memory, then one UPDATE per table (PostgreSQL:
`UPDATE … FROM unnest(arrays)`, a single statement whatever the row count; SQLite: bulk_update).
Row-by-row UPDATEs were a round trip (and a commit) per action, most of a batch's time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from automation.models import ActionState, Notification, OutboundMessage
from automation.models import ScheduledAction as Action


@dataclass
class ActionOutcome:
    pk: int
    state: str
    reason: str | None = None  # None: keep the row's reason
    due_at: datetime | None = None  # set when the row goes back to pending
    undo_attempt: bool = False  # a row put back for its window was not an attempt


@dataclass
class MessageOutcome:
    pk: int
    status: str
    provider_id: str = ""
    detail: str = ""


@dataclass
class Outcomes:
    actions: list[ActionOutcome] = field(default_factory=list)
    messages: list[MessageOutcome] = field(default_factory=list)
    notes: list[Notification] = field(default_factory=list)  # in-app copies for staff

    def finish(self, pk: int, state: str, reason: str) -> None:
        self.actions.append(ActionOutcome(pk, state, reason[:300]))

    def back_to_pending(
        self, pk: int, due_at: datetime, reason: str | None = None, *, undo: bool = False
    ) -> None:
        self.actions.append(ActionOutcome(pk, ActionState.PENDING, reason, due_at, undo))

    def write(self) -> None:
        """One transaction (or part of the caller's); only rows still 'sending' (ours) change.
        Empties the lists."""
        if not (self.actions or self.messages or self.notes):
            return
        with transaction.atomic(savepoint=False):
            _write_messages(self.messages)
            _write_actions(self.actions)
            Notification.objects.bulk_create(self.notes)
        self.actions, self.messages, self.notes = [], [], []


def _write_actions(rows: list[ActionOutcome]) -> None:
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        _write_actions_portably(rows, now)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE automation_scheduledaction AS a SET state = v.state,"
            " reason = COALESCE(v.reason, a.reason), due_at = COALESCE(v.due_at, a.due_at),"
            " attempts = a.attempts - v.undo,"
            " finished_at = CASE WHEN v.state = %s THEN a.finished_at ELSE %s END"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::int[])"
            " AS v(id, state, reason, due_at, undo)"
            " WHERE a.id = v.id AND a.state = %s",
            [
                ActionState.PENDING,
                now,
                [r.pk for r in rows],
                [r.state for r in rows],
                [r.reason for r in rows],
                [r.due_at for r in rows],
                [int(r.undo_attempt) for r in rows],
                ActionState.SENDING,
            ],
        )


def _write_actions_portably(rows: list[ActionOutcome], now: datetime) -> None:
    # Re-read: only rows still 'sending' are ours to change.
    ours = Action.objects.in_bulk([r.pk for r in rows])
    changed = []
    for r in rows:
        action = ours.get(r.pk)
        if action is None or action.state != ActionState.SENDING:
            continue
        action.state = r.state
        action.reason = action.reason if r.reason is None else r.reason
        action.due_at = r.due_at or action.due_at
        action.attempts -= int(r.undo_attempt)
        if r.state != ActionState.PENDING:
            action.finished_at = now
        changed.append(action)
    Action.objects.bulk_update(
        changed, ["state", "reason", "due_at", "attempts", "finished_at"], batch_size=500
    )


def _write_messages(rows: list[MessageOutcome]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        OutboundMessage.objects.bulk_update(
            [
                OutboundMessage(
                    pk=r.pk, status=r.status, provider_id=r.provider_id, status_detail=r.detail
                )
                for r in rows
            ],
            ["status", "provider_id", "status_detail"],
            batch_size=500,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE automation_outboundmessage AS m SET status = v.status,"
            " provider_id = v.provider_id, status_detail = v.detail, updated_at = now()"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])"
            " AS v(id, status, provider_id, detail) WHERE m.id = v.id",
            [
                [r.pk for r in rows],
                [r.status for r in rows],
                [r.provider_id[:255] for r in rows],
                [r.detail[:300] for r in rows],
            ],
        )
