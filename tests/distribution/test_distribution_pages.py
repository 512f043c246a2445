"""The distribution pages as people use them: rules and teams in the settings area, absences,
the unassigned queue with one-or-many reassignment, taking a lead, the fairness page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Absence, Presence, Role
from distribution import errors, queues, routing
from distribution.models import DistributionRule, DistributionSettings, Strategy, TeamMember
from distribution.rules import ensure_defaults
from leads.models import EventKind, LeadType
from tests.distribution_support import OPEN, new_lead
from tests.factories import DealershipFactory, manager, person, salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    """A dealership without opening hours: always open, whenever the suite runs."""
    return DealershipFactory(opening_hours=False, language="en")


@pytest.fixture
def boss(shop):
    return manager(shop)


def route(lead, at=None):
    routing.route_lead(lead_id=lead.pk, at=at or timezone.now())
    lead.refresh_from_db()
    return lead


def test_rules_page_shows_the_defaults_of_an_unconfigured_dealership(client, shop, boss):
    client.force_login(boss)
    response = client.get(reverse("settings:distribution"), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Default: active leads" in body and "Default: passive leads" in body


def test_admin_creates_a_rule_with_a_weighted_capped_team(client, shop, boss):
    a, b = salesperson(shop), salesperson(shop)
    client.force_login(boss)
    response = client.post(
        reverse("settings:distribution_rule_new", args=[shop.pk]),
        {
            "name": "Test drives",
            "is_enabled": "on",
            "activity": "active",
            "lead_type": LeadType.TEST_DRIVE,
            "strategy": Strategy.ROUND_ROBIN,
            "fallback": Strategy.MANUAL,
            "contact_minutes": "10",
            "deadline_clock": "wall_clock",
            "on_deadline": "both",
            f"in_{a.pk}": "on",
            f"weight_{a.pk}": "3",
            f"cap_{a.pk}": "20",
            f"weight_{b.pk}": "1",
        },
    )
    assert response.status_code == 302
    rule = DistributionRule.objects.get(name="Test drives")
    assert [(m.user, m.weight, m.max_open_leads) for m in rule.members.all()] == [(a, 3, 20)]
    assert "Test drives" in client.get(response.url).content.decode()
    lead = route(new_lead(shop, lead_type=LeadType.TEST_DRIVE, at=timezone.now()))
    assert lead.assigned_to == a


def test_a_bad_rule_is_refused_with_the_reason_and_nothing_saved(client, shop, boss):
    client.force_login(boss)
    response = client.post(
        reverse("settings:distribution_rule_new", args=[shop.pk]),
        {
            "name": "Lists to sales",
            "activity": "passive",
            "strategy": Strategy.ROUND_ROBIN,
            "fallback": Strategy.MANUAL,
            "contact_minutes": "5",
            "deadline_clock": "wall_clock",
            "on_deadline": "alert",
            "time_from": "09:00",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Passive leads go to the BDC queue" in body
    assert not DistributionRule.objects.filter(name="Lists to sales").exists()


def test_default_rules_are_edited_but_never_deleted(client, shop, boss):
    default = next(r for r in ensure_defaults(shop) if r.activity == "active")
    client.force_login(boss)
    page = client.get(reverse("settings:distribution_rule", args=[default.pk])).content.decode()
    assert 'name="lead_type"' not in page  # it matches everything of its kind
    client.post(reverse("settings:distribution_rule_delete", args=[default.pk]))
    assert DistributionRule.objects.filter(pk=default.pk).exists()


def test_rules_are_reordered_and_deleted(client, shop, boss):
    first = DistributionRule.objects.create(dealership=shop, name="First", position=10)
    second = DistributionRule.objects.create(dealership=shop, name="Second", position=20)
    client.force_login(boss)
    client.post(reverse("settings:distribution_rule_move", args=[second.pk]), {"direction": "up"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.position < first.position
    client.post(reverse("settings:distribution_rule_delete", args=[first.pk]))
    assert not DistributionRule.objects.filter(pk=first.pk).exists()


def test_follow_up_settings_are_validated_and_saved(client, shop, boss):
    client.force_login(boss)
    url = reverse("settings:distribution_rules", args=[shop.pk])
    bad = client.post(url, {"max_failed_attempts": "0", "reactivation_days": "30"})
    assert bad.status_code == 400
    assert not DistributionSettings.objects.filter(dealership=shop).exists()
    client.post(url, {"max_failed_attempts": "3", "reactivation_days": "45"})
    saved = DistributionSettings.objects.get(dealership=shop)
    assert (saved.max_failed_attempts, saved.reactivation_days) == (3, 45)


def test_a_manager_records_an_absence_and_distribution_skips_the_person(client, shop, boss):
    away, here = salesperson(shop), salesperson(shop)
    client.force_login(boss)
    now = timezone.localtime(timezone.now(), shop.tz)
    bad = client.post(
        reverse("settings:absences"),
        {
            "user": away.pk,
            "starts_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": now.strftime("%Y-%m-%dT%H:%M"),
            "reason": "holiday",
        },
    )
    assert bad.status_code == 400 and "must end after it starts" in bad.content.decode()
    client.post(
        reverse("settings:absences"),
        {
            "user": away.pk,
            "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "sick",
        },
    )
    absence = Absence.objects.get(user=away)
    assert absence.created_by == boss
    page = client.get(reverse("settings:absences")).content.decode()
    assert str(away) in page and "absent" in page
    leads = [route(new_lead(shop, at=timezone.now())) for _ in range(3)]
    assert {lead.assigned_to for lead in leads} == {here}
    assert "absent" in leads[0].events.get(kind=EventKind.ASSIGNED).note
    client.post(reverse("settings:absence_delete", args=[absence.pk]))
    assert not Absence.objects.filter(pk=absence.pk).exists()


def test_a_salesperson_setting_themselves_away_is_skipped(client, shop):
    away, here = salesperson(shop), salesperson(shop)
    client.force_login(away)
    client.post(reverse("accounts:presence"), {"presence": Presence.AWAY})
    leads = [route(new_lead(shop, at=timezone.now())) for _ in range(2)]
    assert {lead.assigned_to for lead in leads} == {here}


def _manual(shop, n):
    DistributionRule.objects.create(dealership=shop, name="Manual", strategy=Strategy.MANUAL)
    return [route(new_lead(shop, at=timezone.now())) for _ in range(n)]


def test_manager_gives_many_queued_leads_to_one_person(client, shop, boss):
    seller = salesperson(shop)
    leads = _manual(shop, 3)
    client.force_login(boss)
    queue = client.get(reverse("distribution:queue")).content.decode()
    assert all(f'value="{lead.pk}"' in queue for lead in leads)
    response = client.post(
        reverse("distribution:reassign"),
        {"lead": [leads[0].pk, leads[1].pk], "to": seller.pk, "next": "/distribution/queue/"},
    )
    assert response.status_code == 302
    moved = [lead for lead in leads if (lead.refresh_from_db() or lead.assigned_to) == seller]
    assert len(moved) == 2
    event = leads[0].events.get(kind=EventKind.ASSIGNED)
    assert event.actor == boss and event.data["by_hand"] is True
    assert leads[0].contact_deadline_at is not None


def test_from_the_lead_list_in_two_steps(client, shop, boss):
    seller, other = salesperson(shop), salesperson(shop)
    lead = route(new_lead(shop, at=timezone.now()))
    client.force_login(boss)
    listing = client.get(reverse("leads:list")).content.decode()
    assert f'name="lead" value="{lead.pk}"' in listing
    step_one = client.post(reverse("distribution:reassign"), {"lead": [lead.pk]})
    assert step_one.status_code == 200 and str(lead.customer) in step_one.content.decode()
    target = other if lead.assigned_to == seller else seller
    client.post(reverse("distribution:reassign"), {"lead": [lead.pk], "to": target.pk})
    lead.refresh_from_db()
    assert lead.assigned_to == target
    assert lead.events.filter(kind=EventKind.REASSIGNED, actor=boss).count() == 1


def test_reassigning_to_someone_of_another_dealership_is_refused_and_loses_nothing(
    client, shop, boss
):
    stranger = salesperson(DealershipFactory())
    lead = _manual(shop, 1)[0]
    client.force_login(boss)
    response = client.post(reverse("distribution:reassign"), {"lead": [lead.pk], "to": stranger.pk})
    # Not among the people this manager can give leads to: the form says so.
    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.assigned_to is None


def test_a_manager_cannot_move_another_dealerships_leads(client, shop, boss):
    other_shop = DealershipFactory(opening_hours=False)
    salesperson(other_shop)
    theirs = route(new_lead(other_shop, at=timezone.now()))
    mine = salesperson(shop)
    client.force_login(boss)
    client.post(reverse("distribution:reassign"), {"lead": [theirs.pk], "to": mine.pk})
    before = theirs.assigned_to
    theirs.refresh_from_db()
    assert theirs.assigned_to == before


def test_salesperson_takes_an_unassigned_lead_where_the_rule_allows(client, shop):
    seller = salesperson(shop)
    DistributionRule.objects.create(
        dealership=shop,
        name="Open floor",
        strategy=Strategy.MANUAL,
        allow_take=True,
        lead_type=LeadType.QUOTE,
    )
    DistributionRule.objects.create(
        dealership=shop, name="Managers only", strategy=Strategy.MANUAL, position=99
    )
    open_floor = route(new_lead(shop, lead_type=LeadType.QUOTE, at=timezone.now()))
    closed = route(new_lead(shop, at=timezone.now()))
    client.force_login(seller)
    page = client.get(reverse("distribution:queue")).content.decode()
    assert str(open_floor.customer) in page and str(closed.customer) not in page
    assert client.post(reverse("distribution:take", args=[open_floor.pk])).status_code == 302
    open_floor.refresh_from_db()
    assert open_floor.assigned_to == seller
    client.post(reverse("distribution:take", args=[closed.pk]))
    closed.refresh_from_db()
    assert closed.assigned_to is None


def test_a_taken_lead_cannot_be_taken_again(shop):
    first, second = salesperson(shop), salesperson(shop)
    rule = DistributionRule.objects.create(
        dealership=shop, name="Open", strategy=Strategy.MANUAL, allow_take=True
    )
    TeamMember.objects.create(rule=rule, user=first)
    TeamMember.objects.create(rule=rule, user=second)
    lead = route(new_lead(shop, at=timezone.now()))
    queues.take_lead(lead_id=lead.pk, user=first)
    with pytest.raises(errors.DistributionError, match="Too late"):
        queues.take_lead(lead_id=lead.pk, user=second)


def test_fairness_page_shows_leads_per_source_against_weight_with_skips(client, shop, boss):
    heavy = salesperson(shop, first_name="Heavy", last_name="Seller")
    light = salesperson(shop, first_name="Light", last_name="Seller")
    away = salesperson(shop, first_name="Away", last_name="Seller", presence=Presence.AWAY)
    rule = DistributionRule.objects.create(dealership=shop, name="Weighted")
    for user, weight in ((heavy, 2), (light, 1), (away, 1)):
        TeamMember.objects.create(rule=rule, user=user, weight=weight)
    for _ in range(6):
        route(new_lead(shop, at=timezone.now()))
    client.force_login(boss)
    body = client.get(reverse("distribution:fairness"), {"dealership": shop.pk}).content.decode()
    assert "Weighted" in body
    assert "Heavy Seller" in body and "Away Seller" in body
    assert "Skipped: away" in body
    from distribution.selectors import fairness

    now = timezone.now()
    table = next(
        t
        for t in fairness(shop, now - timedelta(days=1), now + timedelta(days=1))
        if t.rule == rule
    )
    rows = {row.user: row for row in table.rows}
    assert (rows[heavy].total, rows[light].total, rows[away].total) == (4, 2, 0)
    assert rows[away].skips["away"] == 6
    assert rows[heavy].expected == 0.5


def test_navigation_shows_the_queues_each_role_uses(client, shop):
    seller, bdc, boss = salesperson(shop), person(Role.BDC_AGENT, shop), manager(shop)
    links = {
        who: client.get(reverse("leads:list")).content.decode()
        for who in (seller, bdc, boss)
        if client.force_login(who) is None
    }
    queue, bdc_url = reverse("distribution:queue"), reverse("distribution:bdc")
    assert queue in links[seller] and bdc_url not in links[seller]
    assert bdc_url in links[bdc] and queue not in links[bdc]
    assert queue in links[boss] and bdc_url in links[boss]
    assert reverse("distribution:fairness") in links[boss]


def test_the_lead_page_timeline_says_why(client, shop, boss):
    salesperson(shop, first_name="Here", last_name="Now")
    salesperson(shop, first_name="Gone", last_name="Fishing", presence=Presence.AWAY)
    lead = route(new_lead(shop, at=OPEN))
    client.force_login(boss)
    body = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Gone Fishing (away)" in body


@pytest.mark.parametrize(
    ("language", "heading", "strategy"),
    [
        ("nl", "Verdeelregels", "Round-robin (gewogen, eerlijk over tijd)"),
        ("fr", "Règles de distribution", "Rotation (pondérée, équitable dans le temps)"),
    ],
)
def test_the_rules_page_speaks_the_persons_language(client, shop, language, heading, strategy):
    boss = manager(shop, language=language)
    client.force_login(boss)
    body = client.get(reverse("settings:distribution_rules", args=[shop.pk])).content.decode()
    assert heading in body and strategy in body
