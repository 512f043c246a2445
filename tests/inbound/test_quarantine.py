"""Managers handle what did not become a lead: read it safely, re-parse, create by hand, discard."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from inbound import ingest
from leads.models import InboundMessage, Lead, SourceLabel, hash_api_token
from tests.factories import DealershipFactory, SourceFactory, person
from tests.inbound.test_ingest_pipeline import LABELLED

pytestmark = pytest.mark.django_db

HOSTILE_HTML = b"""From: Website <noreply@site.example>
To: dealer@leads.test
Subject: Contact <b>form</b>
Message-ID: <h-1@site.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><script>alert('pwned')</script><p>Hallo, bel me terug</p></body></html>
"""


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def occasions(dealership):
    return SourceFactory(
        dealership=dealership, name="Occasions", sender_patterns="occasions.example"
    )


@pytest.fixture
def stuck(dealership, occasions, run_on_commit):
    message = run_on_commit(
        ingest.store_message,
        channel="email",
        raw=LABELLED,
        dealership=dealership,
        sender="leads@occasions.example",
        subject="Aanvraag",
    )
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.QUARANTINED
    return message


@pytest.fixture
def unrouted(run_on_commit):
    return run_on_commit(
        ingest.store_message, channel="email", raw=LABELLED, dealership=None, recipient="x@y.test"
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.BDC_AGENT])
def test_salespeople_and_bdc_agents_are_refused(client, dealership, stuck, role):
    login(client, person(role, dealership))

    assert client.get(reverse("inbound:quarantine")).status_code == 403
    assert client.get(reverse("inbound:quarantine_detail", args=[stuck.pk])).status_code == 403
    assert client.post(reverse("inbound:quarantine_reparse", args=[stuck.pk])).status_code == 403
    assert client.get(reverse("settings:sources")).status_code == 403
    assert client.get(reverse("inbound:source_labels", args=[stuck.source.pk])).status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_see_their_dealerships_quarantine(client, dealership, stuck, role):
    login(client, person(role, dealership))

    page = client.get(reverse("inbound:quarantine"))

    assert page.status_code == 200 and stuck.subject in page.content.decode()
    detail = client.get(reverse("inbound:quarantine_detail", args=[stuck.pk])).content.decode()
    assert "no lead found" in detail and "Piet Pieterse" in detail


def test_a_manager_of_another_dealership_sees_none_of_it(client, stuck, unrouted, occasions):
    other = DealershipFactory()
    login(client, person(Role.MANAGER, other))

    assert stuck.subject not in client.get(reverse("inbound:quarantine")).content.decode()
    for name in (
        "quarantine_detail",
        "quarantine_reparse",
        "quarantine_discard",
        "quarantine_create_lead",
    ):
        method = client.get if name == "quarantine_detail" else client.post
        assert method(reverse(f"inbound:{name}", args=[stuck.pk])).status_code == 404
        assert method(reverse(f"inbound:{name}", args=[unrouted.pk])).status_code == 404
    assert client.get(reverse("inbound:source_labels", args=[occasions.pk])).status_code == 404
    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.QUARANTINED


def test_unrouted_messages_are_for_admins_to_route(client, dealership, unrouted, run_on_commit):
    manager = person(Role.MANAGER, dealership)
    admin = person(Role.ADMIN, dealership)
    assert (
        login(client, manager)
        .get(reverse("inbound:quarantine_detail", args=[unrouted.pk]))
        .status_code
        == 404
    )

    login(client, admin)
    assert "x@y.test" in client.get(reverse("inbound:quarantine")).content.decode()
    run_on_commit(
        client.post,
        reverse("inbound:quarantine_route", args=[unrouted.pk]),
        {"dealership": dealership.pk},
    )

    unrouted.refresh_from_db()
    assert unrouted.dealership == dealership
    assert unrouted.status == InboundMessage.Status.QUARANTINED  # parsed; still no lead in it
    assert list(unrouted.log.values_list("action", flat=True)) == [
        "unrouted",
        "routed",
        "quarantined",
    ]


def test_a_label_added_in_the_browser_then_a_reparse_makes_the_lead(
    client, dealership, stuck, occasions, run_on_commit
):
    boss = person(Role.MANAGER, dealership)
    login(client, boss)
    labels = reverse("inbound:source_labels", args=[occasions.pk])

    client.post(labels, {"label": "Wie", "field": "customer.full_name"})
    client.post(labels, {"label": "Bereikbaar", "field": "customer.email"})
    refused = client.post(labels, {"label": "Auto", "field": "customer.shoe_size"})
    assert refused.status_code == 200 and "customer.shoe_size" in refused.content.decode()
    assert SourceLabel.objects.filter(source=occasions).count() == 2
    run_on_commit(client.post, reverse("inbound:source_reparse", args=[occasions.pk]))

    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.PARSED
    assert stuck.lead.customer.email == "piet.pieterse@example.nl"
    reparse = stuck.log.get(action="reparse")
    assert reparse.actor == boss


def test_reparse_of_one_message(client, dealership, stuck, occasions, run_on_commit):
    occasions.labels.create(label="Bereikbaar", field="customer.email")
    login(client, person(Role.MANAGER, dealership))

    run_on_commit(client.post, reverse("inbound:quarantine_reparse", args=[stuck.pk]))

    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.PARSED and stuck.parse_attempts == 2


def test_every_reparse_outcome_is_recorded_and_shown(
    client, dealership, stuck, occasions, run_on_commit
):
    """A re-parse that fails again and one that succeeds: both on the message's history, with
    who asked, and the history is on the message's page."""
    boss = person(Role.MANAGER, dealership)
    login(client, boss)
    url = reverse("inbound:quarantine_reparse", args=[stuck.pk])

    run_on_commit(client.post, url)  # no labels yet: still no lead
    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.QUARANTINED
    occasions.labels.create(label="Bereikbaar", field="customer.email")
    run_on_commit(client.post, url)

    stuck.refresh_from_db()
    actions = list(stuck.log.values_list("action", flat=True))
    assert actions == ["quarantined", "reparse", "quarantined", "reparse", "parsed"]
    assert {e.actor for e in stuck.log.filter(action="reparse")} == {boss}
    page = client.get(reverse("inbound:quarantine_detail", args=[stuck.pk])).content.decode()
    assert page.count("Re-parse requested") == 2 and "Parsed into a lead" in page


def test_a_label_can_be_removed(client, dealership, occasions):
    label = occasions.labels.create(label="Wie", field="customer.full_name")
    login(client, person(Role.MANAGER, dealership))

    client.post(reverse("inbound:source_label_delete", args=[occasions.pk, label.pk]))

    assert not occasions.labels.exists()


def test_create_the_lead_by_hand(client, dealership, stuck, occasions):
    boss = person(Role.MANAGER, dealership)
    login(client, boss)
    form = client.get(reverse("inbound:quarantine_detail", args=[stuck.pk])).content.decode()
    assert "Kontaktpersoon" in form  # the text part prefills the customer's message

    response = client.post(
        reverse("inbound:quarantine_create_lead", args=[stuck.pk]),
        {
            "dealership": dealership.pk,
            "full_name": "Piet Pieterse",
            "email": "piet.pieterse@example.nl",
            "phone": "06 1234 5678",
            "lead_type": "info_request",
            "source": occasions.pk,
            "make": "Ligier",
            "model": "JS50",
        },
    )

    lead = Lead.objects.get()
    assert response.status_code == 302 and response.url == reverse("leads:detail", args=[lead.pk])
    assert lead.inbound_message == stuck and lead.source == occasions
    assert lead.customer.phones.get().number == "+31612345678"
    assert list(lead.events.values_list("kind", flat=True)) == ["created", "note"]
    assert f"by {boss}" in lead.events.get(kind="note").note
    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.PARSED
    assert stuck.log.get(action="by_hand").actor == boss


def test_by_hand_needs_a_readable_contact(client, dealership, stuck):
    login(client, person(Role.MANAGER, dealership))

    response = client.post(
        reverse("inbound:quarantine_create_lead", args=[stuck.pk]),
        {"dealership": dealership.pk, "full_name": "X", "phone": "12", "lead_type": "other"},
    )

    assert response.status_code == 200 and "phone number we can read" in response.content.decode()
    assert not Lead.objects.exists()


def test_discard_keeps_the_message_with_the_reason(client, dealership, stuck):
    boss = person(Role.MANAGER, dealership)
    login(client, boss)

    assert (
        client.post(
            reverse("inbound:quarantine_discard", args=[stuck.pk]), {"reason": ""}
        ).status_code
        == 302
    )
    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.QUARANTINED
    client.post(reverse("inbound:quarantine_discard", args=[stuck.pk]), {"reason": "spam"})

    stuck.refresh_from_db()
    assert stuck.status == InboundMessage.Status.DISCARDED and stuck.failure_reason == "spam"
    assert stuck.log.get(action="discarded").actor == boss
    assert stuck.subject not in client.get(reverse("inbound:quarantine")).content.decode()


def test_html_from_a_message_is_shown_escaped_never_rendered(client, dealership, run_on_commit):
    message = run_on_commit(
        ingest.store_message,
        channel="email",
        raw=HOSTILE_HTML,
        dealership=dealership,
        html="<script>alert('pwned')</script><p>Hallo</p>",
        subject="Contact <b>form</b>",
    )
    login(client, person(Role.MANAGER, dealership))

    page = client.get(reverse("inbound:quarantine_detail", args=[message.pk])).content.decode()

    assert "<script>alert" not in page and "<b>form</b>" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page


def test_an_api_token_is_shown_once(client, dealership, occasions):
    login(client, person(Role.ADMIN, dealership))

    client.post(reverse("inbound:source_token", args=[occasions.pk]))
    first = client.get(reverse("inbound:source_labels", args=[occasions.pk])).content.decode()
    again = client.get(reverse("inbound:source_labels", args=[occasions.pk])).content.decode()

    occasions.refresh_from_db()
    token = re.search(r"<code[^>]*>([\w-]{40,})</code>", first).group(1)
    assert hash_api_token(token) == occasions.api_token  # only the hash is kept
    assert token not in again


def test_the_demo_has_messages_waiting_in_quarantine():
    from demo.builder import build_demo

    build_demo(leads=3, seed=1)

    waiting = InboundMessage.objects.exclude(status="reply")  # replies: the demo's conversations
    statuses = sorted(waiting.values_list("status", flat=True))
    assert statuses == ["quarantined", "quarantined", "unrouted"]
    assert all(m.failure_reason for m in waiting)


def every_manager_url(message, source, label):
    return [
        ("get", reverse("inbound:quarantine")),
        ("get", reverse("inbound:quarantine_detail", args=[message.pk])),
        ("post", reverse("inbound:quarantine_reparse", args=[message.pk])),
        ("post", reverse("inbound:quarantine_discard", args=[message.pk])),
        ("post", reverse("inbound:quarantine_route", args=[message.pk])),
        ("post", reverse("inbound:quarantine_create_lead", args=[message.pk])),
        ("get", reverse("settings:sources")),
        ("get", reverse("inbound:source_labels", args=[source.pk])),
        ("post", reverse("inbound:source_labels", args=[source.pk])),
        ("post", reverse("inbound:source_label_delete", args=[source.pk, label.pk])),
        ("post", reverse("inbound:source_reparse", args=[source.pk])),
        ("post", reverse("inbound:source_token", args=[source.pk])),
    ]


@pytest.mark.parametrize("who", ["salesperson", "bdc", "manager elsewhere", "admin elsewhere"])
def test_no_one_else_reaches_any_of_it(client, dealership, stuck, occasions, who):
    label = occasions.labels.create(label="Wie", field="customer.full_name")
    role, where = who.split(" ")[0], dealership if " " not in who else DealershipFactory()
    login(
        client,
        person({"salesperson": Role.SALESPERSON, "bdc": Role.BDC_AGENT}.get(role, role), where),
    )

    for method, url in every_manager_url(stuck, occasions, label):
        response = getattr(client, method)(url, {"reason": "x", "label": "y", "field": "comments"})
        if url in (reverse("inbound:quarantine"), reverse("settings:sources")) and " " in who:
            assert response.status_code == 200 and stuck.subject not in response.content.decode()
            assert occasions.name not in response.content.decode()
        else:
            assert response.status_code in (403, 404), (who, url, response.status_code)

    stuck.refresh_from_db()
    occasions.refresh_from_db()
    assert stuck.status == InboundMessage.Status.QUARANTINED and not occasions.api_token
    assert list(occasions.labels.all()) == [label]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_reach_every_page(client, dealership, stuck, occasions, role):
    label = occasions.labels.create(label="Wie", field="customer.full_name")
    login(client, person(role, dealership))

    for method, url in every_manager_url(stuck, occasions, label):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert client.post(reverse("inbound:source_token", args=[occasions.pk])).status_code == 302
