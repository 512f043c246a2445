"""News for staff: an in-app notification, with e-mail and SMS copies through the dispatcher as
each person chose. Lead events bring news: an assignment to the assignee, an escalation to the
people it names (else the managers), a customer's reply to the salesperson (else the managers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import people_at
from automation.models import (
    ActionKind,
    Channel,
    Notification,
    NotificationKind,
    RecipientKind,
    ScheduledAction,
)
from automation.outbox import kick_dispatcher
from automation.preferences import preferences
from leads.models import EventKind, Lead, LeadEvent


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


# What a notification's text reads of its lead, loaded by automation itself (one query a batch).
_NOTIFICATION_READS = ("customer", "vehicle", "dealership", "assigned_to")
_NEWS_EVENTS = (
    EventKind.ASSIGNED,
    EventKind.REASSIGNED,
    EventKind.ESCALATED,
    EventKind.MESSAGE_RECEIVED,
)


def notify_for_events(events: list[LeadEvent]) -> list[Notification]:
    """Assignment → the assignee; escalation → the people the escalation names (else the
    dealership's managers); a customer's reply → the salesperson (else the managers). The
    leads are read once for the batch, and its news written together (notify_all)."""
    events = [e for e in events if e.kind in _NEWS_EVENTS]
    if not events:
        return []
    leads = Lead.all_objects.select_related(*_NOTIFICATION_READS).in_bulk(
        {e.lead_id for e in events}
    )
    news: list[News] = []
    for event in events:
        news += _news_of(event, leads[event.lead_id])
    return [note for note in notify_all(news) if note is not None]


def _news_of(event: LeadEvent, lead: Lead) -> list[News]:
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
