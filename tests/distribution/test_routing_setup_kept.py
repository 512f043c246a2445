"""A dealership's rules, teams and opening hours are kept in memory between leads
(distribution.setup): an edit — on the settings pages, by the services, in another process —
is seen by the very next lead, and kept or read afresh, routing gives the same answers."""

import random
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Absence, Presence
from dealers.models import OpeningHours
from distribution import routing, rules, setup
from distribution.models import DistributionRule, Routing, SetupStamp, Strategy, TeamMember
from distribution.rules import ensure_defaults
from leads.models import EventKind
from leads.signals import announcements_paused
from tests.distribution_support import OPEN, new_lead
from tests.factories import DealershipFactory, salesperson

pytestmark = pytest.mark.django_db


def route(dealership, at=OPEN):
    with announcements_paused():  # routed here, not by the job its commit would start
        lead = new_lead(dealership, at=at)
    routing.route_lead(lead_id=lead.pk, at=at)
    lead.refresh_from_db()
    return lead


def rule_with(dealership, team, **kwargs) -> DistributionRule:
    rule = DistributionRule(dealership=dealership, name="Portals", **kwargs)
    return rules.save_rule(rule=rule, team=[(user, 1, None) for user in team])


def reads_of_the_setup(dealership) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        route(dealership)
    tables = ('"distribution_distributionrule"', '"distribution_teammember"', '"dealers_opening')
    return [q["sql"] for q in captured if q["sql"].startswith("SELECT") and any(
        f"FROM {t}" in q["sql"] for t in tables)]  # fmt: skip


def test_the_setup_is_read_once_and_then_kept(dealership):
    a = salesperson(dealership)
    rule_with(dealership, [a])
    ensure_defaults(dealership)  # made by the first lead otherwise: a change of the set-up
    assert reads_of_the_setup(dealership)  # read, and given a stamp
    assert SetupStamp.objects.filter(dealership=dealership).exists()
    assert not reads_of_the_setup(dealership)  # kept
    assert not reads_of_the_setup(dealership)


def test_rule_and_team_edits_are_seen_by_the_next_lead(dealership):
    a, b = salesperson(dealership), salesperson(dealership)
    rule = rule_with(dealership, [a])
    assert route(dealership).assigned_to == a
    assert route(dealership).assigned_to == a  # kept between the two
    rules.save_rule(rule=rule, team=[(b, 1, None)])
    assert route(dealership).assigned_to == b
    rule.strategy = rule.fallback = Strategy.MANUAL
    rules.save_rule(rule=rule, team=[(b, 1, None)])
    lead = route(dealership)
    assert lead.assigned_to is None and lead.routing.state == Routing.State.MANAGER_QUEUE
    rule.is_enabled = False
    rules.save_rule(rule=rule, team=[(b, 1, None)])
    assert route(dealership).assigned_to in (a, b)  # the default rule: everyone
    rules.delete_rule(rule=rule)
    assert route(dealership).routing.rule.is_default
    second = rule_with(dealership, [a])
    assert route(dealership).assigned_to == a
    TeamMember.objects.filter(rule=second).delete()  # no team any more: everyone
    assert {route(dealership).assigned_to for _ in range(4)} == {a, b}


def test_an_opening_hours_edit_on_the_settings_page_is_seen_at_once(client, admin_user):
    dealership = DealershipFactory()
    salesperson(dealership)
    assert route(dealership).assigned_to is not None  # Tuesday 10:00, open
    assert route(dealership).assigned_to is not None
    hours = list(dealership.opening_hours.order_by("weekday"))
    data = {
        "name": dealership.name, "country": "NL", "time_zone": "Europe/Amsterdam",
        "language": "nl", "inbound_address": dealership.inbound_address, "phone": "",
        "currency": "EUR", "opening_hours-TOTAL_FORMS": str(len(hours)),
        "opening_hours-INITIAL_FORMS": str(len(hours)), "opening_hours-MIN_NUM_FORMS": "0",
        "opening_hours-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, h in enumerate(hours):  # Tuesday from 11:00 now
        data |= {
            f"opening_hours-{i}-id": h.pk,
            f"opening_hours-{i}-weekday": h.weekday,
            f"opening_hours-{i}-opens": "11:00" if h.weekday == 1 else "09:00",
            f"opening_hours-{i}-closes": "18:00",
        }
    client.force_login(admin_user)
    assert (
        client.post(reverse("settings:dealership", args=[dealership.pk]), data).status_code == 302
    )
    lead = route(dealership)
    assert lead.assigned_to is None and lead.routing.state == Routing.State.WAITING
    assert lead.events.get(kind=EventKind.DISTRIBUTION).data["skipped"][0]["reason"] == "off_shift"
    OpeningHours.objects.filter(dealership=dealership, weekday=1).delete()
    OpeningHours.objects.create(dealership=dealership, weekday=1, opens=time(8), closes=time(12))
    assert route(dealership).assigned_to is not None


def test_an_edit_made_in_another_process_is_seen(dealership):
    """Another process's edit reaches this one through the stamp in the database alone: here
    the rule changes without this process's signals, then the stamp as the other process's
    receivers change it in its transaction."""
    a, b = salesperson(dealership), salesperson(dealership)
    rule = rule_with(dealership, [a])
    assert route(dealership).assigned_to == a
    TeamMember.objects.filter(rule=rule).update(user=b)
    setup.changed(dealership.pk)
    assert route(dealership).assigned_to == b


def test_a_dealership_goes_with_its_rules_hours_and_stamp():
    dealership = DealershipFactory()
    rule_with(dealership, [salesperson(dealership)])
    setup.changed(dealership.pk)
    dealership.memberships.all().delete()
    dealership.delete()
    connection.check_constraints()  # no stamp made again for the dealership deleted
    assert not SetupStamp.objects.exists()


def _world():
    dealership = DealershipFactory()
    people = [salesperson(dealership) for _ in range(4)]
    rule = DistributionRule(dealership=dealership, name="Portals", strategy=Strategy.ROUND_ROBIN)
    team = [(p, w, None) for p, w in zip(people, (1, 2, 3, 1), strict=True)]
    rules.save_rule(rule=rule, team=team)
    return dealership, people, rule


def _edit(step: int, dealership, people, rule) -> None:
    """The same edit in each world; which one depends on the step."""
    kind = step % 6
    if kind == 0:
        rules.save_rule(rule=rule, team=[(p, 1 + (step + i) % 3, None) for i, p in
                                            enumerate(people)])  # fmt: skip
    elif kind == 1:
        rules.save_rule(rule=rule, team=[(p, 2, 2) for p in people[1:]])  # caps, one gone
    elif kind == 2:
        rule.catch_up = not rule.catch_up
        rules.save_rule(rule=rule, team=[(p, 1, None) for p in people])
    elif kind == 3:
        hours = OpeningHours.objects.get(dealership=dealership, weekday=1)
        hours.opens = time(11) if hours.opens == time(9) else time(9)
        hours.save()
    elif kind == 4:
        people[step % 4].presence = Presence.AWAY if step % 8 < 4 else Presence.AVAILABLE
        people[step % 4].save(update_fields=["presence"])
    else:
        Absence.objects.create(
            user=people[step % 4], starts_at=OPEN - timedelta(hours=1), ends_at=OPEN + timedelta(
                minutes=30 * (step % 3)) + timedelta(seconds=1))  # fmt: skip


def test_kept_or_read_afresh_the_same_leads_go_to_the_same_people():
    kept, fresh = _world(), _world()
    steps = random.Random(7).choices(range(60), k=40)
    outcomes: dict[str, list] = {"kept": [], "fresh": []}
    for n, step in enumerate(steps):
        at = OPEN + timedelta(minutes=10 * n)
        for name, (dealership, people, rule) in (("kept", kept), ("fresh", fresh)):
            if n % 3 == 0:
                _edit(step, dealership, people, rule)
            if name == "fresh":
                setup.forget()  # the definition: everything read for this lead
            lead = route(dealership, at=at)
            who = people.index(lead.assigned_to) if lead.assigned_to else None
            outcomes[name].append((who, lead.routing.state))
    assert outcomes["kept"] == outcomes["fresh"]
    assert len({who for who, _state in outcomes["kept"]}) >= 3  # the edits did change things


def test_the_dealerships_own_row_is_read_for_every_lead_not_kept(dealership):
    """The time zone is not part of the kept set-up (its change gives no new stamp): rules and
    hours are applied in the time zone the lead's own dealership row has."""
    morning = rule_with(
        dealership, [salesperson(dealership)], time_from=time(9), time_until=time(12)
    )
    assert route(dealership).routing.rule == morning  # Tuesday 10:00 in Amsterdam
    type(dealership).objects.filter(pk=dealership.pk).update(time_zone="America/New_York")
    lead = route(dealership)  # 04:00 in New York: not the morning rule, and closed
    assert lead.routing.rule.is_default and lead.routing.state == Routing.State.WAITING
