"""The strategies: pure decisions over what distribution.candidates read. No database here —
each function decides from its arguments alone, so it can be read, and tested, on its own.

A candidate is skipped when they are absent (a manager recorded it), away (they said so), off
shift (the dealership is closed: opening hours bound the shifts) or at their cap of open leads.
Each skip is reported with its reason, so the lead's timeline can say why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from accounts.models import Presence, User
from distribution.models import Routing

ABSENT, AWAY, OFF_SHIFT, AT_CAP = "absent", "away", "off_shift", "at_cap"


@dataclass
class Candidate:
    user: User
    weight: int = 1
    cap: int | None = None
    absent: bool = False  # at the moment of the pick


@dataclass
class Pick:
    """A strategy's answer: the person, or nobody and — for the queue strategies — the queue
    the lead waits in; whom it skipped and why; a note on why the strategy had nobody."""

    user: User | None
    skipped: list[dict] = field(default_factory=list)
    note: str = ""
    queue: str = ""  # a Routing.State when the strategy sends the lead to a queue


@dataclass
class Turn:
    """Round-robin's answer: whose turn it is (None: nobody eligible) and the credits after it."""

    chosen: Candidate | None
    credits: dict[int, int]


def skip_reasons(
    candidates: list[Candidate], *, is_open: bool, loads: Mapping[int, int] | None = None
) -> dict[int, str]:
    """user id → why they cannot take a lead now: absent, away, off shift, and — when `loads`
    (open leads held) is given — at cap."""
    reasons: dict[int, str] = {}
    for c in candidates:
        if c.absent:
            reasons[c.user.pk] = ABSENT
        elif c.user.presence == Presence.AWAY:
            reasons[c.user.pk] = AWAY
        elif not is_open:
            reasons[c.user.pk] = OFF_SHIFT
        elif loads is not None and c.cap is not None and loads.get(c.user.pk, 0) >= c.cap:
            reasons[c.user.pk] = AT_CAP
    return reasons


def skipped(candidates: list[Candidate], reasons: Mapping[int, str]) -> list[dict]:
    """The skips as the lead's timeline records them, in team order."""
    return [
        {"user_id": c.user.pk, "name": str(c.user), "reason": reasons[c.user.pk]}
        for c in candidates
        if c.user.pk in reasons
    ]


def round_robin(
    candidates: list[Candidate],
    credits: Mapping[int, int],
    reasons: Mapping[int, str],
    exclude: set[int],
    *,
    catch_up: bool,
) -> Turn:
    """Smooth weighted round-robin: every eligible member earns their weight, the richest
    (first in team order on a tie) is chosen and pays the total earned. With `catch_up`, the
    skipped keep earning their turns and get them back on return.

    A cap is not among `reasons` unless the caller knows it: counting one person's open leads
    costs a query, so the caller counts only the chosen one's, and asks again with them marked
    AT_CAP when they hold their cap (the sequence is the one a count of everyone would give)."""
    order = {c.user.pk: i for i, c in enumerate(candidates)}
    eligible = [c for c in candidates if c.user.pk not in reasons and c.user.pk not in exclude]
    if not eligible:
        return Turn(None, dict(credits))
    new = dict(credits)
    earners = list(eligible)
    if catch_up:
        earners += [c for c in candidates if c.user.pk in reasons and c.user.pk not in exclude]
    for c in earners:
        new[c.user.pk] = new.get(c.user.pk, 0) + c.weight
    chosen = max(eligible, key=lambda c: (new[c.user.pk], -order[c.user.pk]))
    new[chosen.user.pk] -= sum(c.weight for c in earners)
    return Turn(chosen, new)


def least_loaded(
    candidates: list[Candidate],
    loads: Mapping[int, int],
    reasons: Mapping[int, str],
    exclude: set[int],
) -> Pick:
    """Whoever holds the fewest open leads (first in team order on a tie)."""
    eligible = [c for c in candidates if c.user.pk not in reasons and c.user.pk not in exclude]
    if not eligible:
        return Pick(None, skipped(candidates, reasons))
    order = {c.user.pk: i for i, c in enumerate(candidates)}
    chosen = min(eligible, key=lambda c: (loads.get(c.user.pk, 0), order[c.user.pk]))
    return Pick(chosen.user, skipped(candidates, reasons))


def vehicle_owner(
    owner: Candidate | None, *, sells_here: bool, is_open: bool, exclude: set[int]
) -> Pick:
    """The salesperson who owns the stock vehicle the lead asks about, when they can take it."""
    if owner is None:
        return Pick(None, note="no_owner")
    if not sells_here:
        return Pick(None, note="owner_not_selling")
    if owner.user.pk in exclude:
        return Pick(None, note="owner_tried")
    reasons = skip_reasons([owner], is_open=is_open)
    if reasons:
        return Pick(None, skipped([owner], reasons))
    return Pick(owner.user)


def manual() -> Pick:
    """Nobody: the manager's unassigned queue, where a manager gives the lead by hand."""
    return Pick(None, queue=Routing.State.MANAGER_QUEUE)


def bdc_queue() -> Pick:
    """Nobody: the BDC queue, where an agent takes the lead."""
    return Pick(None, queue=Routing.State.BDC_QUEUE)
