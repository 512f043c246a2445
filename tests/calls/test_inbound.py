"""Calls to a tracking number, as Twilio delivers them: a call lead is made (or joined), the team
rings in turn with a whisper, then voicemail; a missed call waits for a call back."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from calls import services
from calls.models import Call, Direction, Outcome, TrackingNumber
from dealers.models import OpeningHours
from distribution.models import DistributionRule
from leads.models import ContactOutcome, EventKind, Lead, LeadType
from tests.calls.phone import bridge_lead
from tests.factories import DealershipFactory, SourceFactory, salesperson

pytestmark = pytest.mark.django_db
TRACKING = "+3197010000042"
CALLER = "+31687654321"


@pytest.fixture
def shop(db):
    return DealershipFactory(opening_hours=False, language="nl")


@pytest.fixture
def number(shop):
    source = SourceFactory(dealership=shop, name="AutoScout24", kind="portal")
    return TrackingNumber.objects.create(dealership=shop, source=source, number=TRACKING)


@pytest.fixture
def team(shop):
    DistributionRule.objects.create(dealership=shop, name="All")
    return [
        salesperson(shop, phone="+31611111111", language="nl"),
        salesperson(shop, phone="+31622222222", language="en"),
    ]


def ring(phone, sid="CAin1"):
    return phone.post(services.hook("inbound"), To=TRACKING, From=CALLER, CallSid=sid)


def test_a_call_creates_a_call_lead_and_rings_the_assignee_with_a_whisper(
    phone, shop, number, team
):
    first = ring(phone)
    lead = Lead.objects.get(dealership=shop)
    assert lead.lead_type == LeadType.CALL and lead.source == number.source
    assert lead.customer.primary_phone == CALLER
    assert lead.assigned_to in team
    dial = first.root.find("Dial")
    assert dial.find("Number").text == lead.assigned_to.phone
    assert dial.get("callerId") == CALLER
    # Twilio asks again (a retry): the same answer, no second lead.
    assert ring(phone).root.find("Dial/Number").text == lead.assigned_to.phone
    assert Lead.objects.count() == 1 and Call.objects.count() == 1

    call = Call.objects.get()
    whisper = phone.post(dial.find("Number").get("url"))
    assert "AutoScout24" in whisper.root.find("Say").text
    phone.post(dial.get("action"), DialCallStatus="completed", DialCallDuration="61")
    call.refresh_from_db()
    lead.refresh_from_db()
    assert call.outcome == Outcome.CONNECTED and call.talk_seconds == 61
    assert call.agent == lead.assigned_to
    attempt = lead.events.get(kind=EventKind.CONTACT_ATTEMPT)
    assert attempt.outcome == ContactOutcome.REACHED
    assert lead.first_contact_at is not None
    assert phone.fake.dialed == []  # no bridge call for a lead whose caller is on the line


def test_nobody_answers_then_the_next_then_voicemail_and_a_missed_call(phone, shop, number, team):
    dial = ring(phone).root.find("Dial")
    lead = Lead.objects.get()
    first_rung = dial.find("Number").text
    second = phone.post(dial.get("action"), DialCallStatus="no-answer")
    assert second.root.find("Dial/Number").text != first_rung
    voicemail = phone.post(dial.get("action"), DialCallStatus="busy")
    record = voicemail.root.find("Record")
    assert record is not None and "bericht" in voicemail.root.find("Say").text
    call = Call.objects.get()
    assert call.outcome == Outcome.MISSED
    missed = lead.events.filter(kind=EventKind.NOTE).last()
    assert missed.data["missed_call"] is True
    lead.refresh_from_db()
    assert lead.first_contact_at is None and lead.contact_deadline_at is not None
    thanks = phone.post(record.get("action"))
    assert thanks.root.find("Hangup") is not None
    for _ in range(2):
        phone.post(
            record.get("recordingStatusCallback"),
            RecordingSid="REvm",
            RecordingUrl="https://api.twilio.com/rec/REvm",
            RecordingDuration="12",
            RecordingStatus="completed",
        )
    call.refresh_from_db()
    assert call.recording_sid == "REvm"
    assert lead.events.filter(kind=EventKind.NOTE).count() == 1  # the missed call, once


def test_a_known_caller_joins_their_open_lead(phone, shop, number, team):
    existing = bridge_lead(shop, number=CALLER)
    ring(phone)
    assert Lead.objects.count() == 1
    call = Call.objects.get()
    assert call.lead == existing and call.direction == Direction.INBOUND
    assert "AutoScout24" in existing.events.filter(kind=EventKind.NOTE).last().note


def test_outside_opening_hours_straight_to_voicemail(phone, shop, number, team):
    tomorrow = (timezone.now().astimezone(shop.tz) + timedelta(days=1)).weekday()
    OpeningHours.objects.create(dealership=shop, weekday=tomorrow, opens=time(9), closes=time(18))
    answer = ring(phone)
    assert answer.root.find("Dial") is None and answer.root.find("Record") is not None
    phone.post(answer.root.find("Record").get("action"))
    assert Call.objects.get().outcome == Outcome.MISSED


def test_caller_hanging_up_while_ringing_is_missed(phone, shop, number, team):
    ring(phone)
    for _ in range(2):
        phone.post(services.hook("inbound_status"), CallSid="CAin1", CallStatus="completed")
    call = Call.objects.get()
    assert call.outcome == Outcome.MISSED and call.ended_at is not None


def test_unknown_number_hangs_up(phone, shop):
    answer = phone.post(services.hook("inbound"), To="+3197099999999", From=CALLER, CallSid="x")
    assert answer.root.find("Hangup") is not None and not Lead.objects.exists()


def test_an_automation_texts_the_caller_of_a_missed_call_not_one_who_got_through(
    phone, shop, number, team, django_capture_on_commit_callbacks
):
    """The rule a dealership sets up for it: 'no contact yet, 1 minute after arrival, lead type
    phone call → SMS'. A connected call is a contact, so that caller gets nothing."""
    from automation import dispatcher
    from automation.models import ScheduledAction
    from tests.automation_helpers import rule, template

    rule(
        shop,
        trigger="no_contact",
        channel="sms",
        lead_types=["call"],
        offset_amount=1,
        offset_unit="minutes",
        template=template(shop, body_nl="We bellen u binnen 15 minuten terug."),
    )
    with django_capture_on_commit_callbacks(execute=True):
        dial = ring(phone, sid="CAmissed").root.find("Dial")
    phone.post(dial.get("action"), DialCallStatus="no-answer")
    phone.post(dial.get("action"), DialCallStatus="no-answer")
    with django_capture_on_commit_callbacks(execute=True):
        answered = phone.post(
            services.hook("inbound"), To=TRACKING, From="+31655555555", CallSid="CAok"
        ).root.find("Dial")
    phone.post(answered.find("Number").get("url"))
    phone.post(answered.get("action"), DialCallStatus="completed", DialCallDuration="30")
    assert ScheduledAction.objects.filter(kind="rule").count() == 2  # planned for both
    ScheduledAction.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    dispatcher.dispatch_due()
    texts = [c for c in phone.fake.calls if c["data"].get("Body")]
    assert [(c["data"]["To"], c["data"]["Body"]) for c in texts] == [
        (CALLER, "We bellen u binnen 15 minuten terug.")
    ]


def test_a_number_in_one_vehicles_ad_gives_the_call_lead_that_vehicle(phone, shop, team):
    from tests.factories import StockVehicleFactory

    car = StockVehicleFactory(dealership=shop, owner=team[1], make="Peugeot", model="3008")
    source = SourceFactory(dealership=shop, name="Marktplaats", kind="portal")
    TrackingNumber.objects.create(
        dealership=shop, source=source, number=TRACKING, stock_vehicle=car
    )
    ring(phone)
    lead = Lead.objects.get()
    assert lead.vehicle.stock_vehicle == car and str(lead.vehicle.model) == "3008"
