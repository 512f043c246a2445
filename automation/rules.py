"""What a rule means: which events start it, whether a lead meets its conditions, when it is due
and the next moment inside its sending window. Pure functions over rows, no writes."""

from __future__ import annotations

from datetime import datetime, timedelta

from automation.models import Activity, Rule, Trigger
from leads.lifecycle import Status
from leads.models import EventKind, Lead, LeadEvent

# Event kind → the triggers it may start (STATUS_CHANGED: see event_starts).
TRIGGERS_BY_EVENT = {
    EventKind.CREATED: {Trigger.CREATED, Trigger.NO_CONTACT},
    EventKind.MODIFIED: {Trigger.MODIFIED},
    EventKind.ASSIGNED: {Trigger.ASSIGNED, Trigger.STATUS_CHANGED},
    EventKind.REASSIGNED: {Trigger.STATUS_CHANGED},
    EventKind.UNASSIGNED: {Trigger.STATUS_CHANGED},
    EventKind.STATUS_CHANGED: {Trigger.STATUS_CHANGED, Trigger.SOLD, Trigger.LOST},
    EventKind.CONTACT_ATTEMPT: {Trigger.CONTACT_ATTEMPT},
    EventKind.APPOINTMENT_SET: {Trigger.APPOINTMENT},
}


def event_starts(rule: Rule, event: LeadEvent) -> bool:
    if rule.trigger not in TRIGGERS_BY_EVENT.get(event.kind, ()):
        return False
    if rule.trigger == Trigger.STATUS_CHANGED:
        return bool(event.status_to) and event.status_to == rule.trigger_status
    if rule.trigger == Trigger.SOLD:
        return event.status_to == Status.SOLD
    if rule.trigger == Trigger.LOST:
        return event.status_to == Status.LOST
    return True


def anchor_of(rule: Rule, event: LeadEvent, lead: Lead) -> datetime | None:
    """The moment the offset counts from."""
    if rule.trigger == Trigger.APPOINTMENT:
        return lead.appointment_at
    if rule.trigger == Trigger.NO_CONTACT:
        return lead.received_at
    return event.occurred_at


def lead_meets(rule: Rule, lead: Lead, source_ids: set[int] | None = None) -> str:
    """'' when the lead meets every condition, else why not (kept on a skipped action)."""
    if lead.deleted_at is not None:
        return "the lead was deleted"
    if lead.customer.erased_at is not None:
        return "the customer's data was erased"
    if rule.statuses and lead.status not in rule.statuses:
        return f"status is {lead.status}"
    if rule.lead_types and lead.lead_type not in rule.lead_types:
        return f"lead type is {lead.lead_type}"
    kind = lead.source.kind if lead.source_id else ""
    if rule.source_kinds and kind not in rule.source_kinds:
        return f"source kind is {kind or 'none'}"
    if source_ids is None:
        source_ids = {s.pk for s in rule.sources.all()}
    if source_ids and lead.source_id not in source_ids:
        return "another source"
    if rule.condition and (not lead.vehicle_id or lead.vehicle.condition != rule.condition):
        return "vehicle condition differs"
    if rule.min_rating is not None and (lead.rating or 0) < rule.min_rating:
        return "rating too low"
    if rule.activity == Activity.ACTIVE and lead.is_passive:
        return "passive lead"
    if rule.activity == Activity.PASSIVE and not lead.is_passive:
        return "active lead"
    if rule.trigger == Trigger.NO_CONTACT and lead.first_contact_at is not None:
        return "the customer was contacted"
    if rule.trigger == Trigger.APPOINTMENT and lead.appointment_at is None:
        return "no appointment any more"
    return ""


def next_opening(rule: Rule, moment: datetime, tz) -> datetime:
    """`moment` if it is inside the rule's window (dealership time), else the window's next
    opening. Works on local wall-clock times, so a DST change keeps 08:00 at 08:00."""
    days = rule.days()
    local = moment.astimezone(tz)
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        if day.weekday() not in days:
            continue
        opens = datetime.combine(day, rule.window_start, tzinfo=tz)
        closes = datetime.combine(day, rule.window_end, tzinfo=tz)
        if offset == 0 and opens <= local < closes:
            return moment
        if local < opens:
            return opens
    return moment  # a window with no day at all: send when due rather than never


def in_window(rule: Rule, moment: datetime, tz) -> bool:
    return next_opening(rule, moment, tz) == moment


def due_time(rule: Rule, anchor: datetime, tz) -> datetime:
    return next_opening(rule, anchor + rule.offset, tz)
