"""The Google Ads lead form webhook: the source's key, the raw body kept first, 200 at once, the
same pipeline; test leads kept but never made into leads; wrong keys and bad bodies refused."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache

from leads.models import InboundMessage, Lead
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[1] / "leadparser" / "corpus" / "json"
LEAD = json.loads((CORPUS / "google-ads-nl.json").read_text("utf-8"))
TEST_DATA = json.loads((CORPUS / "google-ads-test-data.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


@pytest.fixture
def google(dealership):
    source = SourceFactory(dealership=dealership, name="Google Ads", kind="portal")
    source.key = source.set_google_ads_key("s3cret-key-from-dealerlms")
    source.save()
    return source


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(source, body, key: str | None = None):
        if isinstance(body, dict) and key is not None:
            body = {**body, "google_key": key}
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/inbound/google-ads/{source.pk}/", data, content_type="application/json"
            )

    return send


def test_a_lead_is_stored_answered_and_parsed_into_a_lead(post, google):
    response = post(google, LEAD, "s3cret-key-from-dealerlms")

    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert bytes(message.raw) == json.dumps({**LEAD}).encode()
    assert message.source == google and message.status == "parsed"
    lead = Lead.objects.get()
    assert lead.source == google and lead.customer.full_name == "Pieter de Graaf"
    assert lead.customer.email == "p.degraaf@example.nl"
    assert (lead.vehicle.make, lead.vehicle.model) == ("Toyota", "Yaris Cross")
    assert "s3cret" not in json.dumps(lead.extra)


def test_googles_retry_of_the_same_lead_is_one_message(post, google):
    assert post(google, LEAD, "s3cret-key-from-dealerlms").status_code == 200
    assert post(google, LEAD, "s3cret-key-from-dealerlms").status_code == 200

    assert InboundMessage.objects.count() == 1 and Lead.objects.count() == 1


def test_a_test_lead_is_kept_read_and_marked_but_never_a_lead(post, google):
    response = post(google, TEST_DATA, "s3cret-key-from-dealerlms")
    post(google, TEST_DATA, "s3cret-key-from-dealerlms")  # "Send test data" again

    assert response.status_code == 200
    assert not Lead.objects.exists()
    messages = InboundMessage.objects.all()
    assert len(messages) == 2
    for message in messages:
        assert message.status == "not_a_lead" and "test lead" in message.failure_reason
        assert "Google Ads" in message.failure_reason
        assert message.parsed["customer"]["email"] == "test@example.com"


@pytest.mark.parametrize("key", ["wrong", "", None, 12345, "S3CRET-KEY-FROM-DEALERLMS"])
def test_a_wrong_key_is_403_and_nothing_is_kept(post, google, key):
    body = {**LEAD, "google_key": key}
    response = post(google, body)

    assert response.status_code == 403 and "google_key" in response.json()["error"]
    assert not InboundMessage.objects.exists()


def test_an_unknown_source_or_one_without_a_key_answers_like_a_wrong_key(post, google, dealership):
    keyless = SourceFactory(dealership=dealership)
    assert post(keyless, LEAD, "s3cret-key-from-dealerlms").status_code == 403
    google.pk = 999_999
    assert post(google, LEAD, "s3cret-key-from-dealerlms").status_code == 403


def test_only_a_hash_of_the_key_is_kept(post, google):
    google.refresh_from_db()
    assert google.google_ads_key and "s3cret" not in google.google_ads_key
    assert post(google, LEAD, google.google_ads_key).status_code == 403


def test_a_disabled_source_is_refused(post, google):
    google.is_enabled = False
    google.save()
    assert post(google, LEAD, "s3cret-key-from-dealerlms").status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ("{not json", 400, "not JSON"),
        ("[1, 2]", 400, "JSON object"),
        (json.dumps({"lead_id": "1", "google_key": "s3cret-key-from-dealerlms"}), 400,
         "user_column_data"),
        (b"{" + b" " * 300_000 + b"}", 413, "larger than"),
    ],
)  # fmt: skip
def test_invalid_or_oversized_bodies_are_refused_with_a_reason(post, google, body, status, reason):
    response = post(google, body)

    assert response.status_code == status and reason in response.json()["error"]
    assert not InboundMessage.objects.exists()


def test_get_is_not_allowed(client, google):
    assert client.get(f"/inbound/google-ads/{google.pk}/").status_code == 405


def test_a_lead_without_a_contact_waits_in_the_quarantine(post, google):
    body = {**LEAD, "user_column_data": [
        {"column_name": "Bereikbaar op", "string_value": "0612345678", "column_id": "USER_1"}]}  # fmt: skip
    assert post(google, body, "s3cret-key-from-dealerlms").status_code == 200

    message = InboundMessage.objects.get()
    assert message.status == "quarantined" and not Lead.objects.exists()
