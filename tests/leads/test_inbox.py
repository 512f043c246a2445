"""A salesperson's inbox: most urgent first, each lead's age, and its first-contact deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.models import Lead
from tests.factories import LeadFactory


def _assigned(dealership, seller, *, name: str, minutes_ago: int, deadline_in: int | None):
    now = timezone.now()
    lead = LeadFactory(
        dealership=dealership,
        customer__full_name=name,
        received_at=now - timedelta(minutes=minutes_ago),
    )
    services.assign_lead(lead=lead, to=seller)
    deadline = None if deadline_in is None else now + timedelta(minutes=deadline_in)
    Lead.objects.filter(pk=lead.pk).update(contact_deadline_at=deadline)
    return lead


@pytest.mark.django_db
def test_the_inbox_counts_down_to_the_deadline_and_flags_a_passed_one(client, dealership, seller):
    _assigned(dealership, seller, name="Soon Due", minutes_ago=2, deadline_in=30)
    _assigned(dealership, seller, name="Too Late", minutes_ago=20, deadline_in=-10)
    client.force_login(seller)

    html = client.get(reverse("leads:inbox")).content.decode()

    assert "Call within 29\xa0minutes" in html or "Call within 30\xa0minutes" in html
    assert "Contact deadline passed" in html
    assert "2\xa0minutes ago" in html
    # The passed deadline is the most urgent: it comes first.
    assert html.index("Too Late") < html.index("Soon Due")


@pytest.mark.django_db
def test_a_contacted_lead_waits_behind_the_uncontacted_ones(client, dealership, seller):
    called = _assigned(dealership, seller, name="Already Called", minutes_ago=1, deadline_in=1)
    _assigned(dealership, seller, name="Still Waiting", minutes_ago=50, deadline_in=60)
    services.log_contact_attempt(lead=called, channel="phone", outcome="no_answer", by=seller)
    client.force_login(seller)

    html = client.get(reverse("leads:inbox")).content.decode()

    assert html.index("Still Waiting") < html.index("Already Called")
