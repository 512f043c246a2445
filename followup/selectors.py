"""The reads of the working day: today's list, the appointment calendar, who is behind."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from followup.models import Task
from leads.models import Lead
from leads.selectors import visible_leads


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def today(user: User, *, now: datetime | None = None, zone: ZoneInfo) -> dict:
    now = now or timezone.now()
    start, end = _day_bounds(now.astimezone(zone).date(), zone)
    tasks = (
        Task.objects.filter(assigned_to=user, state=Task.State.OPEN, due_at__lt=end)
        .exclude(kind="appointment")
        .select_related("lead__customer", "lead__vehicle", "lead__source")
        .order_by("due_at")
    )
    overdue = [t for t in tasks if t.due_at < now]
    due_today = [t for t in tasks if t.due_at >= now]
    mine = Lead.objects.filter(assigned_to=user).open()
    return {
        "overdue": overdue,
        "due_today": due_today,
        "new_leads": mine.filter(first_attempt_at__isnull=True)
        .select_related("customer", "vehicle", "source")
        .order_by("received_at")[:50],
        "appointments": mine.filter(appointment_at__gte=start, appointment_at__lt=end)
        .select_related("customer", "vehicle")
        .order_by("appointment_at"),
    }


def appointments(user: User, *, first_day: date, days: int, zone: ZoneInfo) -> QuerySet[Lead]:
    start, _end = _day_bounds(first_day, zone)
    return (
        visible_leads(user)
        .filter(appointment_at__gte=start, appointment_at__lt=start + timedelta(days=days))
        .select_related("customer", "vehicle", "assigned_to", "dealership")
        .order_by("appointment_at")
    )


def behind(dealership_ids: list[int], *, now: datetime | None = None) -> list[dict]:
    """Per salesperson and BDC agent: open tasks, how many are overdue, since when."""
    now = now or timezone.now()
    rows = (
        Task.objects.filter(
            dealership_id__in=dealership_ids, state=Task.State.OPEN, assigned_to__isnull=False
        )
        .values("assigned_to")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            oldest=Min("due_at", filter=Q(due_at__lt=now)),
        )
    )
    people = User.objects.in_bulk([r["assigned_to"] for r in rows])
    missed_week = dict(
        Task.objects.filter(
            dealership_id__in=dealership_ids,
            state=Task.State.MISSED,
            finished_at__gte=now - timedelta(days=7),
        )
        .values_list("assigned_to")
        .annotate(n=Count("id"))
    )
    result = [
        {
            **r,
            "person": people[r["assigned_to"]],
            "missed_week": missed_week.get(r["assigned_to"], 0),
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["overdue"], r["oldest"] or now))
