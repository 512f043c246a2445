"""Rules: first match wins, in the order the admin set; each match field narrows; the default
rules take the rest; passive leads go to the BDC queue; the deadline follows the rule."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError

from distribution import routing, rules, setup
from distribution.models import (
    Activity,
    DeadlineClock,
    DistributionRule,
    Routing,
    Strategy,
    TeamMember,
)
from leads.models import EventKind, LeadType, Source
from tests.distribution_support import CLOSED, OPEN, new_lead
from tests.factories import SourceFactory, salesperson

pytestmark = pytest.mark.django_db


def route(lead, at=OPEN):
    routing.route_lead(lead_id=lead.pk, at=at)
    lead.refresh_from_db()
    return lead


def rule(dealership, name, *, team=(), **kwargs):
    made = DistributionRule.objects.create(dealership=dealership, name=name, **kwargs)
    for user in team:
        TeamMember.objects.create(rule=made, user=user)
    return made


def test_first_matching_rule_wins_in_order(dealership):
    a, b = salesperson(dealership), salesperson(dealership)
    portal = SourceFactory(dealership=dealership, kind=Source.Kind.PORTAL)
    rule(dealership, "Portals", source_kind=Source.Kind.PORTAL, team=[a], position=10)
    rule(dealership, "Everything", team=[b], position=20)
    assert route(new_lead(dealership, source=portal)).assigned_to == a
    assert route(new_lead(dealership)).assigned_to == b


def test_moving_a_rule_up_changes_which_matches(dealership):
    a, b = salesperson(dealership), salesperson(dealership)
    first = rule(dealership, "Everything", team=[b], position=10)
    second = rule(dealership, "Test drives", lead_type=LeadType.TEST_DRIVE, team=[a], position=20)
    lead = new_lead(dealership, lead_type=LeadType.TEST_DRIVE)
    assert setup.context(lead.dealership).rule_for(lead, OPEN) == first
    rules.move_rule(rule=second, up=True)
    assert setup.context(lead.dealership).rule_for(lead, OPEN) == second


@pytest.mark.parametrize(
    ("field", "value", "matching", "other"),
    [
        ("lead_type", LeadType.TRADE_IN, {"lead_type": LeadType.TRADE_IN}, {}),
        ("condition", "used", {"condition": "used"}, {"condition": "new"}),
    ],
)
def test_each_match_field_narrows(dealership, field, value, matching, other):
    a, b = salesperson(dealership), salesperson(dealership)
    rule(dealership, "Narrow", team=[a], **{field: value})
    rule(dealership, "Wide", team=[b], position=99)
    assert route(new_lead(dealership, **matching)).assigned_to == a
    assert route(new_lead(dealership, **other)).assigned_to == b


def test_match_on_one_source(dealership):
    a, b = salesperson(dealership), salesperson(dealership)
    mine, theirs = SourceFactory(dealership=dealership), SourceFactory(dealership=dealership)
    rule(dealership, "One portal", source=mine, team=[a])
    rule(dealership, "Rest", team=[b], position=99)
    assert route(new_lead(dealership, source=mine)).assigned_to == a
    assert route(new_lead(dealership, source=theirs)).assigned_to == b


def test_time_of_day_window_including_overnight(dealership):
    early, rest = salesperson(dealership), salesperson(dealership)
    rule(dealership, "Mornings", time_from=time(9), time_until=time(11), team=[early])
    rule(dealership, "Rest", team=[rest], position=99)
    assert route(new_lead(dealership)).assigned_to == early  # 10:00
    noon = OPEN + timedelta(hours=2)
    assert route(new_lead(dealership, at=noon), at=noon).assigned_to == rest
    night = DistributionRule(time_from=time(18), time_until=time(9))
    assert night.in_time_window(time(23)) and night.in_time_window(time(8))
    assert not night.in_time_window(time(12))


def test_passive_leads_go_to_the_bdc_queue_not_to_salespeople(dealership):
    salesperson(dealership)
    lists = SourceFactory(dealership=dealership, kind=Source.Kind.LIST, is_passive=True)
    lead = route(new_lead(dealership, source=lists))
    assert lead.is_passive and lead.assigned_to is None
    assert lead.routing.state == Routing.State.BDC_QUEUE
    event = lead.events.get(kind=EventKind.DISTRIBUTION)
    assert event.data["state"] == "bdc"
    assert lead.contact_deadline_at is not None  # a day in opening hours for the BDC


def test_a_passive_rule_must_use_the_bdc_queue(dealership):
    bad = DistributionRule(
        dealership=dealership,
        name="Lists to sales",
        activity=Activity.PASSIVE,
        strategy=Strategy.ROUND_ROBIN,
    )
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "strategy" in err.value.message_dict


def test_manual_rule_leaves_the_lead_in_the_managers_queue(dealership):
    salesperson(dealership)
    rule(dealership, "Fleet", strategy=Strategy.MANUAL, lead_type=LeadType.QUOTE)
    lead = route(new_lead(dealership, lead_type=LeadType.QUOTE))
    assert lead.assigned_to is None
    assert lead.routing.state == Routing.State.MANAGER_QUEUE
    assert lead.events.get(kind=EventKind.DISTRIBUTION).data["state"] == "manager"


def test_deadline_counted_in_opening_hours_or_wall_clock(dealership):
    salesperson(dealership)
    late = OPEN.replace(hour=17, minute=58)  # Tuesday 17:58, closes 18:00
    lead = route(new_lead(dealership, at=late), at=late)
    assert lead.contact_deadline_at == OPEN.replace(day=4, hour=9, minute=3)
    rule(dealership, "Wall", contact_minutes=30, deadline_clock=DeadlineClock.WALL_CLOCK)
    lead = route(new_lead(dealership, at=late), at=late)
    assert lead.contact_deadline_at == late + timedelta(minutes=30)


def test_disabled_rule_is_skipped(dealership):
    a, b = salesperson(dealership), salesperson(dealership)
    rule(dealership, "Off", team=[a], is_enabled=False)
    rule(dealership, "On", team=[b], position=99)
    assert route(new_lead(dealership)).assigned_to == b


def test_default_rule_holds_a_lead_arriving_at_night_until_opening(dealership):
    seller = salesperson(dealership)
    lead = route(new_lead(dealership, at=CLOSED), at=CLOSED)
    assert lead.assigned_to is None
    # 5 minutes in opening hours: Wednesday 09:05.
    assert lead.contact_deadline_at == CLOSED.replace(day=4, hour=9, minute=5)
    routing.retry_waiting(at=CLOSED.replace(day=4, hour=9))
    lead.refresh_from_db()
    assert lead.assigned_to == seller
