"""The website form API: token per source, rate limit, field errors, the same pipeline."""

import json

import pytest
from django.core.cache import cache

from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


@pytest.fixture
def website(dealership):
    source = SourceFactory(dealership=dealership, name="Website", kind="website")
    source.token = source.rotate_api_token()  # what the website was given (only a hash is kept)
    source.save()
    return source


def post(client, body, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **headers)


FORM = {
    "customer": {"full_name": "Bram Hendriks", "email": "bram@example.nl", "phone": "0645454545"},
    "vehicle": {"make": "Ligier", "model": "JS50", "year": 2026},
    "lead_type": "quote",
    "comments": "Graag een offerte.",
}


def test_a_valid_form_becomes_a_lead(client, website):
    response = post(client, FORM, website.token)

    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["lead_id"])
    assert lead.source == website and lead.lead_type == "quote"
    assert lead.customer.phones.get().number == "+31645454545"
    assert lead.inbound_message.channel == "api" and bytes(lead.inbound_message.raw)
    assert lead.events.filter(kind="created").count() == 1


def test_the_shared_json_sample_is_accepted(client, website):
    response = post(client, wire.sample("json-api.json"), website.token)

    assert response.status_code == 201
    assert Lead.objects.get().external_id == "WEB-10001"


def test_the_same_request_again_answers_the_same_lead(client, website):
    body = {**FORM, "external_id": "WEB-1"}
    first = post(client, body, website.token)
    again = post(client, body, website.token)

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["lead_id"] == first.json()["lead_id"] and Lead.objects.count() == 1


def test_the_same_customer_again_is_merged_into_the_open_lead(client, website):
    first = post(client, FORM, website.token).json()["lead_id"]
    again = post(client, {**FORM, "comments": "Nog een vraag"}, website.token)

    assert again.status_code == 200
    assert again.json() == {"lead_id": first, "duplicate_of": first}
    assert Lead.objects.count() == 1
    assert Lead.objects.get().events.filter(kind="duplicate_merged").count() == 1


@pytest.mark.parametrize("token", [None, "not-a-real-token-but-long-enough", ""])
def test_a_missing_or_wrong_token_is_401(client, website, token):
    response = post(client, FORM, token)

    assert response.status_code == 401 and "Bearer" in response["WWW-Authenticate"]
    assert not InboundMessage.objects.exists()


def test_a_disabled_source_is_refused(client, website):
    website.is_enabled = False
    website.save()

    assert post(client, FORM, website.token).status_code == 403
    assert not InboundMessage.objects.exists()


def test_the_rate_limit_answers_429_with_retry_after(client, website, settings):
    settings.DEALERLMS_API_RATE_PER_MINUTE = 2
    other = SourceFactory(dealership=website.dealership, name="Other site")
    other_token = other.rotate_api_token()
    other.save()

    codes = [
        post(client, {**FORM, "external_id": str(i)}, website.token).status_code for i in range(3)
    ]

    assert codes == [201, 200, 429]  # the second is the same customer and car: merged
    limited = post(client, FORM, website.token)
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert post(client, {**FORM, "external_id": "x"}, other_token).status_code != 429


def test_field_errors_are_given_field_by_field(client, website):
    body = {
        "customer": {"full_name": "X", "email": "not-an-email", "phones": [{"number": "12"}]},
        "vehicle": {"year": "soon"},
        "lead_type": "buy-now",
    }

    response = post(client, body, website.token)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "customer.email",
        "customer.phones[0].number",
        "vehicle.year",
        "lead_type",
    }
    assert not Lead.objects.exists()
    kept = InboundMessage.objects.get()
    assert kept.status == "discarded" and "customer.email" in kept.failure_reason


def test_a_contact_is_required(client, website):
    response = post(client, {"customer": {"full_name": "Anonymous"}}, website.token)

    assert response.status_code == 400
    assert "e-mail address or a phone number" in response.json()["errors"]["customer"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]"])
def test_a_body_that_is_not_an_object_is_400(client, website, body):
    response = post(client, body, website.token)

    assert response.status_code == 400 and "body" in response.json()["errors"]


def test_a_corrected_resubmission_with_the_same_id_is_accepted(client, website):
    bad = {**FORM, "external_id": "WEB-9", "customer": {"email": "nope"}}
    assert post(client, bad, website.token).status_code == 400

    assert post(client, {**FORM, "external_id": "WEB-9"}, website.token).status_code == 201


def test_get_is_not_allowed(client, website):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {website.token}")

    assert response.status_code == 405


def test_a_name_or_comment_of_absurd_length_is_refused_with_a_clear_400(client, website):
    body = {
        **FORM,
        "customer": {**FORM["customer"], "full_name": "A" * 20_000},
        "comments": "x" * 200_000,
        "trade_in": {"make": "Ligier", "mileage_km": 90_000_000},
    }
    response = post(client, body, website.token)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["customer.full_name"] == "at most 200 characters (this one has 20000)"
    assert errors["comments"].startswith("at most 5000 characters")
    assert "trade_in.mileage_km" in errors
    assert not Lead.objects.exists()


def test_only_a_hash_of_the_token_is_kept(client, website):
    assert website.token not in website.api_token and len(website.api_token) == 64
    assert post(client, FORM, website.api_token).status_code == 401  # the hash is no token
    assert post(client, FORM, website.token).status_code == 201
