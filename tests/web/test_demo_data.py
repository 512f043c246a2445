from datetime import timedelta

import pytest

from accounts.models import Role
from demo.builder import build_demo
from leads.lifecycle import Status
from leads.models import Lead, LeadEvent, Source


@pytest.mark.django_db
def test_demo_data_looks_like_a_real_group():
    result = build_demo(leads=160, seed=7)
    assert result["leads"] == 160
    assert set(Lead.objects.values_list("status", flat=True)) == set(Status.values)
    assert {"AutoScout24", "Marktplaats", "La Centrale", "leboncoin"} <= set(
        Source.objects.values_list("name", flat=True)
    )
    assert {Source.Kind.WEBSITE, Source.Kind.IMPORTER, Source.Kind.PHONE} <= set(
        Source.objects.values_list("kind", flat=True)
    )
    from accounts.models import Membership

    roles = Membership.objects.values_list("role", flat=True)
    assert len({m.user_id for m in Membership.objects.filter(role=Role.SALESPERSON)}) == 5
    assert {Role.MANAGER, Role.BDC_AGENT, Role.ADMIN} <= set(roles)
    # Every lead's timeline starts with its creation, and every status change is on it.
    assert LeadEvent.objects.filter(kind="created").count() == 160
    sold = Lead.objects.filter(status=Status.SOLD).first()
    assert sold.events.filter(kind="status_changed", status_to=Status.SOLD).count() == 1
    from dashboards.models import Target

    assert Target.objects.filter(dealership__slug="doesburg").count() == 1  # over the defaults
    assert build_demo(leads=160, seed=7)["leads"] == 0  # running it twice adds nothing


@pytest.mark.django_db
def test_demo_data_has_the_issues_people_places_stock_and_sixty_days_of_leads():
    from django.utils import timezone

    from accounts.models import Membership
    from dealers.models import Dealership, StockVehicle

    now = timezone.now()
    build_demo(now=now)  # the default: what `manage.py load_demo` loads
    dealerships = Dealership.objects.all()
    assert dealerships.values("group").distinct().count() == 1
    assert sorted(dealerships.values_list("country", "language")) == [("FR", "fr"), ("NL", "nl")]
    names = set(Source.objects.values_list("name", flat=True))
    assert {"AutoScout24", "Marktplaats", "La Centrale", "leboncoin"} <= names
    kinds = set(Source.objects.values_list("kind", flat=True))
    assert {Source.Kind.WEBSITE, Source.Kind.IMPORTER, Source.Kind.PHONE} <= kinds
    for role, wanted in ((Role.MANAGER, 1), (Role.BDC_AGENT, 1), (Role.ADMIN, 1)):
        assert Membership.objects.filter(role=role).values("user").distinct().count() >= wanted
    for dealership in dealerships:
        assert StockVehicle.objects.filter(dealership=dealership, owner__isnull=False).count() >= 5
    from accounts.models import Team

    assert {t.dealership.country for t in Team.objects.filter(members__isnull=False)} == {
        "NL",
        "FR",
    }
    leads = Lead.objects.all()
    assert set(leads.values_list("status", flat=True)) == set(Status.values)
    assert 200 <= leads.count() <= 999  # "a few hundred"
    oldest = min(leads.values_list("received_at", flat=True))
    assert now - oldest <= timedelta(days=60) and now - oldest >= timedelta(days=50)


@pytest.mark.django_db
def test_demo_timelines_are_realistic():
    """Each lead's timeline starts with its creation at receipt, runs forward in the order it was
    written, never lies in the future, and replays, move by move, to the lead's status."""
    from django.utils import timezone

    from leads.lifecycle import TRANSITIONS

    now = timezone.now()
    build_demo(leads=200, seed=11, now=now)
    now = timezone.now()  # the demo's appraisals happen while it loads: "now", not the future
    for lead in Lead.objects.prefetch_related("events"):
        timeline = sorted(lead.events.all(), key=lambda e: e.pk)
        assert timeline[0].kind == "created", lead.pk
        times = [e.occurred_at for e in timeline]
        assert times == sorted(times), (lead.pk, [(e.kind, e.occurred_at) for e in timeline])
        assert lead.received_at <= times[0] and times[-1] <= now, lead.pk
        status = Status.NEW
        for event in timeline:
            if event.status_to:
                assert event.status_from == status, lead.pk
                assert event.status_to in TRANSITIONS[status] or event.kind != "status_changed"
                status = event.status_to
        assert status == lead.status, lead.pk
        for moment in (lead.first_assigned_at, lead.first_attempt_at, lead.first_contact_at):
            assert moment is None or lead.received_at <= moment <= now, lead.pk
