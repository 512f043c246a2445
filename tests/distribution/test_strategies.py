"""The strategies decide from their arguments alone: these tests run without a database (any
query would fail them), on unsaved people."""

from collections import Counter

from accounts.models import Presence, User
from distribution import strategies
from distribution.models import Routing
from distribution.strategies import ABSENT, AT_CAP, AWAY, OFF_SHIFT, Candidate


def person(pk: int, presence: str = Presence.AVAILABLE) -> User:
    return User(pk=pk, username=f"p{pk}", first_name="P", last_name=str(pk), presence=presence)


def turns(team: list[Candidate], n: int, reasons=None, exclude=frozenset(), catch_up=False):
    credits: dict[int, int] = {}
    picked = []
    for _ in range(n):
        turn = strategies.round_robin(team, credits, reasons or {}, set(exclude), catch_up=catch_up)
        picked.append(turn.chosen.user.pk if turn.chosen else None)
        credits = turn.credits
    return picked, credits


def test_round_robin_gives_turns_in_proportion_to_weight_smoothly():
    team = [Candidate(person(1), 1), Candidate(person(2), 2), Candidate(person(3), 1)]
    picked, credits = turns(team, 8)
    assert Counter(picked) == {1: 2, 2: 4, 3: 2}
    assert picked[:4] == [2, 1, 3, 2]  # the heaviest first, ties in team order, never twice running
    assert sum(credits.values()) == 0  # what is earned is paid


def test_round_robin_skips_the_skipped_and_the_excluded_and_says_when_nobody_is_left():
    team = [Candidate(person(1)), Candidate(person(2)), Candidate(person(3))]
    picked, _credits = turns(team, 4, reasons={1: ABSENT}, exclude={2})
    assert picked == [3, 3, 3, 3]
    nobody = strategies.round_robin(team, {}, {1: ABSENT, 3: AT_CAP}, {2}, catch_up=False)
    assert nobody.chosen is None and nobody.credits == {}


def test_round_robin_lets_the_absent_earn_their_turns_only_with_catch_up():
    team = [Candidate(person(1)), Candidate(person(2))]
    _picked, without = turns(team, 4, reasons={1: ABSENT})
    _picked, with_catch_up = turns(team, 4, reasons={1: ABSENT}, catch_up=True)
    assert without.get(1, 0) == 0
    assert with_catch_up[1] == 4  # back from absence, they come first for four turns


def test_skip_reasons_in_order_absent_away_off_shift_at_cap():
    team = [
        Candidate(person(1, Presence.AWAY), absent=True),
        Candidate(person(2, Presence.AWAY)),
        Candidate(person(3), cap=2),
        Candidate(person(4), cap=3),
    ]
    assert strategies.skip_reasons(team, is_open=True, loads={3: 2, 4: 2}) == {
        1: ABSENT,
        2: AWAY,
        3: AT_CAP,
    }
    assert strategies.skip_reasons(team, is_open=True) == {1: ABSENT, 2: AWAY}  # caps unknown
    assert strategies.skip_reasons(team, is_open=False) == {
        1: ABSENT,
        2: AWAY,
        3: OFF_SHIFT,
        4: OFF_SHIFT,
    }


def test_least_loaded_takes_the_fewest_open_leads_first_in_team_order_on_a_tie():
    team = [Candidate(person(1)), Candidate(person(2)), Candidate(person(3))]
    pick = strategies.least_loaded(team, {1: 4, 2: 1, 3: 1}, {}, set())
    assert pick.user.pk == 2 and pick.skipped == []
    pick = strategies.least_loaded(team, {1: 4, 2: 1, 3: 1}, {2: AWAY}, set())
    assert pick.user.pk == 3
    assert pick.skipped == [{"user_id": 2, "name": str(team[1].user), "reason": AWAY}]
    assert strategies.least_loaded(team, {}, {}, {1, 2, 3}).user is None


def test_vehicle_owner_gives_the_lead_to_the_owner_or_says_why_not():
    owner = Candidate(person(7))
    decide = strategies.vehicle_owner
    assert decide(owner, sells_here=True, is_open=True, exclude=set()).user == owner.user
    assert decide(None, sells_here=False, is_open=True, exclude=set()).note == "no_owner"
    assert decide(owner, sells_here=False, is_open=True, exclude=set()).note == (
        "owner_not_selling"
    )
    assert decide(owner, sells_here=True, is_open=True, exclude={7}).note == "owner_tried"
    closed = decide(owner, sells_here=True, is_open=False, exclude=set())
    assert closed.user is None and closed.skipped[0]["reason"] == OFF_SHIFT


def test_the_queue_strategies_name_their_queue():
    assert strategies.manual().queue == Routing.State.MANAGER_QUEUE
    assert strategies.bdc_queue().queue == Routing.State.BDC_QUEUE
    assert strategies.manual().user is None and strategies.bdc_queue().user is None
