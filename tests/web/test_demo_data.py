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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hour", "source"),
    [(6, "Marktplaats"), (6, "Website"), (21, "Website")],
    ids=["portal-sunday-0600", "website-sunday-0600", "website-sunday-2100"],
)
def test_the_demo_routes_a_new_lead_at_any_hour_and_the_fairness_page_shows_its_history(
    hour: int, source: str
):
    """A Sunday, early or late: a demo lead goes straight to a salesperson (not to the manager's
    queue), and the fairness page has the demo's sixty days of round-robin picks to show. The
    website is where `scripts/send-demo-lead` comes from."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dealers.models import Dealership
    from distribution import routing as distribution_routing
    from distribution import selectors as distribution_selectors
    from leads import services

    now = datetime(2026, 12, 6, hour, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert now.weekday() == 6
    build_demo(leads=120, seed=5, now=now)
    doesburg = Dealership.objects.get(slug="doesburg")
    customer = services.find_or_create_customer(
        dealership=doesburg, first_name="Eva", last_name="de Vries", email="eva@example.nl"
    )
    lead = services.create_lead(
        dealership=doesburg,
        customer=customer,
        source=Source.objects.get(dealership=doesburg, name=source),
        received_at=now,
    )
    distribution_routing.route_lead(lead_id=lead.pk, at=now)
    lead.refresh_from_db()
    assert lead.assigned_to is not None
    assert lead.assigned_to.memberships.get(dealership=doesburg).role == Role.SALESPERSON

    tables = distribution_selectors.fairness(doesburg, now - timedelta(days=60), now)
    routed = sum(t.total for t in tables)
    assert routed >= 30, [(t.rule.name, t.total) for t in tables]
    assert any(len(t.sources) >= 2 for t in tables)


@pytest.mark.django_db
def test_demo_names_are_in_each_dealerships_language():
    from django.utils import translation

    from accounts.models import Team
    from automation.defaults import READY_MADE
    from automation.models import MessageTemplate, Rule
    from distribution.models import DistributionRule

    with translation.override("en"):
        english = {str(spec.name) for spec in READY_MADE} | {
            "Default: active leads",
            "Default: passive leads",
        }
    english |= {"Phone", "Importer", "Re-activation list", "Sorry we missed you"}
    build_demo(leads=30, seed=2)
    for slug, language in (("doesburg", "nl"), ("lyon", "fr")):
        names = set()
        for model in (Source, Team, MessageTemplate, Rule, DistributionRule):
            names |= set(model.objects.filter(dealership__slug=slug).values_list("name", flat=True))
        assert not {n.removesuffix(" (SMS)") for n in names} & english, (slug, names)
        with translation.override(language):
            assert {str(spec.name) for spec in READY_MADE} <= names
