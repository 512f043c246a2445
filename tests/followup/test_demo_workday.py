"""The demo shows the working day: cadences, every open lead's next action (some overdue), and
forwarded leads, delivered and failed."""

import pytest
from django.urls import reverse

from demo.builder import build_demo
from followup.models import Task
from integrations.models import Delivery
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_the_demo_has_tasks_and_forwarded_leads(client):
    build_demo(leads=60, days=20)
    active_open = Lead.objects.open().filter(is_passive=False).exclude(status="appointment")
    without = active_open.exclude(tasks__state="open")
    assert active_open.exists() and not without.exists()
    assert {d.state for d in Delivery.objects.all()} == {"delivered", "failed"}
    overdue = Task.objects.filter(state="open", assigned_to__username="sanne").first()
    assert overdue is not None
    client.force_login(overdue.assigned_to)
    page = client.get(reverse("followup:today")).content.decode()
    assert str(overdue.lead.customer) in page
