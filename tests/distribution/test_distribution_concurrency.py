"""Two workers at once give the split one worker gives, and never assign a lead twice: the
rotation row is locked for each pick (PostgreSQL row locks, so PostgreSQL only). And the whole
path with a real Celery worker: a lead created is assigned by the worker."""

import random
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from distribution import routing
from distribution.models import DistributionRule, Strategy, TeamMember
from leads.models import Customer, EventKind, Lead, LeadEvent
from leads.signals import announcements_paused
from tests.conftest import wait_for
from tests.distribution_support import new_lead
from tests.factories import DealershipFactory, salesperson

LEADS = 1000
WEIGHTS = (1, 2, 3, 4)


def _world(weights=WEIGHTS):
    # No opening hours: always open, whatever time the suite runs.
    dealership = DealershipFactory(opening_hours=False)
    people = [salesperson(dealership) for _ in weights]
    rule = DistributionRule.objects.create(
        dealership=dealership, name="All", strategy=Strategy.ROUND_ROBIN
    )
    for user, weight in zip(people, weights, strict=True):
        TeamMember.objects.create(rule=rule, user=user, weight=weight)
    customers = Customer.objects.bulk_create(
        [Customer(dealership=dealership, full_name=f"C {i}") for i in range(LEADS)]
    )
    now = timezone.now()
    leads = Lead.objects.bulk_create(
        [Lead(dealership=dealership, customer=c, received_at=now) for c in customers]
    )
    return [lead.pk for lead in leads], {u.pk: w for u, w in zip(people, weights, strict=True)}


def _split(lead_ids: list[int], weight_of: dict) -> Counter:
    rows = Lead.objects.filter(pk__in=lead_ids).values_list("assigned_to_id", flat=True)
    return Counter(weight_of[user_id] for user_id in rows)


def _worker(ids: list[int], errors: list) -> None:
    try:
        for lead_id in ids:
            routing.route_lead(lead_id=lead_id)
    except Exception as exc:
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_give_the_same_fair_split_as_one():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    with announcements_paused():
        alone_ids, alone_weights = _world()
        pair_ids, pair_weights = _world()
    errors: list = []
    _worker(alone_ids, errors)
    # Both workers are handed every lead, in different orders: they race on each one.
    shuffled = random.Random(4).sample(pair_ids, len(pair_ids))
    threads = [
        threading.Thread(target=_worker, args=(pair_ids, errors)),
        threading.Thread(target=_worker, args=(shuffled, errors)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    alone = _split(alone_ids, alone_weights)
    pair = _split(pair_ids, pair_weights)
    assert alone == pair == {w: LEADS * w // sum(WEIGHTS) for w in WEIGHTS}
    assigned = LeadEvent.objects.filter(lead_id__in=pair_ids, kind=EventKind.ASSIGNED)
    assert assigned.count() == LEADS
    assert assigned.values("lead_id").distinct().count() == LEADS


@pytest.mark.e2e
def test_a_new_lead_is_assigned_by_the_celery_worker(live_worker):
    dealership = DealershipFactory(opening_hours=False)
    seller = salesperson(dealership)
    lead = new_lead(dealership, at=timezone.now())
    assigned = wait_for(
        lambda: Lead.objects.filter(pk=lead.pk, assigned_to=seller).first(), timeout=15
    )
    assert assigned.contact_deadline_at is not None
    assert assigned.events.filter(kind=EventKind.ASSIGNED).count() == 1
