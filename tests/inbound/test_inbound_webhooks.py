"""E-mail providers post inbound leads to anymail's real webhook views; we store, then parse."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from leads.models import InboundMessage, InboundMessageLog, Lead
from tests import inbound_payloads as wire
from tests.factories import DealershipFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _provider_keys(settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Post like the provider does; the parse task enqueued on commit then runs (eagerly)."""

    def post(provider: str, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return wire.PROVIDERS[provider](Client(), *args, **kwargs)

    return post


@pytest.fixture
def doesburg(db):
    dealership = DealershipFactory(inbound_address="Doesburg@leads.dealerlms.example")
    SourceFactory(dealership=dealership, name="Marktplaats", sender_patterns="portal.example")
    return dealership


TRADEIN = wire.email_to(wire.sample("adf-tradein.eml"), "doesburg@leads.dealerlms.example")


@pytest.mark.parametrize("provider", wire.PROVIDERS)
def test_a_signed_delivery_is_stored_and_becomes_a_lead(send, doesburg, provider):
    response = send(provider, TRADEIN, "doesburg@leads.dealerlms.example")

    assert response.status_code == 200, response.content
    message = InboundMessage.objects.get()
    assert message.dealership == doesburg and message.source.name == "Marktplaats"
    assert bytes(message.raw).count(b"Joop Jansen") == 1 or b"Jansen" in bytes(message.raw)
    assert message.message_id == "<20261015101500.4711@portal.example>"
    assert message.status == InboundMessage.Status.PARSED
    lead = Lead.objects.get()
    assert lead.inbound_message == message and lead.dealership == doesburg
    assert lead.customer.full_name == "Joop Jansen"
    assert lead.lead_type == "test_drive"
    assert (lead.vehicle.make, lead.vehicle.model) == ("Ligier", "JS50")
    assert lead.trade_in.registration == "12DJK3" and lead.trade_in.mileage_km == 21000
    assert lead.events.filter(kind="created").count() == 1


def forged(provider: str, client, raw: bytes, to: str):
    if provider == "mailgun":
        return wire.mailgun(client, raw, to, key="not-the-signing-key")
    return wire.PROVIDERS[provider](client, raw, to, auth=wire.basic_auth("anymail-user:guess"))


def unauthenticated(provider: str, client, raw: bytes, to: str):
    if provider == "mailgun":
        return client.post("/anymail/mailgun/inbound_mime/", {"body-mime": raw.decode()})
    return wire.PROVIDERS[provider](client, raw, to, auth={})


@pytest.mark.parametrize("provider", wire.PROVIDERS)
@pytest.mark.parametrize("attack", [forged, unauthenticated])
def test_forged_or_unauthenticated_requests_are_refused(client, doesburg, provider, attack):
    response = attack(provider, client, TRADEIN, "doesburg@leads.dealerlms.example")

    assert response.status_code in (400, 401, 403)
    assert not InboundMessage.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "amazon_ses"])
def test_without_a_configured_secret_basic_auth_providers_are_refused(
    client, doesburg, settings, provider
):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": wire.MAILGUN_KEY}

    response = wire.PROVIDERS[provider](client, TRADEIN, "doesburg@leads.dealerlms.example")

    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("provider", wire.PROVIDERS)
def test_the_same_delivery_twice_yields_one_lead(send, doesburg, provider):
    first = send(provider, TRADEIN, "doesburg@leads.dealerlms.example")
    again = send(provider, TRADEIN, "doesburg@leads.dealerlms.example")

    assert first.status_code == again.status_code == 200
    assert InboundMessage.objects.count() == 1 and Lead.objects.count() == 1
    assert InboundMessageLog.objects.filter(action="duplicate").count() == 1


def test_the_same_message_through_two_providers_is_one_lead(send, doesburg):
    send("mailgun", TRADEIN, "doesburg@leads.dealerlms.example")
    send("postmark", TRADEIN, "doesburg@leads.dealerlms.example")

    assert Lead.objects.count() == 1


def test_a_provider_id_deduplicates_a_message_without_message_id(send, doesburg):
    raw = TRADEIN.replace(b"Message-ID: <20261015101500.4711@portal.example>\r\n", b"")
    send("amazon_ses", raw, "doesburg@leads.dealerlms.example", ses_id="ses-1")
    send("amazon_ses", raw, "doesburg@leads.dealerlms.example", ses_id="ses-1")

    assert InboundMessage.objects.get().provider_message_id == "ses-1"
    assert Lead.objects.count() == 1


def test_a_message_for_an_unknown_address_is_kept_and_flagged(client, doesburg):
    raw = wire.email_to(wire.sample("adf-tradein.eml"), "nobody@leads.dealerlms.example")

    response = wire.mailgun(client, raw, "nobody@leads.dealerlms.example")

    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.UNROUTED and message.dealership is None
    assert "nobody@leads.dealerlms.example" in message.failure_reason
    assert not Lead.objects.exists()


def test_the_envelope_recipient_routes_a_bcc_delivery(send, doesburg):
    raw = wire.email_to(wire.sample("adf-tradein.eml"), "someone-else@example.org")

    send("mailgun", raw, "DOESBURG@leads.dealerlms.example")

    assert InboundMessage.objects.get().dealership == doesburg
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("provider", ["mailgun", "postmark"])
def test_when_the_database_is_down_the_webhook_answers_5xx(doesburg, provider):
    def database_down(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(database_down):
        response = wire.PROVIDERS[provider](client, TRADEIN, "doesburg@leads.dealerlms.example")

    assert response.status_code >= 500
    assert not InboundMessage.objects.exists()


OTHER_INBOUND = [
    "brevo/inbound/",
    "mailersend/inbound/",
    "mailjet/inbound/",
    "mailtrap/inbound/",
    "mandrill/",
    "postal/inbound/",
    "resend/inbound/",
    "sendinblue/inbound/",
    "sparkpost/inbound/",
]


@pytest.mark.parametrize("path", OTHER_INBOUND)
def test_every_other_provider_endpoint_refuses_an_unauthenticated_post(doesburg, path, settings):
    settings.ANYMAIL = {
        **wire.ANYMAIL_SETTINGS,
        "BREVO_API_KEY": "k",
        "SENDINBLUE_API_KEY": "k",
        "MAILERSEND_INBOUND_SECRET": "s",
        "MAILTRAP_API_TOKEN": "t",
        "MANDRILL_WEBHOOK_KEY": "k",
        "POSTAL_WEBHOOK_KEY": "k",
        "RESEND_API_KEY": "k",
    }
    client = Client(raise_request_exception=False)

    response = client.post(f"/anymail/{path}", "{}", content_type="application/json")

    assert response.status_code in (400, 401, 403), path
    assert not InboundMessage.objects.exists()


def test_every_inbound_endpoint_anymail_has_is_driven_by_a_test():
    """A provider anymail adds in an upgrade must get a test here: the lists are checked against
    anymail's own URL patterns (its inbound views, and Mandrill's combined endpoint)."""
    from anymail import urls as anymail_urls

    inbound = {
        str(p.pattern).replace("^", "").replace("(_mime)?/$", "/")
        for p in anymail_urls.urlpatterns
        if "inbound" in (p.name or "")
    }
    tested = {f"{p}/inbound/" for p in wire.PROVIDERS} | set(OTHER_INBOUND) - {"mandrill/"}
    assert inbound == tested


def test_a_provider_beyond_the_four_works_through_the_same_receiver(
    client, doesburg, django_capture_on_commit_callbacks
):
    """Every anymail inbound provider reaches inbound.receivers: SparkPost, with the shared basic
    auth secret, becomes a lead; without it, nothing is stored."""
    to = "doesburg@leads.dealerlms.example"
    refused = wire.sparkpost(client, TRADEIN, to, auth={})
    assert refused.status_code in (400, 401, 403) and not InboundMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = wire.sparkpost(client, TRADEIN, to)

    assert response.status_code == 200
    assert InboundMessage.objects.get().provider == "SparkPost"
    assert Lead.objects.get().customer.full_name == "Joop Jansen"
