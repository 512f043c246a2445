"""A routing job or a parse job lost in the broker (a Redis restart, a worker killed) is made up
for by the beat within a minute: every lead without a routing outcome is routed, every stored
message without a parse outcome parsed, each once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from distribution.models import Routing
from distribution.tasks import route_forgotten
from inbound import ingest
from inbound.tasks import requeue_waiting_messages
from leads import services
from leads.models import InboundMessage
from leads.signals import announcements_paused
from tests.factories import CustomerFactory, DealershipFactory, salesperson

pytestmark = pytest.mark.django_db


def quiet_lead(dealership, seconds_ago: int):
    """A lead whose 'created' announcement (and so its routing job) never went out."""
    with announcements_paused():
        return services.create_lead(
            dealership=dealership,
            customer=CustomerFactory(dealership=dealership),
            received_at=timezone.now() - timedelta(seconds=seconds_ago),
        )


def test_a_lead_whose_routing_job_was_lost_is_routed_once():
    shop = DealershipFactory(opening_hours=False)
    seller = salesperson(shop)
    lost, fresh = quiet_lead(shop, 45), quiet_lead(shop, 5)
    assert route_forgotten() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.assigned_to == seller and Routing.objects.filter(lead=lost).exists()
    assert fresh.assigned_to is None  # its own job may still come
    assert route_forgotten() == 0
    assert lost.events.filter(kind="assigned").count() == 1


def test_the_beat_runs_both_sweeps_within_a_minute():
    beat = django_settings.CELERY_BEAT_SCHEDULE
    assert beat["distribution-route-forgotten"]["schedule"] <= 30
    requeue = beat["inbound-requeue-waiting-messages"]
    assert requeue["schedule"] <= 30 and requeue["kwargs"]["older_than_seconds"] <= 30


def test_a_message_whose_parse_job_was_lost_is_parsed(django_capture_on_commit_callbacks):
    shop = DealershipFactory(inbound_address="lost@leads.dealerlms.example")
    raw = (
        b"From: Site <f@site.example>\r\nTo: lost@leads.dealerlms.example\r\nSubject: Offerte\r\n"
        b"Content-Type: text/plain\r\n\r\nNaam: Els Kok\r\nE-mail: els@example.nl\r\n"
    )
    message = ingest.store_message(channel="email", raw=raw, dealership=shop, enqueue=False)
    InboundMessage.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - timedelta(seconds=40)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_waiting_messages(older_than_seconds=30) == 1
    message.refresh_from_db()
    assert message.status == "parsed"
