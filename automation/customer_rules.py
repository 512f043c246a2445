"""The dealership's rules, in action: lead events become scheduled actions (timed e-mails and
SMS to the customer, the salesperson, the managers), and a rule's edit says what it does to the
actions still pending before it does it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from accounts.selectors import people_at
from automation import rules as rule_logic
from automation.models import (
    ActionKind,
    ActionState,
    MessageTemplate,
    RecipientKind,
    Rule,
    ScheduledAction,
    Trigger,
)
from automation.outbox import kick_dispatcher
from dealers.models import Dealership
from leads.models import EventKind, Lead, LeadEvent


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


# --- edits and what they do to pending actions --------------------------------------------


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
