"""The call bridge driven as Twilio drives it: the salesperson's phone is dialled through the
REST API (the fake at its HTTP edge), then every step arrives as a signed webhook."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls import services
from calls.models import Call, CallSettings, Outcome, State
from distribution.models import DistributionRule
from leads import services as lead_services
from leads.models import ContactOutcome, EventKind, Status
from tests.calls.phone import CUSTOMER_NUMBER, bridge_lead
from tests.factories import DealershipFactory, salesperson
from tests.twilio_edge import signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    # No opening hours: always open (the hours have their own test below).
    return DealershipFactory(opening_hours=False, phone="+31201234567", language="nl")


@pytest.fixture
def options(shop):
    return CallSettings.objects.create(dealership=shop, bridge_on_assignment=True, retry_minutes=5)


@pytest.fixture
def jan(shop):
    return salesperson(shop, phone="+31611111111", language="nl")


def assign(lead, to, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead_services.assign_lead(lead=lead, to=to, reason="test")


def answered(phone, call, sid):
    return phone.post(services.hook("agent_answered", call), CallSid=sid, CallStatus="in-progress")


def test_assignment_dials_the_salesperson_and_connects_the_customer(
    phone, shop, options, jan, django_capture_on_commit_callbacks
):
    options.record_calls = True
    options.save()
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)

    dialed = phone.dialed()
    call = Call.objects.get(lead=lead)
    assert dialed["data"]["To"] == jan.phone
    assert dialed["data"]["Url"] == services.hook("agent_answered", call)
    assert dialed["data"]["StatusCallback"] == services.hook("agent_status", call)
    assert call.state == State.DIALING_AGENT and call.agent_call_sid == dialed["sid"]

    whisper = answered(phone, call, dialed["sid"])
    say = whisper.root.find("Gather/Say")
    assert say.get("language") == "nl-NL"
    assert say.text.startswith("Marktplaats, Peugeot 208, Jan.")
    assert "Druk op 1" in say.text  # the salesperson's language
    assert whisper.root.find("Gather").get("numDigits") == "1"

    connect = phone.post(services.hook("agent_choice", call), Digits="1")
    dial = connect.root.find("Dial")
    assert dial.get("callerId") == "+31201234567"  # the dealership's number
    assert dial.get("record") == "record-from-answer-dual"
    number = dial.find("Number")
    assert number.text == CUSTOMER_NUMBER and number.get("machineDetection") == "Enable"
    # Twilio retries a webhook that timed out: the same answer, nothing dialled twice.
    again = phone.post(services.hook("agent_choice", call), Digits="1")
    assert again.root.find("Dial/Number").text == CUSTOMER_NUMBER

    consent = phone.post(number.get("url"), CallSid="CAcustomer1", AnsweredBy="human")
    assert "opgenomen" in consent.root.find("Say").text  # the recording announcement (nl)
    done = phone.post(dial.get("action"), DialCallStatus="completed", DialCallDuration="95")
    assert done.root.find("Hangup") is not None

    call.refresh_from_db()
    lead.refresh_from_db()
    assert call.outcome == Outcome.CONNECTED and call.talk_seconds == 95
    assert call.customer_call_sid == "CAcustomer1"
    assert call.to_agent_seconds is not None and call.to_customer_seconds is not None
    assert lead.first_attempt_at is not None and lead.first_contact_at is not None
    assert lead.status == Status.CONTACTED
    attempt = lead.events.get(kind=EventKind.CONTACT_ATTEMPT)
    assert attempt.outcome == ContactOutcome.REACHED and attempt.actor == jan
    assert "1:35" in attempt.note  # talk time on the timeline

    # Status and recording callbacks, each delivered twice: one effect.
    events = lead.events.count()
    for _ in range(2):
        phone.post(call_url := services.hook("agent_status", call), CallStatus="completed")
        phone.post(
            services.hook("recording", call),
            RecordingSid="RE1",
            RecordingUrl="https://api.twilio.com/rec/RE1",
            RecordingDuration="93",
            RecordingStatus="completed",
        )
    assert call_url
    call.refresh_from_db()
    assert lead.events.count() == events
    assert (call.recording_sid, call.recording_seconds) == ("RE1", 93)
    assert len(phone.fake.dialed) == 1


def test_voicemail_detected_is_a_voicemail_attempt(
    phone, shop, options, jan, django_capture_on_commit_callbacks
):
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    call = Call.objects.get(lead=lead)
    answered(phone, call, phone.dialed()["sid"])
    number = phone.post(services.hook("agent_choice", call), Digits="1").root.find("Dial/Number")
    hangup = phone.post(number.get("url"), CallSid="CAvm", AnsweredBy="machine_end_beep")
    assert hangup.root.find("Hangup") is not None
    said = phone.post(
        services.hook("dial_done", call), DialCallStatus="completed", DialCallDuration="4"
    )
    assert "voicemail" in said.root.find("Say").text.lower()
    call.refresh_from_db()
    lead.refresh_from_db()
    assert call.outcome == Outcome.VOICEMAIL
    assert lead.events.get(kind=EventKind.CONTACT_ATTEMPT).outcome == ContactOutcome.VOICEMAIL
    assert lead.first_attempt_at is not None and lead.first_contact_at is None


@pytest.mark.parametrize("status", ["no-answer", "busy"])
def test_customer_not_answering_is_a_no_answer_attempt(
    phone, shop, options, jan, django_capture_on_commit_callbacks, status
):
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    call = Call.objects.get(lead=lead)
    answered(phone, call, phone.dialed()["sid"])
    phone.post(services.hook("agent_choice", call), Digits="1")
    phone.post(services.hook("dial_done", call), DialCallStatus=status)
    call.refresh_from_db()
    assert call.outcome == Outcome.CUSTOMER_NO_ANSWER
    assert lead.events.get(kind=EventKind.CONTACT_ATTEMPT).outcome == ContactOutcome.NO_ANSWER


@pytest.mark.parametrize("status", ["no-answer", "busy"])
def test_salesperson_not_answering_is_retried_then_the_next_person_is_called(
    phone, shop, options, jan, django_capture_on_commit_callbacks, status
):
    DistributionRule.objects.create(dealership=shop, name="All", on_deadline="next")
    piet = salesperson(shop, phone="+31622222222", language="fr")
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    first = Call.objects.get(lead=lead)
    phone.post(services.hook("agent_status", first), CallStatus=status)
    phone.post(services.hook("agent_status", first), CallStatus=status)  # retried callback
    first.refresh_from_db()
    assert first.outcome == Outcome.AGENT_NO_ANSWER
    retry = Call.objects.get(lead=lead, state=State.SCHEDULED)
    assert retry.try_number == 2
    assert retry.due_at >= timezone.now() + timedelta(minutes=4)
    assert services.dial_due() == 0  # not due yet
    lead.refresh_from_db()
    assert lead.first_attempt_at is None  # the customer was not tried: no contact attempt
    note = lead.events.filter(kind=EventKind.NOTE).last()
    assert note.data["call_outcome"] == Outcome.AGENT_NO_ANSWER

    with django_capture_on_commit_callbacks(execute=True):
        assert services.dial_due(now=retry.due_at + timedelta(seconds=1)) == 1
    assert [d["data"]["To"] for d in phone.fake.dialed] == [jan.phone, jan.phone]
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(services.hook("agent_status", retry), CallStatus=status)
    lead.refresh_from_db()
    assert lead.assigned_to == piet  # the deadline escalation's next person
    assert phone.dialed()["data"]["To"] == piet.phone
    nxt = Call.objects.get(lead=lead, agent=piet)
    whisper = answered(phone, nxt, phone.dialed()["sid"])
    assert "Appuyez sur 1" in whisper.root.find("Gather/Say").text  # Piet's language: French


def test_two_means_later_and_silence_too(
    phone, shop, options, jan, django_capture_on_commit_callbacks
):
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    call = Call.objects.get(lead=lead)
    answered(phone, call, phone.dialed()["sid"])
    bye = phone.post(services.hook("agent_choice", call), Digits="2")
    assert bye.root.find("Hangup") is not None
    call.refresh_from_db()
    assert call.outcome == Outcome.AGENT_LATER
    assert Call.objects.filter(lead=lead, state=State.SCHEDULED).count() == 1
    # The status callback that follows the hang-up changes nothing more.
    phone.post(services.hook("agent_status", call), CallStatus="completed")
    assert Call.objects.filter(lead=lead, state=State.SCHEDULED).count() == 1


def test_outside_opening_hours_the_first_call_waits_for_the_opening(
    phone, jan, django_capture_on_commit_callbacks
):
    from datetime import time

    from dealers.models import OpeningHours

    shop = jan.memberships.get().dealership
    CallSettings.objects.create(dealership=shop, bridge_on_assignment=True)
    tomorrow = (timezone.now().astimezone(shop.tz) + timedelta(days=1)).weekday()
    OpeningHours.objects.create(dealership=shop, weekday=tomorrow, opens=time(9), closes=time(18))
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    call = Call.objects.get(lead=lead)
    assert call.state == State.SCHEDULED and phone.fake.dialed == []
    local = call.due_at.astimezone(shop.tz)
    assert (local.weekday(), local.time()) == (tomorrow, time(9))
    services.dial_due(now=call.due_at)
    assert phone.dialed()["data"]["To"] == jan.phone


def test_no_bridge_without_the_setting_or_for_passive_leads_or_without_phone(
    phone, shop, jan, django_capture_on_commit_callbacks
):
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)  # bridge not switched on
    CallSettings.objects.update_or_create(dealership=shop, defaults={"bridge_on_assignment": True})
    passive = bridge_lead(shop)
    passive.is_passive = True
    passive.save()
    assign(passive, jan, django_capture_on_commit_callbacks)
    no_phone = bridge_lead(shop)
    no_phone.customer.phones.all().delete()
    assign(no_phone, jan, django_capture_on_commit_callbacks)
    assert phone.fake.dialed == [] and not Call.objects.exists()
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)  # all in order: dialled
    assert len(phone.fake.dialed) == 1


def test_without_twilio_credentials_nothing_is_dialled(
    shop, options, jan, settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_ACCOUNT_SID = ""
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    assert not Call.objects.exists()


def test_twilio_refusing_the_call_is_a_failed_call(
    phone, shop, options, jan, django_capture_on_commit_callbacks
):
    phone.fake.fail_with = [(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})]
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    call = Call.objects.get(lead=lead)
    assert call.outcome == Outcome.FAILED and "Invalid" in call.error
    # On the lead, as a note: the customer was not tried.
    assert lead.events.filter(kind=EventKind.NOTE).last().data["call_outcome"] == "failed"


def test_unsigned_or_forged_webhooks_are_refused(
    phone, client, shop, options, jan, django_capture_on_commit_callbacks
):
    lead = bridge_lead(shop)
    assign(lead, jan, django_capture_on_commit_callbacks)
    call = Call.objects.get(lead=lead)
    path = f"/calls/twilio/{call.pk}/choice/"
    assert client.post(path, {"Digits": "1"}).status_code == 403
    forged = signed_post(client, path, {"Digits": "1"}, token="not-the-token")
    assert forged.status_code == 403
    # Signed over other fields than those sent: refused too.
    from twilio.request_validator import RequestValidator

    signature = RequestValidator("twilio-auth-token-for-tests").compute_signature(
        f"http://testserver{path}", {"Digits": "2"}
    )
    assert client.post(path, {"Digits": "1"}, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    call.refresh_from_db()
    assert call.state == State.DIALING_AGENT


def test_a_routing_batch_dials_every_assignee_once_even_when_the_job_runs_twice(
    phone, shop, options, jan
):
    from calls import tasks

    piet = salesperson(shop, phone="+31622222222")
    leads = [bridge_lead(shop) for _ in range(3)]
    pairs = [
        [leads[0].pk, jan.pk, shop.pk],
        [leads[1].pk, piet.pk, shop.pk],
        [leads[2].pk, jan.pk, shop.pk],
    ]
    for lead, (_lead_id, agent_id, _shop) in zip(leads, pairs, strict=True):
        Lead = type(lead)
        Lead.objects.filter(pk=lead.pk).update(assigned_to_id=agent_id)
    tasks.start_bridges.delay(pairs)
    tasks.start_bridges.delay(pairs)
    assert sorted(d["data"]["To"] for d in phone.fake.dialed) == sorted(
        [jan.phone, piet.phone, jan.phone]
    )
    assert Call.objects.filter(state=State.DIALING_AGENT).exclude(agent_call_sid=None).count() == 3


def test_a_rule_without_the_call_bridge_assigns_without_ringing(
    phone, shop, options, jan, django_capture_on_commit_callbacks
):
    from distribution.models import Activity
    from distribution.routing import route_lead
    from distribution.rules import ensure_defaults

    (rule,) = [r for r in ensure_defaults(shop) if r.activity == Activity.ACTIVE]
    rule.call_bridge = False
    rule.save()
    quiet = bridge_lead(shop)
    with django_capture_on_commit_callbacks(execute=True):
        route_lead(lead_id=quiet.pk)
    quiet.refresh_from_db()
    assert quiet.assigned_to == jan
    assert phone.fake.dialed == [] and not Call.objects.exists()
    rule.call_bridge = True
    rule.save()
    rung = bridge_lead(shop)
    with django_capture_on_commit_callbacks(execute=True):
        route_lead(lead_id=rung.pk)
    assert Call.objects.get().lead == rung and len(phone.fake.dialed) == 1
