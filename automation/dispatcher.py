"""The dispatcher: claims due actions, checks them again, sends them, marks them.

At most once, by construction:
1. claim   — in one short transaction, `SELECT … FOR UPDATE SKIP LOCKED` picks due *pending* rows
             and moves them to *sending* (attempts + 1). Two dispatchers never get the same row;
             a row that is not pending is never picked again.
2. check   — conditions, recipient, consent, opt-out and the window are read again now. A row
             that no longer applies is *skipped* (with the reason); one due outside the window
             goes back to *pending* at the window's next opening.
3. send    — an OutboundMessage row (status *sending*, our uid) is written first, then the
             provider is called. The uid travels with the message (e-mail Message-ID and anymail
             metadata; the Twilio status-callback URL).
4. mark    — one transaction: action *sent*, message *queued/sent* with the provider id, and
             the MESSAGE_SENT lead events (leads.services.record_events, one INSERT).

A crash between 3 and 4 leaves the action in *sending*. After the lease
(AUTOMATION_CLAIM_LEASE_SECONDS) the sweep moves it to *unknown* — it is **not** resent, since
the provider may well have taken it; a delivery callback carrying our uid later reconciles it to
*sent* (services.update_delivery). A provider that surely refused (an HTTP error answer, a
refused connection) puts the row back to *pending* with a backoff, up to MAX_ATTEMPTS; an
ambiguous failure (a read timeout) is *unknown* at once.

On SQLite (the first-run default) there is no SKIP LOCKED: each claimed row is taken with its
own conditional UPDATE (… WHERE state = 'pending'), so two dispatchers still never share a row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks

from automation import channels, render
from automation import rules as rule_logic
from automation.links import unsubscribe_url
from automation.models import (
    ActionKind,
    ActionState,
    Channel,
    DeliveryStatus,
    Direction,
    Notification,
    NotificationKind,
    OptOut,
    OutboundMessage,
    RecipientKind,
    Rule,
    ScheduledAction,
    Trigger,
)
from dealers.models import Dealership
from leads.models import ContactOutcome, EventKind, LeadEvent
from leads.services import record_events

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (60, 300, 1800, 7200)


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "AUTOMATION_CLAIM_LEASE_SECONDS", 300)))


def claim(batch_size: int = 200) -> list[int]:
    now = timezone.now()
    due = ScheduledAction.objects.filter(state=ActionState.PENDING, due_at__lte=now).order_by(
        "due_at"
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size]
            )
            if ids:
                ScheduledAction.objects.filter(pk__in=ids).update(
                    state=ActionState.SENDING, claimed_at=now, attempts=F("attempts") + 1
                )
        return ids
    claimed = []
    for pk in due.values_list("pk", flat=True)[:batch_size]:
        if ScheduledAction.objects.filter(pk=pk, state=ActionState.PENDING).update(
            state=ActionState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        ):
            claimed.append(pk)
    return claimed


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
    *, batch_size: int = 200, budget_seconds: float = 8.0, poll_seconds: float = 0.0
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


@dataclass
class Outgoing:
    action: ScheduledAction
    to: str
    subject: str
    text: str
    html: str
    language: str
    user_id: int | None
    reply_to: str = ""
    unsubscribe: str = ""
    notify_title: str = ""


def _load(ids: Iterable[int]) -> list[ScheduledAction]:
    actions = list(
        ScheduledAction.objects.filter(pk__in=list(ids), state=ActionState.SENDING)
        .select_related(
            "lead__customer",
            "lead__assigned_to",
            "lead__source",
            "lead__vehicle",
            "template",
            "recipient_user",
            "notification",
        )
        .order_by("due_at")
    )
    # A batch has a few rules and dealerships: each loaded once, not once per row.
    rules = (
        Rule.objects.select_related("template")
        .prefetch_related("sources")
        .in_bulk({a.rule_id for a in actions if a.rule_id})
    )
    leads = [a.lead for a in actions if a.lead_id]
    dealerships = Dealership.objects.in_bulk({lead.dealership_id for lead in leads})
    for lead in leads:
        lead.dealership = dealerships[lead.dealership_id]
    # Phone numbers matter only to the SMS to customers.
    texted = [a.lead.customer for a in actions if a.lead_id and a.channel == Channel.SMS]
    prefetch_related_objects(texted, "phones")
    for action in actions:
        if action.rule_id:
            action.rule = rules.get(action.rule_id)
    return actions


def process(ids: Iterable[int]) -> int:
    actions = _load(ids)
    if not actions:
        return 0
    opt_outs = _opt_outs(actions)
    outgoing: list[Outgoing] = []
    for action in actions:
        try:
            verdict = _prepare(action, opt_outs)
        except render.TemplateProblem as exc:
            _finish(action, ActionState.FAILED, str(exc))
            continue
        if isinstance(verdict, Outgoing):
            outgoing.append(verdict)
    if not outgoing:
        return len(actions)
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
    sent: list[tuple[Outgoing, OutboundMessage, str]] = []
    email = (
        channels.EmailSender() if any(o.action.channel == Channel.EMAIL for o in outgoing) else None
    )
    try:
        for item, message in zip(outgoing, messages, strict=True):
            try:
                provider_id = _send(item, message, email)
            except channels.NotSent as exc:
                _not_sent(item.action, message, exc)
            except channels.MaybeSent as exc:
                OutboundMessage.objects.filter(pk=message.pk).update(status_detail=str(exc))
                _finish(item.action, ActionState.UNKNOWN, f"provider outcome unknown: {exc}")
            else:
                sent.append((item, message, provider_id))
    finally:
        if email is not None:
            email.close()
    if sent:
        _mark_batch(sent)
    return len(actions)


def _opt_outs(actions: list[ScheduledAction]) -> set[tuple[str, str]]:
    from automation.services import customer_address, normalize_address

    wanted = {
        (a.channel, normalize_address(a.channel, customer_address(a.lead, a.channel)))
        for a in actions
        if a.recipient_kind == RecipientKind.CUSTOMER and a.lead_id
    }
    if not wanted:
        return set()
    rows = OptOut.objects.filter(address__in={addr for _c, addr in wanted}).values_list(
        "channel", "address"
    )
    return set(rows) & wanted


def _prepare(action: ScheduledAction, opt_outs: set[tuple[str, str]]) -> Outgoing | None:
    """Check the action again and compose its message; None when it was finished otherwise."""
    from automation.services import customer_address, preference, why_not_to_customer

    lead, rule, now = action.lead, action.rule, timezone.now()
    if action.kind == ActionKind.RULE:
        if rule is None or not rule.is_enabled:
            return _finish(action, ActionState.CANCELLED, "the rule was disabled or deleted")
        if lead is None:
            return _finish(action, ActionState.SKIPPED, "the lead is gone")
        why = rule_logic.lead_meets(rule, lead, {s.pk for s in rule.sources.all()})
        if not why and rule.trigger == Trigger.APPOINTMENT:
            if lead.appointment_at != action.anchor_at:
                why = "the appointment moved"
            elif rule.direction == Direction.BEFORE and lead.appointment_at <= now:
                why = "the appointment has passed"
        if why:
            return _finish(action, ActionState.SKIPPED, f"conditions no longer met: {why}")
        tz = lead.dealership.tz
        if not rule_logic.in_window(rule, now, tz):
            opening = rule_logic.next_opening(rule, now, tz)
            ScheduledAction.objects.filter(pk=action.pk, state=ActionState.SENDING).update(
                state=ActionState.PENDING, due_at=opening, attempts=F("attempts") - 1
            )
            return None
    if action.kind == ActionKind.NOTIFICATION:
        note: Notification = action.notification
        user = action.recipient_user
        to = user.email if action.channel == Channel.EMAIL else user.phone
        if not to:
            return _finish(action, ActionState.SKIPPED, "no address for this person")
        link = f"{_public()}{reverse('notifications:list')}"
        text = (
            f"{note.title}\n\n{note.body}\n\n{link}".strip()
            if action.channel == Channel.EMAIL
            else f"{note.title} {note.body}"[:320]
        )
        html = linebreaks(f"{note.title}\n\n{note.body}", autoescape=True)
        html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
        return Outgoing(action, to, note.title, text, html, user.language, user.pk)
    template = action.template or (rule.template if rule else None)
    if template is None:
        return _finish(action, ActionState.FAILED, "the template was deleted")
    user = None
    if action.recipient_kind == RecipientKind.CUSTOMER:
        to = customer_address(lead, action.channel)
        why = why_not_to_customer(lead, action.channel, to, check_opt_out=False)
        from automation.services import normalize_address

        if not why and (action.channel, normalize_address(action.channel, to)) in opt_outs:
            why = "the customer opted out of this channel"
        if why:
            return _finish(action, ActionState.SKIPPED, why)
        preferred = (lead.customer.language, lead.dealership.language)
        name = str(lead.customer)
    else:
        user = (
            lead.assigned_to
            if action.recipient_kind == RecipientKind.SALESPERSON
            else action.recipient_user
        )
        if user is None or not user.is_active:
            return _finish(action, ActionState.SKIPPED, "nobody holds the lead")
        if action.kind == ActionKind.RULE:
            pref = preference(user, NotificationKind.AUTOMATION)
            wanted = pref.by_email if action.channel == Channel.EMAIL else pref.by_sms
            if not pref.enabled or not wanted:
                _in_app(user, lead, template, action, pref.enabled)
                return _finish(action, ActionState.SKIPPED, "the person turned this channel off")
        to = user.email if action.channel == Channel.EMAIL else user.phone
        if not to:
            return _finish(action, ActionState.SKIPPED, "no address for this person")
        if action.kind == ActionKind.TEST:  # what the customer would get, unless asked otherwise
            preferred = (action.reason or lead.customer.language, lead.dealership.language)
        else:
            preferred = (user.language, lead.dealership.language)
        name = str(user)
    language, subject, body = template.version(*preferred)
    if not body:
        return _finish(action, ActionState.FAILED, "the template has no text")
    context = render.lead_context(
        lead, language=language, recipient_name=name, public_url=_public()
    )
    rendered = render.render(subject, body, context, language=language)
    unsubscribe = ""
    text, html = rendered.text, rendered.html
    if action.recipient_kind == RecipientKind.CUSTOMER and action.channel == Channel.EMAIL:
        unsubscribe = unsubscribe_url(channel=Channel.EMAIL, address=to)
        with translation.override(language):
            footer = translation.gettext("No more e-mails from us? Unsubscribe: %(url)s") % {
                "url": unsubscribe
            }
        text = f"{text}\n\n--\n{footer}"
        html = (
            f'{html}<hr><p style="font-size:small"><a href="{escape(unsubscribe)}">'
            f"{escape(footer.split(':')[0])}</a></p>"
        )
    subject = f"[TEST] {rendered.subject}" if action.kind == ActionKind.TEST else rendered.subject
    reply_to = lead.assigned_to.email if lead.assigned_to_id and lead.assigned_to.email else ""
    if action.kind == ActionKind.RULE and user is not None:
        _in_app(user, lead, template, action, True, title=subject or template.name, body=text)
    return Outgoing(
        action, to, subject, text, html, language, user.pk if user else None, reply_to, unsubscribe
    )


def _in_app(user, lead, template, action, enabled: bool, title: str = "", body: str = "") -> None:  # noqa: ANN001
    if enabled:
        Notification.objects.create(
            user=user,
            kind=NotificationKind.AUTOMATION,
            lead=lead,
            title=(title or template.name)[:200],
            body=body,
        )


def _public() -> str:
    return settings.DEALERLMS_PUBLIC_URL.rstrip("/")


def _send(item: Outgoing, message: OutboundMessage, email: channels.EmailSender | None) -> str:
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
    callback = f"{_public()}{reverse('hooks:twilio_status', args=[message.uid])}"
    return channels.send_sms(to=item.to, body=item.text, status_callback=callback)


def _finish(action: ScheduledAction, state: str, reason: str) -> None:
    ScheduledAction.objects.filter(pk=action.pk, state=ActionState.SENDING).update(
        state=state, reason=reason[:300], finished_at=timezone.now()
    )
    return None


def _not_sent(action: ScheduledAction, message: OutboundMessage, exc: channels.NotSent) -> None:
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=DeliveryStatus.FAILED, status_detail=str(exc)[:300]
    )
    if exc.retry and action.attempts < MAX_ATTEMPTS:
        wait = BACKOFF_SECONDS[min(action.attempts, len(BACKOFF_SECONDS)) - 1]
        ScheduledAction.objects.filter(pk=action.pk, state=ActionState.SENDING).update(
            state=ActionState.PENDING,
            due_at=timezone.now() + timedelta(seconds=wait),
            reason=f"attempt {action.attempts} failed, retrying in {wait}s: {exc}"[:300],
        )
    else:
        _finish(action, ActionState.FAILED, str(exc))


def _mark_batch(sent: list[tuple[Outgoing, OutboundMessage, str]]) -> None:
    """One transaction for the whole batch: messages queued with their provider ids, actions
    sent, one MESSAGE_SENT event each."""
    with transaction.atomic():
        now = timezone.now()
        _store_provider_ids([(m.pk, provider_id[:255]) for _i, m, provider_id in sent])
        ScheduledAction.objects.filter(
            pk__in=[i.action.pk for i, _m, _p in sent], state=ActionState.SENDING
        ).update(state=ActionState.SENT, finished_at=now, reason="")
        record_events(
            events=[
                event
                for item, message, _p in sent
                if (event := _lead_event(item.action, message)) is not None
            ]
        )


def _store_provider_ids(pairs: list[tuple[int, str]]) -> None:
    if connection.vendor == "postgresql":  # one statement; bulk_update's CASE is slow to build
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE automation_outboundmessage AS m SET provider_id = v.provider_id,"
                " status = %s, updated_at = now()"
                " FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS provider_id) AS v"
                " WHERE m.id = v.id",
                [DeliveryStatus.QUEUED, [pk for pk, _p in pairs], [p for _pk, p in pairs]],
            )
        return
    OutboundMessage.objects.bulk_update(
        [OutboundMessage(pk=pk, provider_id=p, status=DeliveryStatus.QUEUED) for pk, p in pairs],
        ["provider_id", "status"],
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
        actor_id=action.created_by_id if action.kind == ActionKind.MANUAL else None,
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
