"""The dispatcher: each action sent at most once, a second run changes nothing, provider errors
retried with backoff, the sending window, conditions and opt-outs checked again when due."""

import threading
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
import requests
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from automation import consent, customer_rules, dispatcher
from automation import rules as rule_logic
from automation.models import ActionState, OutboundMessage, Rule, ScheduledAction
from leads import services as leads
from leads.models import EventKind, LeadEvent
from tests.automation_helpers import new_lead, rule, template
from tests.factories import salesperson

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def sent_events(lead) -> list:
    return list(LeadEvent.objects.filter(lead=lead, kind=EventKind.MESSAGE_SENT))


def to_customers() -> list[list[str]]:
    """The e-mails sent to customers (staff notifications go to @staff.test)."""
    return [m.to for m in mail.outbox if not m.to[0].endswith("@staff.test")]


def make_due(**filters) -> None:
    ScheduledAction.objects.filter(**filters).update(due_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_an_immediate_rule_sends_one_email_in_the_customers_language(dealership):
    rule(dealership)
    lead = new_lead(dealership, language="nl")
    assert dispatcher.dispatch_due() == 1
    (message,) = mail.outbox
    assert message.to == [lead.customer.email]
    assert message.subject == f"Hallo {lead.customer.full_name}"
    assert "Beste" in message.body and "Geen e-mails meer van ons? Afmelden: http" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    html = message.alternatives[0][0]
    assert "<p>" in html
    (event,) = sent_events(lead)
    assert event.channel == "email" and event.data["to"] == lead.customer.email
    action = ScheduledAction.objects.get()
    assert action.state == ActionState.SENT and action.attempts == 1
    assert OutboundMessage.objects.get().status == "queued"


@pytest.mark.django_db
def test_running_the_dispatcher_twice_changes_nothing_the_second_time(dealership):
    rule(dealership)
    lead = new_lead(dealership)
    dispatcher.dispatch_due()
    before = list(ScheduledAction.objects.values_list("pk", "state", "attempts", "finished_at"))
    assert dispatcher.dispatch_due() == 0
    assert dispatcher.process([a for a, *_ in before]) == 0  # even handed the ids again
    assert len(mail.outbox) == 1 and len(sent_events(lead)) == 1
    assert (
        list(ScheduledAction.objects.values_list("pk", "state", "attempts", "finished_at"))
        == before
    )


@pytest.mark.django_db
def test_the_customer_html_escapes_their_own_data(dealership):
    rule(dealership)
    lead = new_lead(dealership)
    lead.customer.full_name = "<script>alert(1)</script>"
    lead.customer.save()
    dispatcher.dispatch_due()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_a_later_action_waits_until_it_is_due(dealership):
    rule(dealership, offset_amount=2, offset_unit="hours")
    lead = new_lead(dealership)
    action = ScheduledAction.objects.get()
    assert abs(action.due_at - (lead.received_at + timedelta(hours=2))) < timedelta(seconds=1)
    assert dispatcher.dispatch_due() == 0 and not mail.outbox
    make_due()
    assert dispatcher.dispatch_due() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_conditions_are_checked_again_when_due(dealership):
    """'Sorry we missed you' two hours later: not for a lead that was reached meanwhile."""
    seller = salesperson(dealership)
    rule(
        dealership,
        trigger="no_contact",
        offset_amount=2,
        offset_unit="hours",
        statuses=["new", "assigned"],
    )
    contacted = new_lead(dealership)
    waiting = new_lead(dealership)
    leads.assign_lead(lead=contacted, to=seller)
    leads.log_contact_attempt(lead=contacted, channel="phone", outcome="reached", by=seller)
    make_due()
    dispatcher.dispatch_due()
    assert to_customers() == [[waiting.customer.email]]
    skipped = ScheduledAction.objects.get(lead=contacted, kind="rule")
    assert skipped.state == ActionState.SKIPPED and "conditions" in skipped.reason
    assert not sent_events(contacted)


@pytest.mark.django_db
def test_conditions_are_also_checked_when_the_event_happens(dealership):
    rule(dealership, lead_types=["test_drive"])
    new_lead(dealership, lead_type="quote")
    new_lead(dealership, lead_type="test_drive")
    assert ScheduledAction.objects.count() == 1


@pytest.mark.django_db
def test_one_batch_with_every_outcome_marks_each_row_for_what_happened_to_it(dealership, twilio):
    rule(dealership, channel="sms")
    opted, busy, refused, timed_out, fine = (new_lead(dealership) for _ in range(5))
    consent.record_opt_out(channel="sms", address=opted.customer.primary_phone, origin="sms")
    twilio.fail_with = [
        (503, {"code": 1, "message": "busy", "status": 503}),
        (400, {"code": 21211, "message": "Invalid 'To' number", "status": 400}),
        requests.ReadTimeout("read timed out"),  # the request went out: maybe sent
    ]
    assert dispatcher.process(dispatcher.claim()) == 5
    rows = {a.lead_id: a for a in ScheduledAction.objects.all()}
    assert rows[opted.pk].state == ActionState.SKIPPED and "opted out" in rows[opted.pk].reason
    retry = rows[busy.pk]
    assert retry.state == ActionState.PENDING and retry.attempts == 1
    assert retry.reason.startswith("attempt 1 failed, retrying in 60s")
    assert timedelta(seconds=50) < retry.due_at - timezone.now() <= timedelta(seconds=60)
    assert rows[refused.pk].state == ActionState.FAILED and "21211" in rows[refused.pk].reason
    assert rows[timed_out.pk].state == ActionState.UNKNOWN
    assert rows[fine.pk].state == ActionState.SENT and rows[fine.pk].finished_at
    statuses = dict(OutboundMessage.objects.values_list("lead_id", "status"))
    assert statuses == {
        busy.pk: "failed",
        refused.pk: "failed",
        timed_out.pk: "sending",  # the callback, if any, tells
        fine.pk: "queued",
    }
    assert OutboundMessage.objects.get(lead=fine).provider_id == twilio.calls[0]["sid"]
    assert [e.lead_id for e in LeadEvent.objects.filter(kind=EventKind.MESSAGE_SENT)] == [fine.pk]


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_whatever_its_size(dealership):
    """Reads and writes are set-based: one query per kind of row, not one per action (half the
    customers opted out: skipped rows are written together too)."""
    rule(dealership)

    def queries_for(count: int) -> int:
        for i in range(count):
            lead = new_lead(dealership)
            if i % 2:
                consent.record_opt_out(channel="email", address=lead.customer.email, origin="link")
        ids = dispatcher.claim()
        with CaptureQueriesContext(connection) as queries:
            assert dispatcher.process(ids) == count
        return len(queries)

    assert queries_for(2) == queries_for(9)
    assert ScheduledAction.objects.filter(state=ActionState.SENT).count() == 1 + 5
    assert ScheduledAction.objects.filter(state=ActionState.SKIPPED).count() == 1 + 4


@pytest.mark.django_db
def test_an_opt_out_and_a_missing_consent_are_honoured(dealership):
    rule(dealership)
    opted = new_lead(dealership)
    no_consent = new_lead(dealership)
    fine = new_lead(dealership)
    consent.record_opt_out(channel="email", address=opted.customer.email.upper(), origin="link")
    no_consent.customer.consent_email = False
    no_consent.customer.save()
    dispatcher.dispatch_due()
    assert [m.to for m in mail.outbox] == [[fine.customer.email]]
    reasons = dict(ScheduledAction.objects.values_list("lead_id", "reason"))
    assert "opted out" in reasons[opted.pk]
    assert "consent" in reasons[no_consent.pk]


@pytest.mark.django_db
def test_a_message_due_outside_the_window_waits_for_the_next_opening(dealership):
    now_local = timezone.now().astimezone(AMS)
    # A one-hour window twelve hours from now, every day: now is surely outside it.
    opens = (now_local + timedelta(hours=12)).replace(minute=0, second=0, microsecond=0)
    rule(dealership, window_start=opens.time(), window_end=(opens + timedelta(hours=1)).time())
    new_lead(dealership)
    action = ScheduledAction.objects.get()
    assert action.due_at.astimezone(AMS).time() == opens.time()  # planned inside the window
    make_due()  # as if it were planned before the window was changed
    assert dispatcher.dispatch_due() == 1
    action.refresh_from_db()
    assert action.state == ActionState.PENDING and action.attempts == 0
    assert action.due_at.astimezone(AMS).time() == opens.time() and action.due_at > timezone.now()
    assert not mail.outbox


@pytest.mark.django_db
def test_the_window_skips_sundays_and_the_night_in_the_dealerships_zone(dealership):
    r = rule(dealership, window_start=time(8), window_end=time(20), window_days=[0, 1, 2, 3, 4, 5])
    saturday_night = datetime(2026, 3, 28, 21, 30, tzinfo=AMS)  # the night DST starts
    assert rule_logic.next_opening(r, saturday_night, AMS) == datetime(
        2026, 3, 30, 8, 0, tzinfo=AMS
    )
    inside = datetime(2026, 3, 30, 9, 15, tzinfo=AMS)
    assert rule_logic.next_opening(r, inside, AMS) == inside
    early = datetime(2026, 3, 31, 6, 0, tzinfo=AMS)
    assert rule_logic.next_opening(r, early, AMS) == datetime(2026, 3, 31, 8, 0, tzinfo=AMS)
    lyon = zoneinfo.ZoneInfo("America/New_York")
    assert (
        rule_logic.next_opening(r, saturday_night, lyon).astimezone(lyon).time()
        == saturday_night.astimezone(lyon).time()
    )


@pytest.mark.django_db
def test_provider_errors_are_retried_with_backoff(dealership, twilio):
    rule(dealership, channel="sms")
    lead = new_lead(dealership)
    twilio.fail_with = [(503, {"code": 20500, "message": "Service unavailable", "status": 503})]
    dispatcher.dispatch_due()
    action = ScheduledAction.objects.get()
    assert action.state == ActionState.PENDING and action.attempts == 1
    wait = action.due_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    assert OutboundMessage.objects.get().status == "failed"
    assert dispatcher.dispatch_due() == 0  # not before the backoff
    make_due()
    dispatcher.dispatch_due()
    action.refresh_from_db()
    assert action.state == ActionState.SENT and action.attempts == 2
    assert len(twilio.calls) == 1 and twilio.calls[0]["data"]["To"] == lead.customer.primary_phone
    assert len(sent_events(lead)) == 1


@pytest.mark.django_db
def test_a_refusal_is_not_retried_and_retries_stop(dealership, twilio):
    rule(dealership, channel="sms")
    new_lead(dealership)
    twilio.fail_with = [(400, {"code": 21211, "message": "Invalid 'To' number", "status": 400})]
    dispatcher.dispatch_due()
    action = ScheduledAction.objects.get()
    assert action.state == ActionState.FAILED and "21211" in action.reason
    # A provider that keeps failing: five attempts, then failed.
    new_lead(dealership)
    twilio.fail_with = [(500, {"code": 1, "message": "x", "status": 500})] * 10
    for _ in range(dispatcher.MAX_ATTEMPTS):
        make_due(state="pending")
        dispatcher.dispatch_due()
    last = ScheduledAction.objects.latest("pk")
    assert last.state == ActionState.FAILED and last.attempts == dispatcher.MAX_ATTEMPTS
    assert not twilio.calls


@pytest.mark.django_db
def test_a_crash_between_send_and_mark_is_never_resent_and_the_callback_reconciles_it(
    dealership, twilio, client
):
    """What a dispatcher that died after the provider call leaves behind: the action claimed
    ('sending') and its message written, no outcome. It is not sent again; Twilio's callback,
    which carries our message's uid, confirms it."""
    from tests.twilio_edge import signed_post

    rule(dealership, channel="sms")
    lead = new_lead(dealership)
    action = ScheduledAction.objects.get()
    dispatcher.claim()
    message = OutboundMessage.objects.create(
        action=action, lead=lead, channel="sms", to="+31611111111"
    )
    ScheduledAction.objects.filter(pk=action.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=10)
    )
    dispatcher.dispatch_due()
    action.refresh_from_db()
    assert action.state == ActionState.UNKNOWN and not twilio.calls and not sent_events(lead)
    response = signed_post(
        client,
        f"/hooks/twilio/status/{message.uid}/",
        {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"},
    )
    assert response.status_code == 204
    action.refresh_from_db()
    assert action.state == ActionState.SENT
    assert len(sent_events(lead)) == 1
    dispatcher.dispatch_due()
    assert not twilio.calls


@pytest.mark.django_db
def test_an_appointment_reminder_the_day_before_follows_a_moved_appointment(dealership):
    seller = salesperson(dealership)
    reminder = template(dealership, subject_en="Reminder", body_en="See you on {{ appointment }}.")
    rule(
        dealership,
        template=reminder,
        trigger="appointment",
        direction="before",
        offset_amount=1,
        offset_unit="days",
    )
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    first = timezone.now() + timedelta(days=3)
    leads.set_appointment(lead=lead, at=first, by=seller)
    action = ScheduledAction.objects.get(state="pending", kind="rule")
    assert abs(action.due_at - (first - timedelta(days=1))) < timedelta(seconds=1)
    moved = timezone.now() + timedelta(days=5)
    leads.set_appointment(lead=lead, at=moved, by=seller)
    states = dict(ScheduledAction.objects.filter(kind="rule").values_list("anchor_at", "state"))
    assert states == {first: "cancelled", moved: "pending"}
    make_due(state="pending")
    dispatcher.dispatch_due()
    (body,) = [m.body for m in mail.outbox if m.subject == "Reminder"]
    with translation.override("en"), timezone.override(AMS):
        expected = formats.date_format(timezone.localtime(moved), "DATETIME_FORMAT")
    assert f"See you on {expected}." in body


@pytest.mark.django_db
def test_the_assigned_salesperson_is_read_when_due(dealership, settings):
    first, second = salesperson(dealership), salesperson(dealership)
    rule(
        dealership,
        trigger="assigned",
        to_customer=False,
        to_salesperson=True,
        offset_amount=1,
        offset_unit="hours",
    )
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=first)
    leads.assign_lead(lead=lead, to=second)
    make_due()
    dispatcher.dispatch_due()
    assert [m.to for m in mail.outbox if "Dear" in m.body] == [[second.email]]


@pytest.mark.django_db
def test_without_skip_locked_each_row_is_claimed_by_its_own_conditional_update(
    dealership, monkeypatch
):
    rule(dealership)
    for _ in range(3):
        new_lead(dealership)
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    ids = dispatcher.claim()
    assert len(ids) == 3 and dispatcher.claim() == []
    assert dispatcher.process(ids) == 3 and len(mail.outbox) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_claim_the_same_row(dealership):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    r = rule(dealership, offset_amount=1, offset_unit="days")
    lead = new_lead(dealership)
    ScheduledAction.objects.bulk_create(
        ScheduledAction(
            rule=r, lead=lead, recipient_kind="customer", channel="email", due_at=timezone.now()
        )
        for _ in range(400)
    )
    claimed: list[list[int]] = [[], []]

    def worker(slot: int) -> None:
        try:
            while ids := dispatcher.claim(batch_size=7):
                claimed[slot].extend(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = set(claimed[0]), set(claimed[1])
    assert not a & b
    assert len(a | b) == 400 == len(claimed[0]) + len(claimed[1])


@pytest.mark.django_db
def test_disabling_a_rule_cancels_its_pending_messages(dealership):
    r = rule(dealership, offset_amount=1, offset_unit="days")
    new_lead(dealership)
    new_lead(dealership)
    impact = customer_rules.set_rule_enabled(rule=r, enabled=False)
    assert impact.cancelled == 2
    assert set(ScheduledAction.objects.values_list("state", flat=True)) == {"cancelled"}
    new_lead(dealership)
    assert ScheduledAction.objects.count() == 2  # a disabled rule plans nothing


@pytest.mark.django_db
def test_a_new_wait_reschedules_pending_messages_from_their_event(dealership):
    r = rule(dealership, offset_amount=1, offset_unit="days")
    lead = new_lead(dealership)
    edited = Rule.objects.get(pk=r.pk)
    edited.offset_amount = 3
    assert customer_rules.rule_change_impact(r, edited).rescheduled == 1  # the count the form shows
    impact = customer_rules.save_rule(rule=edited)
    assert impact.rescheduled == 1
    action = ScheduledAction.objects.get()
    assert abs(action.due_at - (lead.received_at + timedelta(days=3))) < timedelta(seconds=1)
