"""The dispatcher: claims due actions, checks them again, sends them, marks them.

At most once, by construction:
1. claim   — one statement (core.db.claim_due: rows other dispatchers hold are skipped)
             moves due *pending* rows to *sending* (attempts + 1). Two dispatchers never get the
             same row; a row that is not pending is never picked again.
2. check   — conditions, recipient, consent, opt-out and the window are read again now
             (automation.compose). A row that no longer applies is *skipped* (with the reason);
             one due outside the window goes back to *pending* at the window's next opening.
3. send    — the OutboundMessage rows (status *sending*, our uid) are written first, then the
             provider is called. The uid travels with the message (e-mail Message-ID and anymail
             metadata; the Twilio status-callback URL).
4. mark    — one transaction: action *sent*, message *queued/sent* with the provider id, and
             the MESSAGE_SENT lead events (leads.services.record_events, one INSERT).

Every step is set-based: a batch costs the same dozen statements whatever its size
(automation.outcomes writes all outcomes of a batch with one UPDATE per table).

A crash between 3 and 4 leaves the action in *sending*. After the lease
(AUTOMATION_CLAIM_LEASE_SECONDS) the sweep moves it to *unknown* — it is **not** resent, since
the provider may well have taken it; a delivery callback carrying our uid later reconciles it to
*sent* (update_delivery). A provider that surely refused (an HTTP error answer, a
refused connection) puts the row back to *pending* with a backoff, up to MAX_ATTEMPTS; an
ambiguous failure (a read timeout) is *unknown* at once.

On SQLite (the first-run default) claim_due takes each row with its own conditional UPDATE
(… WHERE state = 'pending'), so two dispatchers still never share a row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from automation import channels, compose, links
from automation.consent import record_opt_out
from automation.models import (
    STATUS_RANK,
    ActionKind,
    ActionState,
    Channel,
    DeliveryStatus,
    OptOut,
    OutboundMessage,
    Rule,
    ScheduledAction,
)
from automation.outcomes import Outcomes
from core import db
from dealers.models import Dealership
from leads.models import ContactOutcome, EventKind, LeadEvent
from leads.services import record_events

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Rows per claim. Per-batch costs (a dozen round trips, each a wake-up on a busy machine) are
# spread thinner as it grows; the first message of a batch is marked sent only at its end, so
# it is also added to the lateness: large enough to spread them, small enough that a batch takes
# well under a second (figures: docs/benchmarks.md, "Figures from code comments").
BATCH_SIZE = 500
BACKOFF_SECONDS = (60, 300, 1800, 7200)


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "AUTOMATION_CLAIM_LEASE_SECONDS", 300)))


def claim(batch_size: int = BATCH_SIZE) -> list[int]:
    """Due pending rows to *sending*, attempts + 1 (core.db.claim_due: skipping locked rows on
    PostgreSQL, one conditional UPDATE per row elsewhere)."""
    now = timezone.now()
    return db.claim_due(
        ScheduledAction,
        pending={"state": ActionState.PENDING},
        due_field="due_at",
        now=now,
        limit=batch_size,
        claimed={"state": ActionState.SENDING, "claimed_at": now},
        increment="attempts",
    )


def sweep_stale() -> int:
    """Rows claimed longer ago than the lease: the dispatcher died mid-send. Never resent."""
    return ScheduledAction.objects.filter(
        state=ActionState.SENDING, claimed_at__lt=timezone.now() - lease()
    ).update(
        state=ActionState.UNKNOWN,
        finished_at=timezone.now(),
        reason="the dispatcher stopped while sending; not resent (a delivery callback confirms it)",
    )


def dispatch_due(
    *, batch_size: int = BATCH_SIZE, budget_seconds: float = 8.0, poll_seconds: float = 0.0
) -> int:
    """Claim and send batches until nothing is due (or, with poll_seconds, until the budget is
    spent, looking again every poll_seconds). Returns how many actions were handled."""
    sweep_stale()
    started = time.monotonic()
    handled = 0
    while time.monotonic() - started < budget_seconds:
        ids = claim(batch_size)
        if ids:
            handled += process(ids)
        elif poll_seconds:
            time.sleep(poll_seconds)
        else:
            break
    return handled


def _load(ids: Iterable[int]) -> list[ScheduledAction]:
    actions = list(
        ScheduledAction.objects.filter(pk__in=list(ids), state=ActionState.SENDING)
        .select_related(
            "lead__customer",
            "lead__assigned_to",
            "lead__source",
            "lead__vehicle",
            "template",
            "whatsapp_template",
            "recipient_user",
            "notification",
        )
        # What the dealer's lead sources sent (free text, raw JSON) is never part of a
        # message: not read, not decoded, for every row of every batch.
        .defer("lead__comments", "lead__extra")
        .order_by("due_at")
    )
    # A batch has a few rules and dealerships: each loaded once, not once per row.
    rules = (
        Rule.objects.select_related("template", "whatsapp_template")
        .prefetch_related("sources")
        .in_bulk({a.rule_id for a in actions if a.rule_id})
    )
    leads = [a.lead for a in actions if a.lead_id]
    dealerships = Dealership.objects.in_bulk({lead.dealership_id for lead in leads})
    for lead in leads:
        lead.dealership = dealerships[lead.dealership_id]
    # Phone numbers matter only to the SMS and WhatsApp messages to customers.
    texted = [
        a.lead.customer
        for a in actions
        if a.lead_id and a.channel in (Channel.SMS, Channel.WHATSAPP)
    ]
    prefetch_related_objects(texted, "phones")
    for action in actions:
        if action.rule_id:
            action.rule = rules.get(action.rule_id)
    return actions


def process(ids: Iterable[int]) -> int:
    """Check, send and mark the claimed actions `ids`; returns how many were handled."""
    actions = _load(ids)
    if not actions:
        return 0
    batch = compose.Batch(actions)
    outgoing = [item for action in actions if (item := compose.prepare(action, batch))]
    batch.outcomes.write()  # the actions not to send are finished before the sending starts
    if outgoing:
        _send_all(outgoing, batch)
    return len(actions)


def _send_all(outgoing: list[compose.Outgoing], batch: compose.Batch) -> None:
    """Step 3 and 4: the messages written (one INSERT), sent one by one over one provider
    connection, then every outcome marked in one transaction."""
    messages = OutboundMessage.objects.bulk_create(
        [
            OutboundMessage(
                action=o.action,
                lead=o.action.lead,
                user_id=o.user_id,
                channel=o.action.channel,
                to=o.to,
                subject=o.subject[:300],
                body=o.text,
                language=o.language,
                is_test=o.action.kind == ActionKind.TEST,
            )
            for o in outgoing
        ]
    )
    outcomes = batch.outcomes
    sent: list[tuple[compose.Outgoing, OutboundMessage]] = []
    email = (
        channels.EmailSender() if any(o.action.channel == Channel.EMAIL for o in outgoing) else None
    )
    status_callback = links.url_maker("hooks:twilio_status")
    try:
        for item, message in zip(outgoing, messages, strict=True):
            try:
                provider_id = _send(item, message, email, status_callback)
            except channels.NotSent as exc:
                _not_sent(item.action, message, exc, batch)
            except channels.MaybeSent as exc:
                outcomes.message(message, DeliveryStatus.SENDING, detail=str(exc))
                outcomes.finish(
                    item.action, ActionState.UNKNOWN, f"provider outcome unknown: {exc}"
                )
            else:
                outcomes.message(message, DeliveryStatus.QUEUED, provider_id=provider_id)
                outcomes.finish(item.action, ActionState.SENT, "")
                sent.append((item, message))
    finally:
        if email is not None:
            email.close()
    _mark_batch(outcomes, sent)


def _send(
    item: compose.Outgoing,
    message: OutboundMessage,
    email: channels.EmailSender | None,
    status_callback: Callable[[str], str],
) -> str:
    if item.action.channel == Channel.EMAIL:
        return email.send(
            channels.Email(
                to=item.to,
                subject=item.subject,
                text=item.text,
                html=item.html,
                uid=str(message.uid),
                reply_to=item.reply_to,
                unsubscribe_url=item.unsubscribe,
            )
        )
    if item.action.channel == Channel.WHATSAPP:
        return channels.send_whatsapp(
            to=item.to,
            sender=item.sender,
            body=item.text,
            content_sid=item.content_sid,
            content_variables=item.content_variables,
            status_callback=status_callback(str(message.uid)),
        )
    return channels.send_sms(
        to=item.to, body=item.text, status_callback=status_callback(str(message.uid))
    )


def _not_sent(
    action: ScheduledAction, message: OutboundMessage, exc: channels.NotSent, batch: compose.Batch
) -> None:
    batch.outcomes.message(message, DeliveryStatus.FAILED, detail=str(exc))
    if exc.retry and action.attempts < MAX_ATTEMPTS:
        wait = BACKOFF_SECONDS[min(action.attempts, len(BACKOFF_SECONDS)) - 1]
        batch.outcomes.back_to_pending(
            action,
            batch.now + timedelta(seconds=wait),
            f"attempt {action.attempts} failed, retrying in {wait}s: {exc}"[:300],
        )
    else:
        batch.finish(action, ActionState.FAILED, str(exc))


def _mark_batch(outcomes: Outcomes, sent: list[tuple[compose.Outgoing, OutboundMessage]]) -> None:
    """One transaction for the whole batch: messages queued with their provider ids (or failed),
    actions sent (or retried, failed, unknown), one MESSAGE_SENT event per sent message."""
    with transaction.atomic():
        outcomes.write()
        record_events(
            events=[
                event
                for item, message in sent
                if (event := _lead_event(item.action, message)) is not None
            ]
        )


def mark_sent(*, action: ScheduledAction, message: OutboundMessage, note: str = "") -> None:
    """One action's send, confirmed late (reconciliation of an unknown outcome)."""
    with transaction.atomic():
        if ScheduledAction.objects.filter(
            pk=action.pk, state__in=[ActionState.SENDING, ActionState.UNKNOWN]
        ).update(state=ActionState.SENT, finished_at=timezone.now(), reason=note[:300]):
            event = _lead_event(action, message)
            if event is not None:
                record_events(events=[event])


def _lead_event(action: ScheduledAction, message: OutboundMessage) -> LeadEvent | None:
    if action.kind in (ActionKind.NOTIFICATION, ActionKind.TEST) or action.lead_id is None:
        return None
    return LeadEvent(
        lead=action.lead,
        kind=EventKind.MESSAGE_SENT,
        actor_id=(
            action.created_by_id if action.kind in (ActionKind.MANUAL, ActionKind.REPLY) else None
        ),
        channel=message.channel,
        outcome=ContactOutcome.SENT,
        note=(message.subject or message.body)[:300],
        data={
            "to": message.to,
            "recipient": action.recipient_kind,
            "rule_id": action.rule_id,
            "action_id": action.pk,
            "message_uid": str(message.uid),
        },
    )


@transaction.atomic
def update_delivery(
    *, message: OutboundMessage, status: str, detail: str = "", provider_id: str = ""
) -> OutboundMessage:
    """A provider says what became of a message. Statuses only move forward (callbacks come out
    of order). A message whose send was never marked (a crash after the provider took it) is
    reconciled here: the provider saw it, so the action is sent and the lead says so."""
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    if STATUS_RANK.get(status, -1) > STATUS_RANK.get(message.status, -1):
        message.status = status
        message.status_detail = detail[:300]
        if provider_id and not message.provider_id:
            message.provider_id = provider_id
        message.save(update_fields=["status", "status_detail", "provider_id", "updated_at"])
    if status in (DeliveryStatus.BOUNCED,) and message.channel == Channel.EMAIL:
        record_opt_out(channel=Channel.EMAIL, address=message.to, origin=OptOut.Origin.PROVIDER)
    action = message.action
    if (
        action is not None
        and action.state in (ActionState.UNKNOWN, ActionState.SENDING)
        and status
        in (
            DeliveryStatus.QUEUED,
            DeliveryStatus.SENT,
            DeliveryStatus.DELIVERED,
            DeliveryStatus.READ,
        )
    ):
        mark_sent(action=action, message=message, note="confirmed by the provider's callback")
    return message
