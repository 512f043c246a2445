"""What holds no lead by nature (an auto-reply, a bounce, a newsletter, our own mail) is kept as
'not a lead' with its reason, never routed or retried; a manager can see it apart from the
quarantine and say "this is a lead" after all."""

from datetime import timedelta
from email import message_from_bytes
from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from automation.channels import Email, EmailSender
from core.outgoing_mail import LOOP_HEADER
from inbound import ingest
from inbound.tasks import requeue_waiting_messages
from leadparser import envelope
from leads.models import InboundMessage, InboundMessageLog, Lead
from tests.factories import DealershipFactory, person

pytestmark = pytest.mark.django_db

Status = InboundMessage.Status

OUT_OF_OFFICE = b"""From: Sander Mulder <sander.mulder@example.nl>
To: dealer@leads.test
Subject: Automatisch antwoord: Uw aanvraag
Message-ID: <ooo-1@example.nl>
Date: Tue, 20 Oct 2026 09:12:40 +0000
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

Ik ben afwezig tot maandag.
Naam: Sander Mulder
Telefoon: 06 41 22 90 17
"""


def from_person(address: str, *, forward: bool = False) -> bytes:
    body = b"Jan Jansen morgen terugbellen.\nTel: 0341 55 66 77\n"
    if forward:
        body = (
            b"Graag als lead.\n\n---------- Forwarded message ---------\n"
            b"From: Occasion Portal <leads@occasions.example>\nDate: Mon, 19 Oct 2026 10:00\n"
            b"Subject: Aanvraag\nTo: <" + address.encode() + b">\n\n"
            b"Naam: Eva Smit\nE-mail: eva.smit@example.nl\nTelefoon: 06 12345678\n"
        )
    return (
        b"From: Piet <" + address.encode() + b">\nTo: dealer@leads.test\n"
        b"Subject: " + (b"Fwd: Aanvraag" if forward else b"Terugbellen") + b"\n"
        b"Message-ID: <own-" + str(forward).encode() + b"@example.nl>\n"
        b"Date: Mon, 19 Oct 2026 11:00:00 +0200\nContent-Type: text/plain; charset=utf-8\n\n" + body
    )


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    def store(raw: bytes, dealership) -> InboundMessage:
        """As the webhook stores it: the sender and subject read from the headers."""
        headers = message_from_bytes(raw)
        with django_capture_on_commit_callbacks(execute=True):
            message = ingest.store_message(
                channel="email",
                raw=raw,
                dealership=dealership,
                sender=parseaddr(headers["From"])[1],
                subject=headers["Subject"],
            )
        message.refresh_from_db()
        return message

    return store


def test_an_auto_reply_is_kept_as_not_a_lead_with_its_reason_and_makes_no_lead(deliver, dealership):
    message = deliver(OUT_OF_OFFICE, dealership)

    assert message.status == Status.NOT_A_LEAD
    assert message.failure_reason == "auto-reply (Auto-Submitted: auto-replied)"
    assert not Lead.objects.exists()
    entry = message.log.order_by("-pk").first()
    assert entry.action == InboundMessageLog.Action.NOT_A_LEAD
    assert entry.note == message.failure_reason


def test_the_sweep_for_unparsed_messages_never_takes_a_not_a_lead_message_again(
    deliver, dealership
):
    message = deliver(OUT_OF_OFFICE, dealership)
    InboundMessage.objects.filter(pk=message.pk).update(
        received_at=timezone.now() - timedelta(hours=1)
    )

    assert requeue_waiting_messages() == 0
    message.refresh_from_db()
    assert message.status == Status.NOT_A_LEAD and message.parse_attempts == 1


def test_mail_from_a_person_of_the_dealership_is_not_a_lead(deliver, dealership):
    salesperson = person(Role.SALESPERSON, dealership)
    salesperson.email = "piet@autohuis.example"
    salesperson.save()

    message = deliver(from_person("piet@autohuis.example"), dealership)

    assert message.status == Status.NOT_A_LEAD
    assert message.failure_reason == "from the dealership's own address"


def test_a_lead_forwarded_by_a_person_of_the_dealership_is_the_customers(deliver, dealership):
    salesperson = person(Role.SALESPERSON, dealership)
    salesperson.email = "piet@autohuis.example"
    salesperson.save()

    message = deliver(from_person("piet@autohuis.example", forward=True), dealership)

    assert message.status == Status.PARSED
    lead = Lead.objects.get()
    assert lead.customer.full_name == "Eva Smit"
    assert lead.extra["forwarded_by"] == "Piet <piet@autohuis.example>"


def test_the_same_address_at_another_dealership_is_a_stranger(deliver, dealership):
    other = DealershipFactory()
    outsider = person(Role.SALESPERSON, other)
    outsider.email = "piet@autohuis.example"
    outsider.save()
    raw = from_person("piet@autohuis.example").replace(
        b"Jan Jansen morgen", b"Naam: Jan Jansen\nE-mail: jan@example.nl\nmorgen"
    )

    assert deliver(raw, dealership).status == Status.PARSED


def test_own_addresses_are_the_inbound_address_the_people_and_our_sender(dealership, settings):
    settings.DEFAULT_FROM_EMAIL = "DealerLMS <noreply@mail.dealerlms.example>"
    manager = person(Role.MANAGER, dealership)
    manager.email = "Sanne@Autohuis.example"
    manager.save()

    own = ingest.own_addresses(dealership)

    assert dealership.inbound_address in own
    assert "Sanne@Autohuis.example" in own
    assert "noreply@mail.dealerlms.example" in own
    assert "@mail.dealerlms.example" in own


def test_our_own_automation_mail_coming_back_is_a_mail_loop(deliver, dealership, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EmailSender().send(
        Email(
            to="jan@example.nl",
            subject="Bedankt",
            text="Naam: Jan\nTel: 0612345678",
            html="<p>Bedankt</p>",
            uid="u-1",
        )  # fmt: skip
    )
    sent = mail.outbox[0].message()
    assert sent[LOOP_HEADER] == "automation"
    assert LOOP_HEADER.lower() == envelope.LOOP_HEADER  # the parser reads the header we write

    message = deliver(sent.as_bytes(), dealership)

    assert message.status == Status.NOT_A_LEAD
    assert "mail loop" in message.failure_reason


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def refused(deliver, dealership):
    return deliver(OUT_OF_OFFICE, dealership)


def test_the_not_a_lead_list_shows_sender_subject_time_and_reason(client, dealership, refused):
    client.force_login(person(Role.MANAGER, dealership))

    waiting = client.get(reverse("inbound:quarantine")).content.decode()
    listed = client.get(reverse("inbound:quarantine") + "?show=not_a_lead").content.decode()

    assert "Automatisch antwoord" not in waiting  # not among the messages waiting for a person
    assert "sander.mulder@example.nl" in listed
    assert "Automatisch antwoord: Uw aanvraag" in listed
    assert f'datetime="{timezone.localtime(refused.received_at).isoformat()}"' in listed
    assert "Auto-reply (Auto-Submitted: auto-replied)" in listed
    assert reverse("inbound:quarantine_detail", args=[refused.pk]) in listed


def test_the_not_a_lead_list_speaks_dutch(client, dealership, refused):
    manager = person(Role.MANAGER, dealership)
    manager.language = "nl"
    manager.save()
    client.force_login(manager)

    listed = client.get(
        reverse("inbound:quarantine") + "?show=not_a_lead", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()

    assert "Automatisch antwoord (Auto-Submitted: auto-replied)" in listed


def test_this_is_a_lead_parses_it_again_without_the_filter_and_logs_who(
    client, dealership, refused, django_capture_on_commit_callbacks
):
    manager = person(Role.MANAGER, dealership)
    client.force_login(manager)
    detail = client.get(reverse("inbound:quarantine_detail", args=[refused.pk])).content.decode()
    assert "This is a lead" in detail

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("inbound:quarantine_confirm_lead", args=[refused.pk]))

    assert answer.status_code == 302
    refused.refresh_from_db()
    assert refused.status == Status.PARSED and refused.is_lead_confirmed
    assert Lead.objects.get().customer.full_name == "Sander Mulder"
    entry = refused.log.get(action=InboundMessageLog.Action.CONFIRMED_LEAD)
    assert entry.actor == manager


def test_only_a_not_a_lead_message_can_be_marked_as_a_lead(client, dealership, deliver):
    quarantined = deliver(b"From: a@b.example\nSubject: x\nMessage-ID: <q@b>\n\nHallo", dealership)
    assert quarantined.status == Status.QUARANTINED
    client.force_login(person(Role.MANAGER, dealership))

    client.post(reverse("inbound:quarantine_confirm_lead", args=[quarantined.pk]))

    quarantined.refresh_from_db()
    assert quarantined.status == Status.QUARANTINED and not quarantined.is_lead_confirmed


def test_re_parse_and_discard_work_on_a_not_a_lead_message(
    client, dealership, refused, django_capture_on_commit_callbacks
):
    client.force_login(person(Role.MANAGER, dealership))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inbound:quarantine_reparse", args=[refused.pk]))
    refused.refresh_from_db()
    assert refused.status == Status.NOT_A_LEAD  # the filter still says so
    assert refused.parse_attempts == 2

    client.post(
        reverse("inbound:quarantine_discard", args=[refused.pk]), {"reason": "vakantiemelding"}
    )
    refused.refresh_from_db()
    assert refused.status == Status.DISCARDED


def test_a_salesperson_cannot_mark_a_message_as_a_lead(client, dealership, refused):
    client.force_login(person(Role.SALESPERSON, dealership))

    answer = client.post(reverse("inbound:quarantine_confirm_lead", args=[refused.pk]))

    assert answer.status_code in (403, 404)
    refused.refresh_from_db()
    assert refused.status == Status.NOT_A_LEAD
