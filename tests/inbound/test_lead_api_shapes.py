"""The website API takes the payloads integrations forward as they are: Facebook Lead Ads,
HubSpot, Typeform, a form's own nested keys. Our contract keeps its field-by-field errors."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache

from leads.models import InboundMessage, Lead
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[1] / "leadparser" / "corpus" / "json"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


@pytest.fixture
def zapier(dealership):
    source = SourceFactory(dealership=dealership, name="Zapier", kind="website")
    source.token = source.rotate_api_token()
    source.save()
    return source


def post(client, body, token: str):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(
        "/api/v1/leads", data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        ("facebook-graph-nl.json", "Joost van Leeuwen"),
        ("facebook-graph-list-fr.json", "Hélène Lefèvre"),
        ("facebook-zapier-flat.json", "Sanne Bakker"),
        ("hubspot-forms-v3.json", "Lotte Jansen"),
        ("typeform-de.json", "Jonas Becker"),
        ("nested-form-de.json", "Lukas Schmidt"),
    ],
)
def test_a_forwarded_payload_becomes_a_lead(client, zapier, payload, name):
    response = post(client, (CORPUS / payload).read_bytes(), zapier.token)

    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.customer.full_name == name and lead.source == zapier


def test_the_same_facebook_lead_again_is_the_same_lead(client, zapier):
    body = (CORPUS / "facebook-graph-nl.json").read_bytes()
    first, again = post(client, body, zapier.token), post(client, body, zapier.token)

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["lead_id"] == first.json()["lead_id"]


def test_hubspot_webhook_events_arrive_as_a_list(client, zapier):
    events = [
        {"subscriptionType": "contact.propertyChange", "objectId": 7, "propertyName": "email",
         "propertyValue": "piet@example.nl"},
    ]  # fmt: skip
    response = post(client, events, zapier.token)

    assert response.status_code == 201, response.content


def test_a_payload_without_a_contact_waits_for_a_mapping(client, zapier):
    body = {"id": "1", "created_time": "2026-11-03T18:42:07+0000", "form_id": "3",
            "field_data": [{"name": "bel_mij_op", "values": ["0612121212"]}]}  # fmt: skip
    response = post(client, body, zapier.token)

    assert response.status_code == 400 and "no lead found" in response.json()["errors"]["body"]
    assert InboundMessage.objects.get().status == "quarantined"


def test_our_contract_still_gets_its_field_errors(client, zapier):
    response = post(client, {"customer": {"full_name": "Anonymous"}}, zapier.token)

    assert response.status_code == 400
    assert "e-mail address or a phone number" in response.json()["errors"]["customer"]


@pytest.mark.parametrize(
    "body",
    [
        (CORPUS / "google-ads-test-data.json").read_bytes(),
        json.dumps({"id": "1", "created_time": "2026-11-03T18:42:07+0000", "field_data": [
            {"name": "full_name", "values": ["<test lead: dummy data for full_name>"]},
            {"name": "email", "values": ["test@fb.com"]}]}).encode(),
    ],
    ids=["google-is-test", "facebook-testing-tool"],
)  # fmt: skip
def test_a_platforms_test_lead_is_kept_but_never_a_lead(client, zapier, body):
    response = post(client, body, zapier.token)

    assert response.status_code == 200 and response.json() == {"test_lead": True}
    assert not Lead.objects.exists()
    message = InboundMessage.objects.get()
    assert message.status == "not_a_lead" and message.failure_reason.startswith("test lead")
