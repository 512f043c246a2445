"""The demo shows realistic calls: one behind each phone attempt on the timelines, every outcome,
timings that run forward and never into the future, and figures on the speed page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import selectors
from calls.models import Call, Outcome, TrackingNumber
from demo.builder import build_demo
from leads.models import LeadEvent

pytestmark = pytest.mark.django_db


def test_demo_calls(client):
    now = timezone.now()
    build_demo(leads=150, seed=5, now=now)
    calls = list(Call.objects.all())
    assert {c.outcome for c in calls} >= {
        Outcome.CONNECTED,
        Outcome.CUSTOMER_NO_ANSWER,
        Outcome.VOICEMAIL,
        Outcome.AGENT_NO_ANSWER,
    }
    assert {c.direction for c in calls} >= {"bridge", "click"}
    assert TrackingNumber.objects.count() >= 2
    for call in calls:
        moments = [
            call.lead_received_at,
            call.dialed_at,
            call.agent_answered_at,
            call.customer_answered_at,
            call.ended_at,
        ]
        present = [m for m in moments if m is not None]
        assert present == sorted(present) and present[-1] <= now, call.pk
        if call.outcome == Outcome.CONNECTED:
            assert call.talk_seconds
        if call.logged_event_id:
            event = LeadEvent.objects.get(pk=call.logged_event_id)
            assert event.lead_id == call.lead_id and event.channel == "phone"
    doesburg = calls[0].dealership.__class__.objects.get(slug="doesburg")
    report = selectors.speed_report(doesburg, days=60, now=now)
    assert report["total"].leads > 10 and report["total"].customer["median"] is not None
    from accounts.models import User

    client.force_login(User.objects.get(username="manager"))
    page = client.get(reverse("calls:speed") + f"?dealership={doesburg.pk}&days=60")
    assert page.status_code == 200
    lead = next(c.lead for c in calls if c.outcome == Outcome.CONNECTED)
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "call-panel" in detail
