"""The working day in the browser's pages: Today, the lead's next actions (htmx), the calendar
with its invitation, who is behind, and the cadence settings."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from followup.models import Cadence, Task
from leads import services as lead_services
from tests.factories import CustomerFactory, DealershipFactory, manager, salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(django_capture_on_commit_callbacks):
    shop = DealershipFactory(opening_hours=False)
    seller = salesperson(shop, first_name="Sanne")
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_services.create_lead(
            dealership=shop,
            customer=CustomerFactory(dealership=shop, full_name="Kees Bakker"),
            received_at=timezone.now() - timedelta(hours=3),
        )
    return {"shop": shop, "seller": seller, "lead": lead}


def test_today_lists_the_overdue_call_and_the_new_lead(client, day):
    client.force_login(day["seller"])
    page = client.get(reverse("followup:today")).content.decode()
    overdue = page.split('id="overdue-h"')[1].split("</section>")[0]
    assert "Kees Bakker" in overdue and "Call" in overdue
    assert "Kees Bakker" in page.split('id="new-h"')[1]


def test_finishing_on_today_logs_the_attempt(client, day):
    client.force_login(day["seller"])
    task = Task.objects.get(lead=day["lead"])
    answer = client.post(reverse("followup:task_done", args=[task.pk]), {"outcome": "no_answer"})
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.state == "done"
    day["lead"].refresh_from_db()
    assert day["lead"].first_attempt_at is not None
    # No outcome chosen: refused, nothing logged as "reached" by default.
    second = Task.objects.get(lead=day["lead"], state="open")
    client.post(reverse("followup:task_done", args=[second.pk]), {"outcome": ""})
    second.refresh_from_db()
    assert second.state == "open"


def test_the_lead_page_plans_and_finishes_next_actions_in_place(client, day):
    client.force_login(day["seller"])
    lead = day["lead"]
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'id="next-actions"' in page
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    panel = client.post(
        reverse("followup:task_add", args=[lead.pk]),
        {"kind": "call", "due_at": when, "note": "Belt terug na zijn vakantie"},
        HTTP_HX_REQUEST="true",
    )
    assert panel.status_code == 200
    assert "Belt terug na zijn vakantie" in panel.content.decode()
    assert "<html" not in panel.content.decode()
    bad = client.post(
        reverse("followup:task_add", args=[lead.pk]),
        {"kind": "call", "due_at": "2001-01-01T10:00"},
        HTTP_HX_REQUEST="true",
    )
    assert "between yesterday and a year" in bad.content.decode()
    assert Task.objects.filter(lead=lead, state="open").count() == 2


def test_a_salesperson_cannot_touch_a_colleagues_tasks(client, day):
    client.force_login(salesperson(day["shop"]))
    task = Task.objects.get(lead=day["lead"])
    assert (
        client.post(
            reverse("followup:task_done", args=[task.pk]), {"outcome": "reached"}
        ).status_code
        == 404
    )
    assert client.post(reverse("followup:task_add", args=[day["lead"].pk]), {}).status_code == 404


def test_the_calendar_shows_the_week_and_gives_the_invitation(
    client, day, django_capture_on_commit_callbacks
):
    # Sunday 23:30 UTC, a week ahead at most: already Monday in Amsterdam, the next week there.
    now = timezone.now()
    at = (now + timedelta(days=(6 - now.weekday()) or 7)).replace(
        hour=23, minute=30, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead_services.set_appointment(lead=day["lead"], at=at, by=day["seller"])
    client.force_login(day["seller"])
    # The week of the appointment's day where the dealership is, not in UTC (Sunday 23:30 UTC
    # is Monday in Amsterdam).
    local_day = at.astimezone(ZoneInfo(day["shop"].time_zone)).date()
    page = client.get(reverse("followup:calendar"), {"from": local_day.isoformat()})
    assert "Kees Bakker" in page.content.decode()
    invite = client.get(reverse("followup:invite", args=[day["lead"].pk]))
    assert invite["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(invite.content).walk("VEVENT")[0]
    assert (
        event.decoded("dtstart") == at.replace(microsecond=0)
        or abs((event.decoded("dtstart") - at).total_seconds()) < 1
    )
    client.force_login(salesperson(day["shop"]))
    assert client.get(reverse("followup:invite", args=[day["lead"].pk])).status_code == 404


def test_the_manager_sees_who_is_behind(client, day):
    boss = manager(day["shop"])
    client.force_login(boss)
    page = client.get(reverse("followup:behind")).content.decode()
    assert "Sanne" in page
    row = page.split("Sanne")[1].split("</tr>")[0]
    assert 'data-label="Overdue">1<' in row.replace("\n", "").replace("    ", "")


def test_a_manager_builds_a_cadence(client, day):
    client.force_login(manager(day["shop"]))
    page = client.get(reverse("followup:cadences"))
    assert page.status_code == 200
    cadence = Cadence.objects.get(dealership=day["shop"], stage="no_contact")
    client.post(reverse("followup:cadence_step_add", args=[cadence.pk]), {"day": 0, "kind": "sms"})
    client.post(reverse("followup:cadence_step_add", args=[cadence.pk]), {"day": 7, "kind": "call"})
    client.post(
        reverse("followup:cadence_step_add", args=[cadence.pk]), {"day": 400, "kind": "call"}
    )
    client.post(reverse("followup:cadence_bdc", args=[cadence.pk]), {"hand_to_bdc": "on"})
    cadence.refresh_from_db()
    assert [(s.day, s.kind) for s in cadence.steps.all()] == [(0, "sms"), (7, "call")]
    assert cadence.hand_to_bdc
    client.force_login(manager(DealershipFactory()))
    assert client.post(reverse("followup:cadence_bdc", args=[cadence.pk]), {}).status_code == 404
