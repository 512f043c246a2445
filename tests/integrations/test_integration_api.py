"""Other systems read leads with an integration token and report sales back; the OpenAPI document
describes exactly the endpoints that exist."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations import api, services
from integrations.models import ApiToken, SaleReport
from leads import services as lead_services
from leads.lifecycle import Status
from leads.models import EventKind, Lead
from tests.factories import CustomerPhoneFactory, DealershipFactory, LeadFactory, manager
from tests.urlwalk import all_url_patterns

pytestmark = pytest.mark.django_db


def token(dealership, **perms) -> str:
    _, secret = services.issue_token(
        dealership=dealership,
        name="DMS",
        can_read_leads=perms.get("read", True),
        can_report_sales=perms.get("sales", False),
    )
    return secret


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_only_a_fingerprint_of_the_token_is_stored(dealership):
    secret = token(dealership)
    stored = ApiToken.objects.get()
    assert secret not in {stored.token_hash, stored.prefix}
    assert secret.startswith("dlms_") and secret[5:13] == stored.prefix
    assert services.token_for(secret) == stored
    assert services.token_for(secret + "x") is None


def test_the_token_page_shows_the_token_once(client, dealership):
    client.force_login(manager(dealership))
    page = client.post(
        reverse("integrations:token_new"),
        {"dealership": dealership.pk, "name": "Group CRM", "can_read_leads": "on"},
    )
    secret = page.context["secret"]
    assert secret in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert secret not in client.get(reverse("integrations:index")).content.decode()
    assert services.token_for(secret).name == "Group CRM"


def test_list_reads_the_tokens_dealership_only_a_page_at_a_time(client, dealership, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    mine = [LeadFactory(dealership=dealership) for _ in range(5)]
    LeadFactory(dealership=DealershipFactory())
    secret = token(dealership)
    seen, next_url = [], reverse("api_export_leads")
    while next_url:
        data = client.get(next_url, **bearer(secret)).json()
        assert len(data["results"]) <= 2
        seen += [r["id"] for r in data["results"]]
        next_url = data["next"]
    assert sorted(seen) == sorted(lead.pk for lead in mine)


def test_updated_since_returns_only_what_changed(client, dealership):
    secret = token(dealership)
    old, changed = LeadFactory(dealership=dealership), LeadFactory(dealership=dealership)
    Lead.all_objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    data = client.get(
        reverse("api_export_leads"), {"updated_since": since}, **bearer(secret)
    ).json()
    assert [r["id"] for r in data["results"]] == [changed.pk]
    bad = client.get(reverse("api_export_leads"), {"updated_since": "yesterday"}, **bearer(secret))
    assert bad.status_code == 400 and "updated_since" in bad.json()["errors"]


def test_detail_has_the_timeline_and_hides_other_dealerships(client, dealership, seller):
    secret = token(dealership)
    lead = LeadFactory(dealership=dealership)
    CustomerPhoneFactory(customer=lead.customer)
    lead_services.assign_lead(lead=lead, to=seller)
    data = client.get(reverse("api_export_lead", args=[lead.pk]), **bearer(secret)).json()
    assert data["lead"]["customer"]["phones"][0]["number"].startswith("+")
    assert "assigned" in [e["kind"] for e in data["events"]]
    stranger = LeadFactory(dealership=DealershipFactory())
    assert (
        client.get(reverse("api_export_lead", args=[stranger.pk]), **bearer(secret)).status_code
        == 404
    )


def test_without_a_valid_token_nothing_is_read(client, dealership):
    lead = LeadFactory(dealership=dealership)
    secret = token(dealership)
    ApiToken.objects.update(revoked_at=timezone.now())
    for url in (reverse("api_export_leads"), reverse("api_export_lead", args=[lead.pk])):
        assert client.get(url).status_code == 401
        assert client.get(url, **bearer(secret)).status_code == 401
        assert (
            client.get(url, **bearer(token(dealership, read=False, sales=True))).status_code == 403
        )


def sale(client, secret: str, **data):
    return client.post(
        reverse("api_sales"), json.dumps(data), content_type="application/json", **bearer(secret)
    )


def test_a_reported_sale_closes_the_lead_once(client, dealership):
    secret = token(dealership, read=False, sales=True)
    lead = LeadFactory(dealership=dealership)
    answer = sale(client, secret, lead_id=lead.pk, deal_number="D-1001")
    assert answer.status_code == 200 and answer.json()["outcome"] == "closed"
    lead.refresh_from_db()
    assert lead.status == Status.SOLD
    # A new lead was never contacted: the sale says it was, then sold; both on the timeline.
    moves = list(lead.events.filter(kind=EventKind.STATUS_CHANGED).values_list("status_to", "note"))
    assert [m[0] for m in moves] == [Status.CONTACTED, Status.SOLD]
    assert "D-1001" in moves[-1][1]
    again = sale(client, secret, lead_id=lead.pk)
    assert again.json()["outcome"] == "already_sold"
    assert lead.events.filter(kind=EventKind.STATUS_CHANGED).count() == 2


def test_a_sale_is_matched_by_the_customers_email_and_vin(client, dealership):
    secret = token(dealership, sales=True)
    older = LeadFactory(dealership=dealership, customer__email="piet@example.nl")
    newer = LeadFactory(dealership=dealership, customer=older.customer)
    lead_services.change_status(lead=older, to=Status.CONTACTED)
    answer = sale(
        client, secret, email="PIET@example.nl", vin=older.vehicle.vin if older.vehicle else ""
    )
    closed = Lead.objects.get(pk=answer.json()["lead_id"])
    assert closed.status == Status.SOLD
    assert closed.pk in (older.pk, newer.pk)


def test_a_sale_that_matches_nothing_is_kept_and_said(client, dealership):
    secret = token(dealership, sales=True)
    answer = sale(client, secret, email="nobody@example.nl")
    assert answer.status_code == 404
    assert SaleReport.objects.get().outcome == SaleReport.Outcome.NO_LEAD
    assert sale(client, secret, deal_number="D-1").status_code == 400
    refused = client.post(
        reverse("api_sales"), "not json", content_type="application/json", **bearer(secret)
    )
    assert refused.status_code == 400
    assert sale(client, token(dealership), lead_id=1).status_code == 403  # read-only token


def test_sales_from_a_dms_csv(client, dealership):
    lead = LeadFactory(dealership=dealership, customer__email="sara@example.nl")
    client.force_login(manager(dealership))
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_file = SimpleUploadedFile(
        "sales.csv",
        "\ufeffemail;deal_number;sold_at\nsara@example.nl;D-7;2026-12-01\nghost@example.nl;D-8;2026-12-01\n".encode(),
        content_type="text/csv",
    )
    page = client.post(
        reverse("integrations:sales"), {"dealership": dealership.pk, "file": csv_file}
    )
    text = page.content.decode()
    assert "Lead closed as sold" in text and "No matching lead" in text
    lead.refresh_from_db()
    assert lead.status == Status.SOLD
    empty = SimpleUploadedFile("x.csv", b"name,colour\nx,y\n", content_type="text/csv")
    page = client.post(reverse("integrations:sales"), {"dealership": dealership.pk, "file": empty})
    assert "No known column" in page.content.decode()


def test_openapi_describes_exactly_the_integration_endpoints(client):
    document = client.get(reverse("api_openapi")).json()
    assert document["openapi"].startswith("3.")
    routes = {
        "/" + route.replace("<int:pk>", "{id}")
        for route, name in all_url_patterns()
        if name in ("api_export_leads", "api_export_lead", "api_sales")
    }
    assert routes == set(document["paths"])
    for path in document["paths"].values():
        for operation in path.values():
            assert operation["responses"] and operation["security"]
