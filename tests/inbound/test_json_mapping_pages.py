"""A quarantined JSON message shows the keys the parser does not know; a manager maps one in one
step and the message is parsed again. The source page holds the Google Ads webhook key."""

import json

import pytest
from django.core.cache import cache

from accounts.models import Role
from leads.models import InboundMessage, Lead, SourceLabel
from tests.factories import DealershipFactory, InboundMessageFactory, SourceFactory, manager, person

pytestmark = pytest.mark.django_db

FACEBOOK = {
    "id": "4567890123456789",
    "created_time": "2026-11-07T20:11:45+0000",
    "ad_id": "120201111111111111",
    "field_data": [
        {"name": "whatsapp_nummer", "values": ["0612121212"]},
        {"name": "welke_occasion_bedoel_je?", "values": ["Volvo XC40"]},
    ],
}


@pytest.fixture
def source(dealership):
    return SourceFactory(dealership=dealership, name="Facebook via Zapier", kind="website")


@pytest.fixture
def waiting(dealership, source):
    return InboundMessageFactory(
        dealership=dealership,
        source=source,
        channel="api",
        raw=json.dumps(FACEBOOK).encode(),
        status="quarantined",
        failure_reason="no lead found: json content without a name, e-mail or phone",
    )


def test_the_quarantine_page_lists_unknown_keys_with_their_values(client, boss, waiting):
    client.force_login(boss)
    page = client.get(f"/leads/quarantine/{waiting.pk}/").content.decode()

    assert "whatsapp_nummer" in page and "0612121212" in page
    assert "Map and parse again" in page
    assert (
        "120201111111111111"
        not in page.split("Keys the parser does not know")[1].split("</section>")[0]
    )  # the ad's id is known, not a key to map


def test_mapping_a_key_keeps_it_for_the_source_and_parses_the_message_again(
    client, boss, waiting, source, django_capture_on_commit_callbacks
):
    client.force_login(boss)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/leads/quarantine/{waiting.pk}/map-key/",
            {"k0-key": "whatsapp_nummer", "k0-field": "customer.mobile", "k0-source": source.pk},
        )

    assert response.status_code == 302
    label = SourceLabel.objects.get()
    assert (label.source, label.label, label.field) == (
        source,
        "whatsapp_nummer",
        "customer.mobile",
    )
    assert label.created_by == boss
    waiting.refresh_from_db()
    assert waiting.status == "parsed"
    lead = Lead.objects.get()
    assert lead.customer.phones.get().number == "+31612121212"
    assert waiting.log.filter(action="reparse", actor=boss).exists()


def test_a_message_without_a_source_gets_the_one_chosen(
    client, boss, waiting, source, django_capture_on_commit_callbacks
):
    InboundMessage.objects.filter(pk=waiting.pk).update(source=None)
    client.force_login(boss)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/leads/quarantine/{waiting.pk}/map-key/",
            {"k1-key": "whatsapp_nummer", "k1-field": "customer.phone", "k1-source": source.pk},
        )

    assert Lead.objects.get().source == source


def test_mapping_an_existing_label_again_changes_what_it_means(client, boss, waiting, source):
    SourceLabel.objects.create(source=source, label="WhatsApp_Nummer", field="comments")
    client.force_login(boss)
    client.post(
        f"/leads/quarantine/{waiting.pk}/map-key/",
        {"k0-key": "whatsapp_nummer", "k0-field": "customer.mobile", "k0-source": source.pk},
    )

    assert SourceLabel.objects.get().field == "customer.mobile"


@pytest.mark.parametrize("who", ["salesperson", "bdc", "stranger"])
def test_only_the_dealerships_managers_may_map(client, waiting, source, dealership, who):
    user = {
        "salesperson": lambda: person(Role.SALESPERSON, dealership),
        "bdc": lambda: person(Role.BDC_AGENT, dealership),
        "stranger": lambda: manager(DealershipFactory()),
    }[who]()
    client.force_login(user)
    response = client.post(
        f"/leads/quarantine/{waiting.pk}/map-key/",
        {"k0-key": "whatsapp_nummer", "k0-field": "customer.mobile", "k0-source": source.pk},
    )

    assert response.status_code in (403, 404)
    assert not SourceLabel.objects.exists()


def test_a_source_of_another_dealership_or_an_unknown_field_is_refused(client, boss, waiting):
    other = SourceFactory(dealership=manager_dealership(boss))
    foreign = SourceFactory()
    client.force_login(boss)
    for source, field in ((foreign, "customer.mobile"), (other, "customer.mobile"),
                          (waiting.source, "customer.password")):  # fmt: skip
        client.post(
            f"/leads/quarantine/{waiting.pk}/map-key/",
            {"k0-key": "whatsapp_nummer", "k0-field": field, "k0-source": source.pk},
        )

    assert not SourceLabel.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == "quarantined"


def manager_dealership(user):
    """A second dealership the same person manages: its sources are not this message's."""
    dealership = DealershipFactory()
    user.memberships.create(dealership=dealership, role=Role.MANAGER)
    return dealership


def test_a_message_that_is_no_json_shows_no_keys(client, boss, dealership):
    message = InboundMessageFactory(dealership=dealership, status="quarantined")
    client.force_login(boss)

    assert (
        "Keys the parser does not know"
        not in client.get(f"/leads/quarantine/{message.pk}/").content.decode()
    )


# --- the Google Ads key on the source page ---------------------------------------------------


def test_a_typed_key_is_shown_once_kept_as_a_hash_and_lets_google_in(client, boss, source):
    cache.clear()
    client.force_login(boss)
    response = client.post(
        f"/leads/sources/{source.pk}/google-ads-key/", {"key": "our-own-google-key"}
    )
    assert response.status_code == 302
    page = client.get(f"/leads/sources/{source.pk}/labels/").content.decode()
    assert "our-own-google-key" in page and f"/inbound/google-ads/{source.pk}/" in page
    assert (
        "our-own-google-key"
        not in client.get(f"/leads/sources/{source.pk}/labels/").content.decode()
    )

    source.refresh_from_db()
    assert source.google_ads_key and source.google_ads_key != "our-own-google-key"
    client.logout()
    body = {"lead_id": "1", "google_key": "our-own-google-key", "is_test": True,
            "user_column_data": [{"column_id": "EMAIL", "string_value": "t@example.com"}]}  # fmt: skip
    webhook = client.post(
        f"/inbound/google-ads/{source.pk}/", json.dumps(body), content_type="application/json"
    )
    assert webhook.status_code == 200

    client.force_login(boss)
    page = client.get(f"/leads/sources/{source.pk}/labels/").content.decode()
    test_lead = InboundMessage.objects.get()
    assert f"/leads/quarantine/{test_lead.pk}/" in page
    detail = client.get(f"/leads/quarantine/{test_lead.pk}/").content.decode()
    assert "t@example.com" in detail and "test lead" in detail


def test_an_empty_key_makes_a_random_one_and_a_short_one_is_refused(client, boss, source):
    client.force_login(boss)
    client.post(f"/leads/sources/{source.pk}/google-ads-key/", {"key": ""})
    source.refresh_from_db()
    first = source.google_ads_key
    assert first

    client.post(f"/leads/sources/{source.pk}/google-ads-key/", {"key": "short"})
    source.refresh_from_db()
    assert source.google_ads_key == first
