"""Calls: the bridge (salesperson first, then the customer), click-to-call through the same
bridge, and inbound calls to tracking numbers. Every Twilio webhook lands in one function here
that locks the call's row, so a retried or duplicated request finds the call where the first one
left it and changes nothing twice."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from accounts.models import Presence, User
from calls import twiml
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
from dealers.models import Dealership, OpeningHours
from distribution import hours
from distribution.models import Routing
from leads import services as lead_services
from leads.models import ContactChannel, ContactOutcome, CustomerPhone, EventKind, Lead, LeadType

logger = logging.getLogger(__name__)

LIVE = (
    State.SCHEDULED,
    State.DIALING_AGENT,
    State.AGENT_ANSWERED,
    State.DIALING_CUSTOMER,
    State.RINGING,
    State.CONNECTED,
)
# Twilio REST requests in flight at once for a batch of leads: each waits a few hundred ms on
# the network, so a batch of 30 leads is dialled in one round trip, not four.
DIAL_THREADS = 32
AGENT_MISSED = ("no-answer", "busy", "failed", "canceled")
CONTACT_OUTCOME = {
    Outcome.CONNECTED: ContactOutcome.REACHED,
    Outcome.CUSTOMER_NO_ANSWER: ContactOutcome.NO_ANSWER,
    Outcome.VOICEMAIL: ContactOutcome.VOICEMAIL,
}


class CallError(Exception):
    """A call that cannot be made; the message says why, for the person who asked."""


# --- configuration -------------------------------------------------------------------------


def _intervals(dealership: Dealership) -> dict:
    rows = OpeningHours.objects.filter(dealership=dealership).values_list(
        "weekday", "opens", "closes"
    )
    return hours.by_weekday(rows)


def _open(dealership: Dealership, at: datetime) -> bool:
    return hours.is_open(_intervals(dealership), dealership.tz, at)


def _after_open_minutes(dealership: Dealership, start: datetime, minutes: int) -> datetime:
    return hours.add_open_minutes(_intervals(dealership), dealership.tz, start, minutes)


def missing_configuration() -> list[str]:
    """The settings Twilio Voice still needs; empty: calls are on."""
    names = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")
    return [name for name in names if not getattr(settings, name, "")]


def is_configured() -> bool:
    return not missing_configuration()


class _RedirectedHttpClient(TwilioHttpClient):
    """Sends the REST requests to TWILIO_API_BASE instead of Twilio's hosts: a local fake of
    Twilio's REST API in the benchmark and in staging."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        rest = urlsplit(url)
        return super().request(method, f"{self.base}{rest.path}", *args, **kwargs)


_clients = threading.local()


def client() -> Client:
    """This thread's REST client for the configured account: kept, so its HTTP connection is
    reused from one call to the next."""
    base = getattr(settings, "TWILIO_API_BASE", "")
    key = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, base)
    kept = getattr(_clients, "kept", None)
    if kept is None or kept[0] != key:
        http_client = _RedirectedHttpClient(base) if base else None
        made = Client(key[0], key[1], http_client=http_client)
        _clients.kept = kept = (key, made)
    return kept[1]


def settings_of(dealership) -> CallSettings:
    found = getattr(dealership, "_call_settings_cache", None)
    if found is None:
        found, _created = CallSettings.objects.get_or_create(dealership=dealership)
    return found


def hook(name: str, call: Call | None = None) -> str:
    """The absolute URL Twilio is to ask: webhooks are signed over the full URL."""
    path = reverse(f"calls:{name}", args=[call.pk] if call is not None else [])
    return settings.DEALERLMS_PUBLIC_URL.rstrip("/") + path


def caller_id_of(dealership) -> str:
    """What the customer sees: the dealership's own number, else the Twilio number."""
    return dealership.phone or settings.TWILIO_FROM_NUMBER


def _locked(call_id: int) -> Call | None:
    return (
        Call.objects.select_for_update(of=("self",))
        .select_related("dealership", "lead", "agent", "lead__customer", "lead__source")
        .filter(pk=call_id)
        .first()
    )


def _next_opening(dealership, at: datetime) -> datetime:
    if _open(dealership, at):
        return at
    return _after_open_minutes(dealership, at, 0)


# --- the bridge ------------------------------------------------------------------------------


@transaction.atomic
def schedule_call(
    *,
    lead: Lead,
    agent: User,
    direction: str = Direction.BRIDGE,
    at: datetime | None = None,
    try_number: int = 1,
) -> Call:
    """A bridge call of `lead` to `agent`, due now (or at the opening). One live bridge per lead
    and person: asking twice returns the first."""
    at = at or timezone.now()
    lead = Lead.objects.select_for_update(of=("self",)).select_related("dealership").get(pk=lead.pk)
    live = Call.objects.filter(
        lead=lead, agent=agent, direction__in=(Direction.BRIDGE, Direction.CLICK), state__in=LIVE
    ).first()
    if live is not None:
        return live
    due = at if direction == Direction.CLICK else _next_opening(lead.dealership, at)
    return Call.objects.create(
        dealership=lead.dealership,
        lead=lead,
        direction=direction,
        state=State.SCHEDULED,
        agent=agent,
        agent_number=agent.phone,
        customer_number=lead.customer.primary_phone,
        caller_id=caller_id_of(lead.dealership),
        due_at=due,
        lead_received_at=lead.received_at,
        try_number=try_number,
    )


def start_bridge(*, lead_id: int, agent_id: int) -> Call | None:
    """The lead was given to `agent_id`: call them now, or at the opening."""
    return start_bridges(pairs=[(lead_id, agent_id, None)]).get(lead_id)


def start_bridges(*, pairs: list[tuple[int, int, int | None]]) -> dict[int, Call]:
    """Leads given to people (lead id, assignee id, dealership id if known): their calls,
    dialled together. The dealerships' setting is read first, so that where the bridge is off
    the job reads no lead at all. A routing batch's calls are made in one transaction that
    locks the leads (one live bridge per lead and person, however often the job runs) and
    enters those due now as dialling already, so that Twilio is asked right after the commit."""
    known = {p[2] for p in pairs if p[2] is not None}
    if known:
        on = set(
            CallSettings.objects.filter(
                dealership_id__in=known, bridge_on_assignment=True
            ).values_list("dealership_id", flat=True)
        )
        pairs = [p for p in pairs if p[2] is None or p[2] in on]
    if not pairs or not is_configured():
        return {}
    now = timezone.now()
    with transaction.atomic():
        calls, ringing = _bridge_calls(pairs, now)
    calls.update(_ring(ringing, now))
    due = [c.pk for c in calls.values() if c.state == State.SCHEDULED and c.due_at <= now]
    calls.update({c.lead_id: c for c in dial_many(call_ids=due, now=now).values()})
    return calls


def _bridge_calls(
    pairs: list[tuple[int, int, int | None]], now: datetime
) -> tuple[dict[int, Call], list[Call]]:
    """Which leads get a bridge call (an active lead still to be reached, with a number to call,
    at a dealership that wants the bridge, under a rule that does not say no, without an
    incoming call of its own going on) and their calls, in a handful of queries for the batch:
    (the call of each lead, the new ones to ring now)."""
    lead_ids = [p[0] for p in pairs]
    leads = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("dealership", "customer")
        .prefetch_related("customer__phones")
        .order_by("pk")  # locks taken in one order: two jobs never wait for each other in a ring
        .in_bulk(lead_ids)
    )
    agents = User.objects.in_bulk([p[1] for p in pairs])
    bridge_on = {
        found.dealership_id: found
        for found in CallSettings.objects.filter(
            dealership_id__in={lead.dealership_id for lead in leads.values()},
            bridge_on_assignment=True,
        )
    }
    no_bridge = set(
        Routing.objects.filter(lead_id__in=lead_ids, rule__call_bridge=False).values_list(
            "lead_id", flat=True
        )
    )
    live = Call.objects.filter(lead_id__in=lead_ids, state__in=LIVE)
    ringing_in = set(live.filter(direction=Direction.INBOUND).values_list("lead_id", flat=True))
    existing = {
        (call.lead_id, call.agent_id): call
        for call in live.filter(direction__in=(Direction.BRIDGE, Direction.CLICK))
    }
    calls: dict[int, Call] = {}
    new: list[Call] = []
    for lead_id, agent_id, _dealership_id in pairs:
        lead, agent = leads.get(lead_id), agents.get(agent_id)
        if lead is None or agent is None or not agent.phone or lead.assigned_to_id != agent_id:
            continue
        found = bridge_on.get(lead.dealership_id)
        phone = lead.customer.primary_phone
        if (
            found is None
            or lead.is_passive
            or not lead.is_open
            or lead.first_contact_at is not None
            or not phone
            or lead_id in no_bridge
            or lead_id in ringing_in
        ):
            continue
        if (lead_id, agent_id) in existing:
            calls[lead_id] = existing[(lead_id, agent_id)]
            continue
        lead.dealership._call_settings_cache = found  # settings_of() without a query
        due = _next_opening(lead.dealership, now)
        call = Call(
            dealership=lead.dealership,
            lead=lead,
            direction=Direction.BRIDGE,
            state=State.DIALING_AGENT if due <= now else State.SCHEDULED,
            agent=agent,
            agent_number=agent.phone,
            customer_number=phone,
            caller_id=caller_id_of(lead.dealership),
            due_at=due,
            dialed_at=now if due <= now else None,
            lead_received_at=lead.received_at,
        )
        existing[(lead_id, agent_id)] = calls[lead_id] = call
        new.append(call)
    Call.objects.bulk_create(new)
    return calls, [call for call in new if call.state == State.DIALING_AGENT]


def click_to_call(*, lead: Lead, by: User) -> Call:
    """The salesperson's own phone rings first, then the customer: every call is logged."""
    if not is_configured():
        raise CallError(_("Calls are off: Twilio is not configured."))
    if not by.phone:
        raise CallError(_("Add your mobile number to your profile first."))
    if not lead.customer.primary_phone:
        raise CallError(_("This lead has no phone number."))
    call = schedule_call(lead=lead, agent=by, direction=Direction.CLICK)
    if call.state == State.SCHEDULED:
        transaction.on_commit(lambda: _dial_later(call.pk))
    return call


def _dial_later(call_id: int) -> None:
    from calls import tasks

    tasks.dial.delay(call_id)


def dial(*, call_id: int, now: datetime | None = None) -> Call | None:
    """Ring the salesperson's phone (see dial_many)."""
    return dial_many(call_ids=[call_id], now=now).get(call_id)


def _claim(call_id: int, now: datetime) -> tuple[Call | None, bool]:
    """scheduled → dialing under the row's lock, so two workers never dial the same call; a call
    whose lead moved on meanwhile is cancelled instead. (call, dial it?)"""
    with transaction.atomic():
        call = _locked(call_id)
        if call is None or call.state != State.SCHEDULED:
            return call, False
        lead = call.lead
        stale = lead is None or not lead.is_open or lead.deleted_at is not None
        if call.direction == Direction.BRIDGE and not stale:
            stale = lead.assigned_to_id != call.agent_id or lead.first_contact_at is not None
        if stale or not is_configured():
            call.state = State.CANCELLED
            call.ended_at = now
            call.save(update_fields=["state", "ended_at"])
            return call, False
        call.state = State.DIALING_AGENT
        call.dialed_at = now
        call.save(update_fields=["state", "dialed_at"])
        return call, True


def _request_call(call: Call, ring: int) -> str | Exception:
    """Twilio's REST call, no database: run from a thread pool, since each request waits on
    the network for a few hundred milliseconds and a batch of leads must not wait in line."""
    try:
        return (
            client()
            .calls.create(
                to=call.agent_number,
                from_=settings.TWILIO_FROM_NUMBER,
                url=hook("agent_answered", call),
                method="POST",
                status_callback=hook("agent_status", call),
                status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                timeout=ring,
            )
            .sid
        )
    except (TwilioRestException, OSError) as exc:
        return exc


def dial_many(*, call_ids: list[int], now: datetime | None = None) -> dict[int, Call]:
    """Ring the salespeople's phones: each call claimed in the database first, then Twilio asked
    for all of them at once (after the claims committed), then the SIDs or failures written."""
    now = now or timezone.now()
    claimed: dict[int, Call] = {}
    to_dial: list[Call] = []
    for call_id in call_ids:
        call, go = _claim(call_id, now)
        if call is not None:
            claimed[call_id] = call
        if go:
            to_dial.append(call)
    claimed.update({call.pk: call for call in _ring(to_dial, now).values()})
    return claimed


def _ring(to_dial: list[Call], now: datetime) -> dict[int, Call]:
    """Calls claimed for dialling (committed): Twilio asked for all at once, then the SIDs
    written in one statement and each refusal recorded. By lead id."""
    if not to_dial:
        return {}
    rings = [settings_of(call.dealership).ring_seconds for call in to_dial]
    if len(to_dial) == 1:
        answers = [_request_call(to_dial[0], rings[0])]
    else:
        with ThreadPoolExecutor(min(DIAL_THREADS, len(to_dial))) as pool:
            answers = list(pool.map(_request_call, to_dial, rings))
    done: dict[int, Call] = {}
    sids: list[Call] = []
    for call, answer in zip(to_dial, answers, strict=True):
        if isinstance(answer, Exception):
            # Twilio's text quotes the numbers dialled: only its status and code in the log.
            logger.warning(
                "call %s: Twilio refused the call: %s %s %s",
                call.pk,
                type(answer).__name__,
                getattr(answer, "status", ""),
                getattr(answer, "code", ""),
            )
            with transaction.atomic():
                locked = _locked(call.pk)
                locked.error = str(answer)[:300]
                locked.save(update_fields=["error"])
                _finish(locked, Outcome.FAILED, now)
            done[locked.lead_id] = locked
        else:
            call.agent_call_sid = answer
            sids.append(call)
            done[call.lead_id] = call
    Call.objects.bulk_update(sids, ["agent_call_sid"])
    return done


def dial_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Retries and calls that waited for the opening, now due."""
    now = now or timezone.now()
    ids = list(
        Call.objects.filter(state=State.SCHEDULED, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    dial_many(call_ids=ids, now=now)
    return len(ids)


def _vehicle_words(lead: Lead) -> str:
    vehicle = lead.vehicle
    if vehicle is None:
        return ""
    return " ".join(p for p in (vehicle.make, vehicle.model) if p)


def agent_answered(*, call_id: int, call_sid: str = "") -> VoiceResponse:
    """The salesperson picked up: tell them who it is about and let them choose."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None or call.state in (State.DONE, State.CANCELLED):
            return twiml.say_and_hang_up("", "en")
        if call.agent_answered_at is None:
            call.agent_answered_at = now
            call.state = State.AGENT_ANSWERED
            if call_sid and not call.agent_call_sid:
                call.agent_call_sid = call_sid
            call.save(update_fields=["agent_answered_at", "state", "agent_call_sid"])
    lead = call.lead
    language = call.agent.language if call.agent else lead.dealership.language
    text = twiml.whisper_text(
        language=language,
        source=lead.source.name if lead.source else "",
        vehicle=_vehicle_words(lead),
        first_name=lead.customer.first_name,
    )
    return twiml.whisper(
        language=language,
        text=text,
        action=hook("agent_choice", call),
        fallback=hook("agent_choice", call),
    )


def agent_choice(*, call_id: int, digits: str) -> VoiceResponse:
    """1: call the customer now, with the dealership's number as caller id. Anything else
    (2, or silence): later, which schedules the retry."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None:
            return twiml.say_and_hang_up("", "en")
        language = call.agent.language if call.agent else call.dealership.language
        if call.state == State.DIALING_CUSTOMER or call.outcome:
            # A repeated request: answer as the first time did, change nothing.
            return (
                _connect_twiml(call, language)
                if call.state == State.DIALING_CUSTOMER
                else (twiml.say_and_hang_up("", language))
            )
        if digits == "1":
            call.state = State.DIALING_CUSTOMER
            call.save(update_fields=["state"])
            return _connect_twiml(call, language)
        _finish(call, Outcome.AGENT_LATER, now)
    with translation.override(language):
        text = _("Fine, we will call you again in a few minutes.")
    return twiml.say_and_hang_up(text, language)


def _connect_twiml(call: Call, language: str) -> VoiceResponse:
    options = settings_of(call.dealership)
    return twiml.connect_customer(
        language=language,
        customer_number=call.customer_number,
        caller_id=call.caller_id,
        action=hook("dial_done", call),
        customer_url=hook("customer_answered", call),
        ring_seconds=options.ring_seconds + 5,
        record=options.record_calls,
        recording_callback=hook("recording", call),
    )


def consent_text(call: Call) -> str:
    options = settings_of(call.dealership)
    if options.consent_message:
        return options.consent_message
    with translation.override(call.dealership.language):
        return _("This call is recorded for quality and training purposes.")


def customer_answered(*, call_id: int, answered_by: str = "", call_sid: str = "") -> VoiceResponse:
    """The customer's phone was answered: a person (the recording announcement if the call is
    recorded, then the two talk) or a machine (hang up: a voicemail, not a conversation)."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None:
            return twiml.say_and_hang_up("", "en")
        language = call.dealership.language
        machine = answered_by.startswith("machine") or answered_by == "fax"
        if call_sid and not call.customer_call_sid:
            call.customer_call_sid = call_sid
        if machine:
            call.save(update_fields=["customer_call_sid"])
            _finish(call, Outcome.VOICEMAIL, now)
            return twiml.say_and_hang_up("", language)
        if call.customer_answered_at is None:
            call.customer_answered_at = now
            call.state = State.CONNECTED
        call.save(update_fields=["customer_call_sid", "customer_answered_at", "state"])
        if settings_of(call.dealership).record_calls:
            return twiml.say(consent_text(call), language)
    return VoiceResponse()


def dial_done(*, call_id: int, dial_status: str, duration: str = "") -> VoiceResponse:
    """The customer's leg ended (Twilio's <Dial action>)."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None:
            return twiml.say_and_hang_up("", "en")
        if not call.outcome:
            if dial_status == "completed" and call.customer_answered_at is not None:
                call.talk_seconds = _int(duration)
                call.save(update_fields=["talk_seconds"])
                _finish(call, Outcome.CONNECTED, now)
            else:
                _finish(call, Outcome.CUSTOMER_NO_ANSWER, now)
        language = call.agent.language if call.agent else call.dealership.language
    if call.outcome == Outcome.CONNECTED:
        return twiml.say_and_hang_up("", language)
    with translation.override(language):
        text = (
            _("The customer's voicemail answered.")
            if call.outcome == Outcome.VOICEMAIL
            else _("The customer did not answer.")
        )
    return twiml.say_and_hang_up(text, language)


def agent_status(*, call_id: int, status: str, duration: str = "") -> None:
    """Twilio's status callback for the salesperson's leg. Only an end says something: not
    answered (retry, then the next person), or hung up before anything else decided."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None or call.outcome:
            if call is not None and call.ended_at is None and status == "completed":
                Call.objects.filter(pk=call.pk).update(ended_at=now)
            return
        if status in AGENT_MISSED and call.agent_answered_at is None:
            _finish(call, Outcome.AGENT_NO_ANSWER, now)
        elif status == "completed":
            if call.state == State.AGENT_ANSWERED:
                _finish(call, Outcome.AGENT_LATER, now)
            elif call.state == State.DIALING_CUSTOMER:
                _finish(call, Outcome.CUSTOMER_NO_ANSWER, now)
            elif call.state == State.CONNECTED:
                _finish(call, Outcome.CONNECTED, now)
            elif call.agent_answered_at is None:
                _finish(call, Outcome.AGENT_NO_ANSWER, now)


def recording_ready(*, call_id: int, sid: str, url: str, duration: str, status: str) -> None:
    """Kept once; a repeated callback with the same recording changes nothing."""
    if status and status != "completed":
        return
    with transaction.atomic():
        call = _locked(call_id)
        if call is None or call.recording_sid == sid:
            return
        call.recording_sid = sid
        call.recording_url = url
        call.recording_seconds = _int(duration)
        call.save(update_fields=["recording_sid", "recording_url", "recording_seconds"])


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fmt(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds // 60}:{seconds % 60:02d}"


def call_note(call: Call) -> str:
    with translation.override(call.dealership.language):
        parts = [
            _("%(kind)s: %(outcome)s")
            % {"kind": call.get_direction_display(), "outcome": call.get_outcome_display()}
        ]
        if call.agent_answered_at and call.lead_received_at and call.direction != "inbound":
            parts.append(
                _("salesperson answered %(t)s after receipt") % {"t": _fmt(call.to_agent_seconds)}
            )
        if call.customer_answered_at and call.direction != "inbound":
            parts.append(
                _("customer answered %(t)s after receipt") % {"t": _fmt(call.to_customer_seconds)}
            )
        if call.talk_seconds is not None:
            parts.append(_("talk time %(t)s") % {"t": _fmt(call.talk_seconds)})
        return "; ".join(parts)


def _finish(call: Call, outcome: str, now: datetime) -> None:
    """Close the call with its outcome, once (the caller holds the row's lock), and put it on
    the lead: a contact attempt when the customer was dialled, a note otherwise."""
    if call.outcome:
        return
    call.outcome = outcome
    call.state = State.DONE
    call.ended_at = call.ended_at or now
    call.save(update_fields=["outcome", "state", "ended_at"])
    lead = call.lead
    if lead is None:
        return
    note = call_note(call)
    if outcome in CONTACT_OUTCOME:
        attempt_at = call.agent_answered_at or call.dialed_at or now
        if call.direction == Direction.INBOUND:
            attempt_at = call.agent_answered_at or now
        lead_services.log_contact_attempt(
            lead=lead,
            channel=ContactChannel.PHONE,
            outcome=CONTACT_OUTCOME[outcome],
            by=call.agent,
            note=note,
            at=attempt_at,
        )
        event = lead.events.filter(kind=EventKind.CONTACT_ATTEMPT).order_by("-id").first()
    else:
        event = lead_services.record_event(
            lead=lead,
            kind=EventKind.NOTE,
            actor=call.agent,
            assignee=call.agent,
            note=note,
            data={
                "call_id": call.pk,
                "call_outcome": outcome,
                "missed_call": outcome == Outcome.MISSED,
            },
        )
    Call.objects.filter(pk=call.pk).update(logged_event_id=event.pk if event else None)
    if call.direction == Direction.BRIDGE and outcome in (
        Outcome.AGENT_NO_ANSWER,
        Outcome.AGENT_LATER,
    ):
        _after_agent_missed(call, now)


def _after_agent_missed(call: Call, now: datetime) -> None:
    """Again after N minutes (in opening hours); after the last try, the next person, as the
    first-contact deadline's escalation does it."""
    options = settings_of(call.dealership)
    if call.try_number < options.tries_per_person:
        due = _after_open_minutes(call.dealership, now, options.retry_minutes)
        Call.objects.create(
            dealership=call.dealership,
            lead=call.lead,
            direction=Direction.BRIDGE,
            state=State.SCHEDULED,
            agent=call.agent,
            agent_number=call.agent_number,
            customer_number=call.customer_number,
            caller_id=call.caller_id,
            due_at=due,
            lead_received_at=call.lead_received_at,
            try_number=call.try_number + 1,
        )
        return
    lead_id = call.lead_id

    def pass_on() -> None:
        from calls import tasks

        tasks.pass_to_next.delay(lead_id)

    transaction.on_commit(pass_on)


def pass_to_next(*, lead_id: int, now: datetime | None = None) -> list[str]:
    """The assignee did not take the bridge calls: their first-contact time is up now, and
    distribution's escalation moves the lead on (or alerts the managers), by the lead's rule."""
    from distribution import escalation as distribution

    now = now or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update(of=("self",)).filter(pk=lead_id).first()
        if lead is None or lead.first_attempt_at is not None or not lead.is_open:
            return []
        if lead.contact_deadline_at is None or lead.contact_deadline_at > now:
            Lead.all_objects.filter(pk=lead.pk).update(contact_deadline_at=now)
    return distribution.escalate_lead(lead_id=lead_id, now=now)


# --- inbound calls to tracking numbers ---------------------------------------------------------


def _ring_list(lead: Lead, now: datetime) -> list[int]:
    """Who hears the phone, in turn: the lead's salesperson, then colleagues who are in."""
    from distribution.selectors import team_presence

    order: list[int] = []
    if lead.assigned_to_id and lead.assigned_to.phone:
        order.append(lead.assigned_to_id)
    for row in team_presence(lead.dealership, now):
        person = row["user"]
        if (
            person.pk not in order
            and person.phone
            and row["absence"] is None
            and person.presence == Presence.AVAILABLE
        ):
            order.append(person.pk)
    return order[:3]


def inbound_call(*, to: str, caller: str, call_sid: str) -> VoiceResponse:
    """A call to a tracking number: the caller's lead (new, or their open one), then the team
    rings in turn; nobody (or closed): voicemail, and the lead waits for a call back."""
    from distribution import routing as distribution

    now = timezone.now()
    existing = Call.objects.filter(customer_call_sid=call_sid).select_related("dealership").first()
    if existing is not None:
        return _inbound_step(existing)
    number = (
        TrackingNumber.objects.select_related("dealership", "source", "stock_vehicle")
        .filter(number=to, is_enabled=True)
        .first()
    )
    if number is None:
        return twiml.say_and_hang_up("", "en")
    dealership = number.dealership
    with transaction.atomic():
        customer = lead_services.find_or_create_customer(
            dealership=dealership, phones=[(caller, CustomerPhone.Kind.UNKNOWN)] if caller else []
        )
        lead = (
            Lead.objects.filter(dealership=dealership, customer=customer)
            .open()
            .order_by("-received_at")
            .first()
        )
        joined = lead is not None
        if lead is None:
            vehicle = None
            if number.stock_vehicle is not None:
                from leads.models import LeadVehicle

                stock = number.stock_vehicle
                vehicle = LeadVehicle(
                    make=stock.make,
                    model=stock.model,
                    vin=stock.vin,
                    stock_number=stock.stock_number,
                )
            lead = lead_services.create_lead(
                dealership=dealership,
                customer=customer,
                source=number.source,
                lead_type=LeadType.CALL,
                vehicle=vehicle,
                received_at=now,
            )
        call = Call.objects.create(
            dealership=dealership,
            lead=lead,
            direction=Direction.INBOUND,
            state=State.RINGING,
            customer_number=caller,
            caller_id=caller,
            tracking_number=number,
            customer_call_sid=call_sid,
            lead_received_at=now,
            dialed_at=now,
        )
        if joined:
            with translation.override(dealership.language):
                note = _("Called in on %(number)s (%(source)s).") % {
                    "number": number.number,
                    "source": number.source.name,
                }
            lead_services.record_event(
                lead=lead, kind=EventKind.NOTE, note=note, data={"call_id": call.pk}
            )
    if not joined:
        distribution.route_lead(lead_id=lead.pk, at=now)
        lead.refresh_from_db()
    open_now = _open(dealership, now)
    call.ring_user_ids = _ring_list(lead, now) if open_now else []
    call.save(update_fields=["ring_user_ids"])
    return _inbound_step(call)


def _inbound_step(call: Call) -> VoiceResponse:
    language = call.dealership.language
    if call.outcome == Outcome.CONNECTED or call.state == State.CONNECTED:
        return twiml.say_and_hang_up("", language)
    if call.ring_step < len(call.ring_user_ids) and not call.outcome:
        person = User.objects.get(pk=call.ring_user_ids[call.ring_step])
        return twiml.ring(
            number=person.phone,
            caller_id=call.customer_number or settings.TWILIO_FROM_NUMBER,
            action=hook("inbound_next", call),
            whisper_url=hook("inbound_whisper", call),
            ring_seconds=settings_of(call.dealership).ring_seconds,
        )
    return twiml.voicemail(
        language=language,
        action=hook("voicemail_done", call),
        recording_callback=hook("recording", call),
    )


def inbound_whisper(*, call_id: int) -> VoiceResponse:
    """The person rung picked up: they hear the source before the caller is put through."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None or call.outcome:
            return twiml.say_and_hang_up("", "en")
        person = User.objects.get(pk=call.ring_user_ids[call.ring_step])
        if call.agent_answered_at is None:
            call.agent = person
            call.agent_number = person.phone
            call.agent_answered_at = now
            call.customer_answered_at = now
            call.state = State.CONNECTED
            call.save(
                update_fields=[
                    "agent",
                    "agent_number",
                    "agent_answered_at",
                    "customer_answered_at",
                    "state",
                ]
            )
    lead = call.lead
    source = call.tracking_number.source.name if call.tracking_number else ""
    with translation.override(person.language):
        text = _("Incoming call, %(source)s.") % {"source": source}
        if lead and lead.customer.first_name:
            text += " " + lead.customer.first_name + "."
    return twiml.say(text, person.language)


def inbound_next(*, call_id: int, dial_status: str, duration: str = "") -> VoiceResponse:
    """The <Dial> to one person ended: a conversation, or the next person, or voicemail."""
    now = timezone.now()
    with transaction.atomic():
        call = _locked(call_id)
        if call is None:
            return twiml.say_and_hang_up("", "en")
        if call.outcome:
            return _inbound_step(call)
        if dial_status == "completed" and call.agent_answered_at is not None:
            call.talk_seconds = _int(duration)
            call.save(update_fields=["talk_seconds"])
            _finish(call, Outcome.CONNECTED, now)
            return twiml.say_and_hang_up("", call.dealership.language)
        call.ring_step += 1
        call.save(update_fields=["ring_step"])
        if call.ring_step >= len(call.ring_user_ids):
            _finish(call, Outcome.MISSED, now)
            # The outcome is set, yet the caller still gets to leave a message.
            return twiml.voicemail(
                language=call.dealership.language,
                action=hook("voicemail_done", call),
                recording_callback=hook("recording", call),
            )
    return _inbound_step(call)


def voicemail_done(*, call_id: int) -> VoiceResponse:
    with transaction.atomic():
        call = _locked(call_id)
        if call is not None and not call.outcome:
            _finish(call, Outcome.MISSED, timezone.now())
    with translation.override(call.dealership.language if call else "en"):
        text = _("Thank you, we will call you back.")
    return twiml.say_and_hang_up(text, call.dealership.language if call else "en")


def inbound_status(*, call_sid: str, status: str) -> None:
    """The caller hung up while the phones rang: a missed call."""
    if status not in ("completed", *AGENT_MISSED):
        return
    with transaction.atomic():
        found = Call.objects.filter(customer_call_sid=call_sid, direction=Direction.INBOUND).first()
        if found is None:
            return
        call = _locked(found.pk)
        if not call.outcome:
            _finish(call, Outcome.MISSED, timezone.now())
        elif call.ended_at is None:
            Call.objects.filter(pk=call.pk).update(ended_at=timezone.now())


# --- ratings ---------------------------------------------------------------------------------


def may_rate(user: User, call: Call) -> bool:
    from accounts.models import Membership, Role

    if user.is_superuser:
        return True
    role = (
        Membership.objects.filter(user=user, dealership_id=call.dealership_id)
        .values_list("role", flat=True)
        .first()
    )
    if role in (Role.MANAGER, Role.ADMIN):
        return True
    return role is not None and (
        call.agent_id == user.pk or (call.lead is not None and call.lead.assigned_to_id == user.pk)
    )


@transaction.atomic
def rate_call(*, call: Call, by: User, rating: str = "", marked_outcome: str = "") -> Call:
    if not may_rate(by, call):
        raise CallError(_("You may not rate this call."))
    if rating and rating not in Rating.values:
        raise CallError(_("Unknown rating."))
    if marked_outcome and marked_outcome not in MarkedOutcome.values:
        raise CallError(_("Unknown result."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    if rating:
        call.rating = rating
    if marked_outcome:
        call.marked_outcome = marked_outcome
    call.rated_by = by
    call.save(update_fields=["rating", "marked_outcome", "rated_by"])
    return call


def delete_recordings(*, sids: list[str]) -> int:
    """Delete recordings at Twilio; one already gone counts as deleted. Returns how many went.
    Without Twilio configured there is nothing held there to delete."""
    if not is_configured():
        return 0
    deleted = 0
    for sid in sids:
        try:
            client().recordings(sid).delete()
        except TwilioRestException as exc:
            if exc.status != 404:
                raise
        deleted += 1
    return deleted
