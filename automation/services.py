"""Writes of the automation app: turning lead events into scheduled actions, staff
notifications, rule edits and what they do to pending actions, opt-outs, inbound SMS, delivery
status, and the messages a salesperson sends from the lead page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from accounts.selectors import people_at
from automation import rules as rule_logic
from automation.models import (
    STATUS_RANK,
    ActionKind,
    ActionState,
    Channel,
    DeliveryStatus,
    InboundSms,
    MessageTemplate,
    Notification,
    NotificationKind,
    NotificationPreference,
    OptOut,
    OutboundMessage,
    RecipientKind,
    Rule,
    ScheduledAction,
    Trigger,
)
from core import jobs
from dealers.models import Dealership
from leads.lifecycle import OPEN_STATUSES
from leads.models import ContactChannel, CustomerPhone, EventKind, Lead, LeadEvent
from leads.services import record_event


class AutomationError(Exception):
    """A request the state does not allow; the message says why (shown to the person)."""


DISPATCH_JOB = "automation.dispatch"


def kick_dispatcher() -> None:
    """Send what is due now without waiting for the next beat (after the commit, so that the
    worker sees the rows): one dispatcher run for everything due, not one per message."""
    from automation.tasks import dispatch

    transaction.on_commit(lambda: jobs.queue_once(dispatch, DISPATCH_JOB))


# --- lead events → scheduled actions -------------------------------------------------------


def schedule_for_events(events: list[LeadEvent]) -> list[ScheduledAction]:
    """The actions the enabled rules of the events' dealerships plan for them. Runs inside the
    events' transaction (the signal is sent there): the actions exist iff the events do. One
    query for the rules of a whole batch, one for the leads that some rule starts for."""
    events = [e for e in events if e.kind in rule_logic.TRIGGERS_BY_EVENT]
    if not events:
        return []
    rules: dict[int, list[Rule]] = defaultdict(list)
    for rule in Rule.objects.filter(
        dealership_id__in={e.dealership_id for e in events},
        is_enabled=True,
        trigger__in=set().union(*(rule_logic.TRIGGERS_BY_EVENT[e.kind] for e in events)),
    ).prefetch_related("sources"):
        rules[rule.dealership_id].append(rule)
    started = [
        (event, [r for r in rules[event.dealership_id] if rule_logic.event_starts(r, event)])
        for event in events
    ]
    started = [(event, candidates) for event, candidates in started if candidates]
    if not started:
        return []
    leads = Lead.all_objects.select_related("customer", "source", "vehicle", "dealership").in_bulk(
        {event.lead_id for event, _candidates in started}
    )
    now = timezone.now()
    planned: list[ScheduledAction] = []
    for event, candidates in started:
        lead = leads.get(event.lead_id)
        if lead is not None:
            planned += _plan(event, lead, candidates, now)
    ScheduledAction.objects.bulk_create(planned, ignore_conflicts=True)
    if any(a.due_at <= now for a in planned):
        kick_dispatcher()
    return planned


def _plan(event: LeadEvent, lead: Lead, candidates: list[Rule], now: datetime) -> list:
    if event.kind == EventKind.APPOINTMENT_SET:
        # A new appointment time replaces the reminders planned for the old one.
        ScheduledAction.objects.filter(
            lead=lead, state=ActionState.PENDING, rule__trigger=Trigger.APPOINTMENT
        ).update(
            state=ActionState.CANCELLED, reason="the appointment moved", finished_at=timezone.now()
        )
    planned: list[ScheduledAction] = []
    for rule in candidates:
        if rule_logic.lead_meets(rule, lead, {s.pk for s in rule.sources.all()}):
            continue
        anchor = rule_logic.anchor_of(rule, event, lead)
        if anchor is None:
            continue
        due = rule_logic.due_time(rule, anchor, lead.dealership.tz)
        if rule.trigger == Trigger.APPOINTMENT and anchor <= now:
            continue  # an appointment set in the past (typed afterwards): nothing to remind
        for kind, user in _rule_recipients(rule, lead):
            planned.append(
                ScheduledAction(
                    kind=ActionKind.RULE,
                    rule=rule,
                    lead=lead,
                    event=event,
                    recipient_kind=kind,
                    recipient_user=user,
                    channel=rule.channel,
                    anchor_at=anchor,
                    due_at=due,
                    dedup_key=f"r{rule.pk}:e{event.pk}:{kind}:{user.pk if user else 0}",
                )
            )
    return planned


def _rule_recipients(rule: Rule, lead: Lead) -> list[tuple[str, User | None]]:
    found: list[tuple[str, User | None]] = []
    if rule.to_customer:
        found.append((RecipientKind.CUSTOMER, None))
    if rule.to_salesperson:
        # Whoever holds the lead when the message is due (it may be reassigned meanwhile).
        found.append((RecipientKind.SALESPERSON, None))
    if rule.to_managers:
        found.extend((RecipientKind.USER, m) for m in people_at(lead.dealership, [Role.MANAGER]))
    return found


# --- staff notifications -------------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    enabled: bool
    by_email: bool
    by_sms: bool


def preference(user: User, kind: str) -> Preference:
    return preferences([(user, kind)])[user.pk, kind]


def preferences(wanted: list[tuple[User, str]]) -> dict[tuple[int, str], Preference]:
    """(user id, kind) → what the person chose, for several people and kinds in one query."""
    rows = {
        (row.user_id, row.kind): row
        for row in NotificationPreference.objects.filter(
            user_id__in={user.pk for user, _kind in wanted},
            kind__in={kind for _user, kind in wanted},
        )
    }
    chosen = {}
    for user, kind in wanted:
        row = rows.get((user.pk, kind))
        # The person's general choice (accounts.User) until they set one per kind.
        chosen[user.pk, kind] = (
            Preference(True, user.notify_by_email, user.notify_by_sms)
            if row is None
            else Preference(row.enabled, row.by_email, row.by_sms)
        )
    return chosen


def save_preferences(*, user: User, choices: dict[str, Preference]) -> None:
    for kind, pref in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={"enabled": pref.enabled, "by_email": pref.by_email, "by_sms": pref.by_sms},
        )


@dataclass(frozen=True)
class News:
    """Something to tell one member of staff (notify_all)."""

    user: User
    kind: str
    title: str
    body: str = ""
    lead: Lead | None = None


def notify(
    *, user: User, kind: str, title: str, body: str = "", lead: Lead | None = None
) -> Notification | None:
    """An in-app notification now, and its e-mail / SMS copies through the dispatcher."""
    return notify_all([News(user, kind, title, body, lead)])[0]


def notify_all(news: list[News]) -> list[Notification | None]:
    """Each piece of news as notify() gives it (None where the person does not want it), their
    choices read in one query and the notifications and copies inserted together."""
    if not news:
        return []
    chosen = preferences([(n.user, n.kind) for n in news])
    made: list[Notification | None] = []
    for item in news:
        pref = chosen[item.user.pk, item.kind]
        wanted = pref.enabled and item.user.is_active
        made.append(
            Notification(
                user=item.user, kind=item.kind, lead=item.lead, title=item.title, body=item.body
            )
            if wanted
            else None
        )
    Notification.objects.bulk_create([note for note in made if note is not None])
    now = timezone.now()
    copies = []
    for item, note in zip(news, made, strict=True):
        if note is None:
            continue
        pref = chosen[item.user.pk, item.kind]
        for channel, reachable in (
            (Channel.EMAIL, pref.by_email and item.user.email),
            (Channel.SMS, pref.by_sms and item.user.phone),
        ):
            if reachable:
                copies.append(
                    ScheduledAction(
                        kind=ActionKind.NOTIFICATION,
                        notification=note,
                        lead=item.lead,
                        recipient_kind=RecipientKind.USER,
                        recipient_user=item.user,
                        channel=channel,
                        due_at=now,
                        dedup_key=f"n{note.pk}:{channel}",
                    )
                )
    ScheduledAction.objects.bulk_create(copies)
    if copies:
        kick_dispatcher()
    return made


def notify_for_events(events: list[LeadEvent]) -> list[Notification]:
    """Assignment → the assignee; escalation → the people the escalation names (else the
    dealership's managers); a customer's reply → the salesperson (else the managers). The
    news of a batch of events is written together (notify_all)."""
    news: list[News] = []
    for event in events:
        news += _news_of(event)
    return [note for note in notify_all(news) if note is not None]


def _news_of(event: LeadEvent) -> list[News]:
    if event.kind not in (
        EventKind.ASSIGNED,
        EventKind.REASSIGNED,
        EventKind.ESCALATED,
        EventKind.MESSAGE_RECEIVED,
    ):
        return []
    lead = _lead_of(event)
    if event.kind in (EventKind.ASSIGNED, EventKind.REASSIGNED):
        people = [event.assignee] if event.assignee_id else []
        kind = NotificationKind.ASSIGNED
    elif event.kind == EventKind.ESCALATED:
        ids = [i for i in (event.data or {}).get("notify_user_ids", []) if isinstance(i, int)]
        people = list(User.objects.filter(pk__in=ids, is_active=True)) if ids else []
        people = people or list(people_at(lead.dealership, [Role.MANAGER]))
        kind = NotificationKind.ESCALATED
    else:
        people = [lead.assigned_to] if lead.assigned_to_id else []
        people = people or list(people_at(lead.dealership, [Role.MANAGER]))
        kind = NotificationKind.REPLY
    news = []
    for person in people:
        if event.actor_id and person.pk == event.actor_id:
            continue  # no news to the one who did it
        with translation.override(person.language):
            title, body = _notification_text(kind, event, lead)
        news.append(News(person, kind, title, body, lead))
    return news


_NOTIFICATION_READS = ("customer", "vehicle", "dealership", "assigned_to")


def _lead_of(event: LeadEvent) -> Lead:
    """The event's lead as its writer passed it, when that row comes with what the notification
    reads (the writer holds it, locked and current, in this very transaction: reading it again
    would only cost a round trip); else read with those relations."""
    lead = event.lead if LeadEvent.lead.is_cached(event) else None
    if lead is not None and all(
        getattr(lead, f"{name}_id") is None or Lead._meta.get_field(name).is_cached(lead)
        for name in _NOTIFICATION_READS
    ):
        return lead
    return Lead.all_objects.select_related(*_NOTIFICATION_READS).get(pk=event.lead_id)


def _notification_text(kind: str, event: LeadEvent, lead: Lead) -> tuple[str, str]:
    who = str(lead.customer)
    vehicle = str(lead.vehicle) if lead.vehicle_id else ""
    if kind == NotificationKind.ASSIGNED:
        title = _("New lead for you: %(customer)s") % {"customer": who}
        return title, vehicle
    if kind == NotificationKind.ESCALATED:
        title = _("Lead escalated: %(customer)s") % {"customer": who}
        return title, event.note or vehicle
    title = _("%(customer)s replied") % {"customer": who}
    return title, event.note[:500]


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# --- rules: edits and what they do to pending actions --------------------------------------


@dataclass
class Impact:
    cancelled: int = 0
    rescheduled: int = 0
    kept: int = 0

    def describe(self) -> str:
        parts = []
        if self.cancelled:
            parts.append(
                ngettext(
                    "%(n)d pending message cancelled",
                    "%(n)d pending messages cancelled",
                    self.cancelled,
                )
                % {"n": self.cancelled}
            )
        if self.rescheduled:
            parts.append(
                ngettext(
                    "%(n)d pending message rescheduled",
                    "%(n)d pending messages rescheduled",
                    self.rescheduled,
                )
                % {"n": self.rescheduled}
            )
        if self.kept:
            parts.append(
                ngettext(
                    "%(n)d pending message will use the new text and conditions",
                    "%(n)d pending messages will use the new text and conditions",
                    self.kept,
                )
                % {"n": self.kept}
            )
        return "; ".join(parts) or _("No pending messages affected.")


def pending_actions(rule: Rule) -> QuerySet[ScheduledAction]:
    return ScheduledAction.objects.filter(rule=rule, state=ActionState.PENDING)


TIMING_FIELDS = ("offset_amount", "offset_unit", "direction", "window_start", "window_end")


def rule_change_impact(before: Rule | None, after: Rule, *, apply: bool = False) -> Impact:
    """What saving `after` over `before` does to the rule's pending actions. With apply=False
    only counts (the form shows it before saving); with apply=True it does it.

    Disabling, or changing what starts the rule, cancels them; removing a recipient cancels
    theirs; a new wait or window reschedules them from their anchor; text, template and
    conditions need nothing now: they are read again when each message is due."""
    impact = Impact()
    if before is None or before.pk is None:
        return impact
    pending = pending_actions(before)
    now = timezone.now()
    cancel_all = (not after.is_enabled) or (
        (before.trigger, before.trigger_status) != (after.trigger, after.trigger_status)
    )
    if cancel_all:
        impact.cancelled = pending.count()
        if apply:
            pending.update(state=ActionState.CANCELLED, reason="rule changed", finished_at=now)
        return impact
    gone = []
    if before.to_customer and not after.to_customer:
        gone.append(RecipientKind.CUSTOMER)
    if before.to_salesperson and not after.to_salesperson:
        gone.append(RecipientKind.SALESPERSON)
    if before.to_managers and not after.to_managers:
        gone.append(RecipientKind.USER)
    dropped = pending.filter(recipient_kind__in=gone)
    impact.cancelled = dropped.count() if gone else 0
    if apply and gone:
        dropped.update(state=ActionState.CANCELLED, reason="recipient removed", finished_at=now)
    remaining = pending.exclude(recipient_kind__in=gone)
    timing_changed = any(getattr(before, f) != getattr(after, f) for f in TIMING_FIELDS) or (
        before.days() != after.days()
    )
    channel_changed = before.channel != after.channel
    if timing_changed:
        impact.rescheduled = remaining.count()
        if apply:
            tz = after.dealership.tz
            for action in remaining.only("pk", "anchor_at", "due_at"):
                due = rule_logic.due_time(after, action.anchor_at or action.due_at, tz)
                ScheduledAction.objects.filter(pk=action.pk, state=ActionState.PENDING).update(
                    due_at=due, channel=after.channel
                )
    else:
        impact.kept = remaining.count()
    if apply and channel_changed and not timing_changed:
        remaining.update(channel=after.channel)
    return impact


@transaction.atomic
def save_rule(*, rule: Rule, sources: list | None = None) -> Impact:
    before = Rule.objects.filter(pk=rule.pk).first() if rule.pk else None
    impact = rule_change_impact(before, rule, apply=True)
    rule.save()
    if sources is not None:
        rule.sources.set(sources)
    return impact


@transaction.atomic
def set_rule_enabled(*, rule: Rule, enabled: bool) -> Impact:
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = Rule.objects.get(pk=rule.pk)
    rule.is_enabled = enabled
    impact = rule_change_impact(before, rule, apply=True)
    rule.save(update_fields=["is_enabled", "updated_at"])
    return impact


def install_ready_made(*, dealership: Dealership, enable_rules: bool = False) -> int:
    """The ready-made templates (nl/fr/en) and a rule for each, for one dealership. Rules are
    created disabled unless asked: the manager switches them on after reading them."""
    from automation.defaults import READY_MADE

    made = 0
    for spec in READY_MADE:
        with translation.override(dealership.language):  # named in the dealership's language
            name = str(spec.name)
        template, created = MessageTemplate.objects.get_or_create(
            dealership=dealership, key=spec.key, defaults={"name": name, **spec.texts}
        )
        made += created
        if created:
            Rule.objects.create(
                dealership=dealership,
                name=name,
                is_enabled=enable_rules,
                template=template,
                window_days=[0, 1, 2, 3, 4, 5],
                **spec.rule,
            )
    return made


# --- opt-outs --------------------------------------------------------------------------------


def normalize_address(channel: str, address: str) -> str:
    return address.strip().lower() if channel == Channel.EMAIL else address.strip()


def record_opt_out(*, channel: str, address: str, origin: str) -> OptOut:
    address = normalize_address(channel, address)
    customer = _customer_for(channel, address)
    opt_out, _created = OptOut.objects.get_or_create(
        channel=channel, address=address, defaults={"origin": origin, "customer": customer}
    )
    return opt_out


def withdraw_opt_out(*, channel: str, address: str) -> int:
    return OptOut.objects.filter(
        channel=channel, address=normalize_address(channel, address)
    ).delete()[0]


def _customer_for(channel: str, address: str):
    from leads.models import Customer

    if channel == Channel.EMAIL:
        return Customer.objects.filter(email__iexact=address).order_by("-created_at").first()
    phone = CustomerPhone.objects.filter(number=address).select_related("customer").last()
    return phone.customer if phone else None


def opted_out(channel: str, address: str) -> bool:
    return OptOut.objects.filter(
        channel=channel, address=normalize_address(channel, address)
    ).exists()


# --- inbound SMS -----------------------------------------------------------------------------

STOP_WORDS = {
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "arret",
    "arrêt",
    "stoppen",
}
START_WORDS = {"start", "unstop", "yes"}


@transaction.atomic
def receive_sms(*, sid: str, from_number: str, body: str) -> InboundSms:
    """A customer's SMS: once per MessageSid, on their latest open lead's timeline (which
    notifies the salesperson). STOP records an opt-out; START withdraws it."""
    existing = InboundSms.objects.filter(sid=sid).first()
    if existing:
        return existing
    phones = CustomerPhone.objects.filter(
        number=from_number, customer__erased_at__isnull=True
    ).values_list("customer_id", flat=True)
    leads = Lead.objects.filter(customer_id__in=list(phones)).order_by("-received_at")
    lead = leads.filter(status__in=OPEN_STATUSES).first() or leads.first()
    sms = InboundSms.objects.create(sid=sid, from_number=from_number, body=body, lead=lead)
    word = body.strip().lower().rstrip(".!")
    if word in STOP_WORDS:
        record_opt_out(channel=Channel.SMS, address=from_number, origin=OptOut.Origin.SMS_STOP)
    elif word in START_WORDS:
        withdraw_opt_out(channel=Channel.SMS, address=from_number)
    if lead is not None:
        record_event(
            lead=lead,
            kind=EventKind.MESSAGE_RECEIVED,
            channel=ContactChannel.SMS,
            note=body[:2000],
            data={"from": from_number, "sid": sid},
        )
    return sms


# --- delivery status -------------------------------------------------------------------------


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
        and status in (DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    ):
        from automation.dispatcher import mark_sent

        mark_sent(action=action, message=message, note="confirmed by the provider's callback")
    return message


# --- sending from the lead page, and test-sends -----------------------------------------------


def customer_address(lead: Lead, channel: str) -> str:
    if channel == Channel.EMAIL:
        return lead.customer.email
    phones = list(lead.customer.phones.all())
    mobile = next((p for p in phones if p.kind == CustomerPhone.Kind.MOBILE), None)
    return (mobile or next(iter(phones), None) or CustomerPhone(number="")).number


def why_not_to_customer(
    lead: Lead, channel: str, address: str | None = None, *, check_opt_out: bool = True
) -> str:
    """'' when the customer may get a message on this channel, else why not. (The dispatcher
    reads the opt-outs of a whole batch in one query, and passes check_opt_out=False.)"""
    address = customer_address(lead, channel) if address is None else address
    customer = lead.customer
    if customer.erased_at is not None:
        return _("the customer's personal data was erased")
    if not address:
        return _("no e-mail address") if channel == Channel.EMAIL else _("no phone number")
    if channel == Channel.EMAIL and not customer.consent_email:
        return _("no consent for e-mail")
    if channel == Channel.SMS and not customer.consent_sms:
        return _("no consent for SMS")
    if check_opt_out and opted_out(channel, address):
        return _("the customer opted out of this channel")
    return ""


@transaction.atomic
def queue_lead_message(
    *, lead: Lead, template: MessageTemplate, channel: str, by: User
) -> ScheduledAction:
    """A salesperson sends a template to the customer now (through the dispatcher)."""
    if template.dealership_id != lead.dealership_id:
        raise AutomationError(_("That template belongs to another dealership."))
    reason = why_not_to_customer(lead, channel)
    if reason:
        raise AutomationError(_("Not sent: %(reason)s.") % {"reason": reason})
    action = ScheduledAction.objects.create(
        kind=ActionKind.MANUAL,
        template=template,
        lead=lead,
        recipient_kind=RecipientKind.CUSTOMER,
        channel=channel,
        due_at=timezone.now(),
        created_by=by,
    )
    kick_dispatcher()
    return action


@transaction.atomic
def queue_test_send(
    *, template: MessageTemplate, lead: Lead, channel: str, by: User, language: str = ""
) -> ScheduledAction:
    """The template, rendered for a real lead, to the person themself (no lead event)."""
    if channel == Channel.EMAIL and not by.email:
        raise AutomationError(_("Your profile has no e-mail address."))
    if channel == Channel.SMS and not by.phone:
        raise AutomationError(_("Your profile has no mobile phone number."))
    action = ScheduledAction.objects.create(
        kind=ActionKind.TEST,
        template=template,
        lead=lead,
        recipient_kind=RecipientKind.USER,
        recipient_user=by,
        channel=channel,
        due_at=timezone.now(),
        reason=language,
        created_by=by,
    )
    kick_dispatcher()
    return action


def public_url() -> str:
    return settings.DEALERLMS_PUBLIC_URL.rstrip("/")


def due_now() -> datetime:
    return timezone.now()
