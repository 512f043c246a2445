"""Weighted fair round-robin: turns in proportion to weight, skips with their reasons, and no
flood for someone back from absence unless the rule asks for it."""

from collections import Counter
from datetime import timedelta

import pytest

from accounts.models import Absence, Presence
from distribution import queues, routing
from distribution.models import DistributionRule, Routing, Strategy, TeamMember
from distribution.rules import ensure_defaults
from leads.models import EventKind
from tests.distribution_support import CLOSED, OPEN, new_lead
from tests.factories import DealershipFactory, salesperson

pytestmark = pytest.mark.django_db


def route(lead, at=OPEN):
    routing.route_lead(lead_id=lead.pk, at=at)
    lead.refresh_from_db()
    return lead


def rr_rule(dealership, weights: dict, **kwargs) -> DistributionRule:
    rule = DistributionRule.objects.create(
        dealership=dealership, name="Portals", strategy=Strategy.ROUND_ROBIN, **kwargs
    )
    for user, weight in weights.items():
        TeamMember.objects.create(rule=rule, user=user, weight=weight)
    return rule


def test_an_unconfigured_dealership_round_robins_over_its_salespeople(dealership):
    sellers = [salesperson(dealership) for _ in range(3)]
    got = Counter(route(new_lead(dealership)).assigned_to for _ in range(9))
    assert got == {s: 3 for s in sellers}
    assert DistributionRule.objects.filter(dealership=dealership, is_default=True).count() == 2


def test_weights_give_turns_in_proportion_and_smoothly(dealership):
    a, b, c = (salesperson(dealership) for _ in range(3))
    rr_rule(dealership, {a: 3, b: 2, c: 1})
    order = [route(new_lead(dealership)).assigned_to for _ in range(12)]
    assert Counter(order) == {a: 6, b: 4, c: 2}
    # Smooth: the heavy member never gets more than two in a row.
    assert all(not (x == y == z) for x, y, z in zip(order, order[1:], order[2:], strict=False))


def test_assignment_event_tells_the_rule_and_the_skips(dealership):
    a = salesperson(dealership, first_name="Sanne", last_name="Bakker")
    b = salesperson(dealership, presence=Presence.AWAY, first_name="Daan", last_name="Smit")
    lead = route(new_lead(dealership))
    assert lead.assigned_to == a
    event = lead.events.get(kind=EventKind.ASSIGNED)
    assert event.assignee == a
    assert event.data["skipped"] == [{"user_id": b.pk, "name": "Daan Smit", "reason": "away"}]
    assert event.data["strategy"] == "round_robin"
    assert "overgeslagen: Daan Smit (weg)" in event.note  # in the dealership's language (nl)
    assert lead.events.filter(kind__in=[EventKind.ASSIGNED, EventKind.REASSIGNED]).count() == 1


def test_skips_away_absent_and_at_cap_with_reasons(dealership):
    free = salesperson(dealership)
    away = salesperson(dealership, presence=Presence.AWAY)
    absent = salesperson(dealership)
    capped = salesperson(dealership)
    Absence.objects.create(
        user=absent, starts_at=OPEN - timedelta(days=1), ends_at=OPEN + timedelta(days=1)
    )
    rule = rr_rule(dealership, {free: 1, away: 1, absent: 1})
    TeamMember.objects.create(rule=rule, user=capped, weight=1, max_open_leads=1)
    leads = [route(new_lead(dealership)) for _ in range(4)]
    assert Counter(lead.assigned_to for lead in leads) == {free: 3, capped: 1}
    skips = [lead.events.get(kind=EventKind.ASSIGNED).data["skipped"] for lead in leads]
    for skipped in skips:  # the away and the absent are listed every time
        reasons = {s["user_id"]: s["reason"] for s in skipped}
        assert reasons[away.pk] == "away" and reasons[absent.pk] == "absent"
    # The capped member is skipped, at cap, when their turn comes.
    assert any({"user_id": capped.pk, "name": str(capped), "reason": "at_cap"} in s for s in skips)


def test_outside_opening_hours_everyone_is_off_shift_and_the_lead_waits(dealership):
    seller = salesperson(dealership)
    lead = route(new_lead(dealership, at=CLOSED), at=CLOSED)
    assert lead.assigned_to is None
    assert lead.routing.state == Routing.State.WAITING
    event = lead.events.get(kind=EventKind.DISTRIBUTION)
    assert event.data["skipped"][0]["reason"] == "off_shift"
    # Opening time: the every-minute job hands it out, with the deadline counted from then.
    morning = CLOSED + timedelta(hours=11, minutes=1)  # Wednesday 09:01
    assert routing.retry_waiting(at=morning) == 1
    lead.refresh_from_db()
    assert lead.assigned_to == seller
    assert lead.contact_deadline_at == morning + timedelta(minutes=5)


def test_waiting_lead_retried_while_still_nobody_writes_nothing(dealership):
    salesperson(dealership, presence=Presence.AWAY)
    lead = route(new_lead(dealership))
    events = lead.events.count()
    assert routing.retry_waiting(at=OPEN + timedelta(minutes=1)) == 0
    assert lead.events.count() == events


def test_back_from_absence_gets_no_flood(dealership):
    a, b, returning = (salesperson(dealership) for _ in range(3))
    rr_rule(dealership, {a: 1, b: 1, returning: 1})
    Absence.objects.create(user=returning, starts_at=OPEN, ends_at=OPEN + timedelta(hours=1))
    for i in range(30):
        route(new_lead(dealership), at=OPEN + timedelta(seconds=i))
    after = OPEN + timedelta(hours=2)
    next_nine = Counter(route(new_lead(dealership), at=after).assigned_to for _ in range(9))
    assert next_nine == {a: 3, b: 3, returning: 3}


def test_catch_up_rule_lets_the_returning_member_make_up(dealership):
    a, b, returning = (salesperson(dealership) for _ in range(3))
    rr_rule(dealership, {a: 1, b: 1, returning: 1}, catch_up=True)
    Absence.objects.create(user=returning, starts_at=OPEN, ends_at=OPEN + timedelta(hours=1))
    for i in range(30):
        route(new_lead(dealership), at=OPEN + timedelta(seconds=i))
    after = OPEN + timedelta(hours=2)
    next_nine = [route(new_lead(dealership), at=after).assigned_to for _ in range(9)]
    assert next_nine == [returning] * 9


def test_routing_twice_never_assigns_twice(dealership):
    salesperson(dealership)
    salesperson(dealership)
    lead = route(new_lead(dealership))
    first = lead.assigned_to
    route(lead)
    routing.route_lead(lead_id=lead.pk, at=OPEN + timedelta(minutes=1))
    lead.refresh_from_db()
    assert lead.assigned_to == first
    assert lead.events.filter(kind__in=[EventKind.ASSIGNED, EventKind.REASSIGNED]).count() == 1


def test_least_loaded_picks_the_fewest_open_leads(dealership):
    busy, quiet = salesperson(dealership), salesperson(dealership)
    DistributionRule.objects.create(
        dealership=dealership, name="LL", strategy=Strategy.LEAST_LOADED
    )
    for _ in range(2):
        queues.reassign(lead_ids=[new_lead(dealership).pk], to=busy, by=_admin(dealership))
    assert route(new_lead(dealership)).assigned_to == quiet


def _admin(dealership):
    from tests.factories import manager

    return manager(dealership)


def test_vehicle_owner_gets_the_lead_and_fallback_when_away(dealership):
    from leads.models import LeadVehicle
    from tests.factories import StockVehicleFactory

    owner, other = salesperson(dealership), salesperson(dealership)
    stock = StockVehicleFactory(dealership=dealership, owner=owner, vin="VF1234567890ABCDE")
    DistributionRule.objects.create(
        dealership=dealership,
        name="Stock",
        strategy=Strategy.VEHICLE_OWNER,
        fallback=Strategy.ROUND_ROBIN,
    )

    def stock_lead():
        return new_lead(dealership, vehicle=LeadVehicle(condition="used", vin=stock.vin))

    assert route(stock_lead()).assigned_to == owner
    assert route(stock_lead()).assigned_to == owner
    owner.presence = Presence.AWAY
    owner.save()
    lead = route(stock_lead())
    assert lead.assigned_to == other
    event = lead.events.get(kind=EventKind.ASSIGNED)
    assert event.data["strategy"] == "round_robin"
    assert {"user_id": owner.pk, "name": str(owner), "reason": "away"} in event.data["skipped"]


def test_another_dealerships_people_never_get_the_lead(dealership):
    mine = salesperson(dealership)
    salesperson(DealershipFactory())
    ensure_defaults(dealership)
    assert {route(new_lead(dealership)).assigned_to for _ in range(4)} == {mine}
