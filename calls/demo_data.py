"""Calls in the demo: the bridge switched on (Doesburg records, with its announcement), tracking
numbers for the phone and Marktplaats sources, and a call behind every phone attempt the demo's
timelines hold — connected, no answer or voicemail as the attempt says, with realistic seconds
from receipt, talk times, recordings and ratings — plus the calls that came in on the tracking
number, and some the salesperson did not pick up."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from calls.models import (
    Call,
    CallSettings,
    Direction,
    MarkedOutcome,
    Outcome,
    Rating,
    State,
    TrackingNumber,
)
from dealers.models import Dealership
from leads.models import ContactChannel, ContactOutcome, EventKind, LeadEvent, Source

OUTCOMES = {
    ContactOutcome.REACHED: Outcome.CONNECTED,
    ContactOutcome.NO_ANSWER: Outcome.CUSTOMER_NO_ANSWER,
    ContactOutcome.VOICEMAIL: Outcome.VOICEMAIL,
}


def build(*, dealerships: dict[str, Dealership], now: datetime, seed: int = 2026) -> int:
    rng = random.Random(seed)
    made: list[Call] = []
    for slug, dealership in dealerships.items():
        CallSettings.objects.update_or_create(
            dealership=dealership,
            defaults={"bridge_on_assignment": True, "record_calls": slug == "doesburg"},
        )
        numbers = {}
        for n, source in enumerate(
            Source.objects.filter(
                dealership=dealership, kind__in=[Source.Kind.PHONE, "portal"]
            ).order_by("pk")[:2]
        ):
            prefix = "+3197010" if dealership.country == "NL" else "+3397010"
            numbers[source.pk] = TrackingNumber.objects.create(
                dealership=dealership, source=source, number=f"{prefix}{dealership.pk:02d}{n:03d}"
            )
        attempts = (
            LeadEvent.objects.filter(
                dealership=dealership,
                kind=EventKind.CONTACT_ATTEMPT,
                channel=ContactChannel.PHONE,
                lead__is_passive=False,
            )
            .select_related("lead__customer", "actor", "lead__source")
            .order_by("lead_id", "occurred_at")
        )
        seen: set[int] = set()
        for event in attempts:
            lead = event.lead
            first = lead.pk not in seen
            seen.add(lead.pk)
            number = numbers.get(lead.source_id)
            inbound = first and number is not None and lead.source.kind == Source.Kind.PHONE
            at = event.occurred_at
            if first and not inbound and rng.random() < 0.25:
                # The bridge rang the salesperson first and they were busy: the retry reached.
                missed_at = at - timedelta(minutes=rng.choice([5, 5, 10]))
                if missed_at > lead.received_at:
                    made.append(
                        _call(
                            lead,
                            event,
                            missed_at,
                            Outcome.AGENT_NO_ANSWER,
                            Direction.BRIDGE,
                            rng,
                            None,
                            now=now,
                        )
                    )
            outcome = OUTCOMES.get(event.outcome, Outcome.CONNECTED)
            direction = (
                Direction.INBOUND if inbound else (Direction.BRIDGE if first else Direction.CLICK)
            )
            made.append(
                _call(
                    lead,
                    event,
                    at,
                    outcome,
                    direction,
                    rng,
                    number if inbound else None,
                    recorded=slug == "doesburg",
                    now=now,
                )
            )
    Call.objects.bulk_create(made)
    return len(made)


def _call(lead, event, at, outcome, direction, rng, number, *, now, recorded=False) -> Call:
    agent_wait = rng.randint(4, 18)
    customer_wait = rng.randint(6, 25)
    connected = outcome == Outcome.CONNECTED
    answered = outcome != Outcome.AGENT_NO_ANSWER
    talk = rng.choice([25, 48, 95, 140, 210, 380, 620]) + rng.randint(0, 20) if connected else None
    call = Call(
        dealership=lead.dealership,
        lead=lead,
        direction=direction,
        state=State.DONE,
        outcome=outcome,
        agent=event.actor,
        agent_number=getattr(event.actor, "phone", "") or "",
        customer_number=lead.customer.primary_phone,
        caller_id=lead.dealership.phone,
        tracking_number=number,
        lead_received_at=lead.received_at,
        created_at=at - timedelta(seconds=agent_wait),
        dialed_at=at - timedelta(seconds=agent_wait),
        agent_answered_at=at if answered else None,
        customer_answered_at=(
            min(now, at + timedelta(seconds=customer_wait))
            if connected and direction != Direction.INBOUND
            else (at if connected else None)
        ),
        ended_at=min(now, at + timedelta(seconds=(talk or 0) + customer_wait + 5)),
        talk_seconds=talk,
        logged_event_id=event.pk if answered else None,
        agent_call_sid=None,
    )
    if connected and recorded:
        call.recording_sid = f"REdemo{lead.pk:06d}{event.pk:06d}"
        call.recording_seconds = talk
    if connected and rng.random() < 0.4:
        call.rating = rng.choice([Rating.OPPORTUNITY, Rating.OPPORTUNITY, Rating.WRONG_NUMBER])
        call.rated_by = event.actor
        if lead.appointment_set_at and call.rating == Rating.OPPORTUNITY:
            call.marked_outcome = MarkedOutcome.APPOINTMENT
    elif outcome == Outcome.VOICEMAIL and rng.random() < 0.5:
        call.rating = Rating.VOICEMAIL
        call.rated_by = event.actor
    return call
