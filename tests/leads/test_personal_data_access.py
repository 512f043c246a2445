"""Right of access: a manager of the lead's dealership gets everything held about the customer,
as JSON and as a readable page; nobody else does."""

import json

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import DealershipFactory, manager, salesperson
from tests.privacy_world import EMAIL, FIRST, LAST, PHONE, populated_person


@pytest.mark.django_db
def test_a_manager_exports_everything_held_about_the_customer(client, tmp_path, settings):
    world = populated_person(tmp_path, settings)
    client.force_login(world["boss"])
    answer = client.get(reverse("leads:personal_data_json", args=[world["lead"].pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    assert "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    records = data["records"]
    # The duplicate record at the sister dealership is the same person: both are there.
    assert set(data["customer_ids"]) == {world["customer"].pk, world["duplicate"].pk}
    for label in (
        "leads.Customer",
        "leads.CustomerPhone",
        "leads.Lead",
        "leads.LeadEvent",
        "leads.InboundMessage",
        "automation.InboundSms",
        "automation.OutboundMessage",
        "automation.Notification",
        "automation.OptOut",
        "appraisals.Appraisal",
        "appraisals.AppraisalPhoto",
        "calls.Call",
        "followup.Task",
        "integrations.Delivery",
        "integrations.SaleReport",
    ):
        assert records.get(label), label
    assert {c["email"] for c in records["leads.Customer"]} == {EMAIL, EMAIL.upper()}
    raw = records["leads.InboundMessage"][0]["raw"]
    assert LAST in raw and PHONE in raw  # the message as it arrived, readable

    page = client.get(reverse("leads:personal_data", args=[world["lead"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert FIRST in html and PHONE in html and "Hoi, Zebedeus hier" in html
    assert reverse("leads:personal_data_json", args=[world["lead"].pk]) in html


@pytest.mark.django_db
def test_only_a_manager_of_the_leads_dealership_may_export(client, tmp_path, settings):
    world = populated_person(tmp_path, settings)
    lead = world["lead"]
    elsewhere = manager(DealershipFactory())
    # A manager elsewhere who is a BDC agent here sees the lead (it is passive), not the export.
    Membership.objects.create(user=elsewhere, dealership=lead.dealership, role=Role.BDC_AGENT)
    type(lead).objects.filter(pk=lead.pk).update(is_passive=True)
    stranger = manager(DealershipFactory())
    for name in ("leads:personal_data", "leads:personal_data_json"):
        url = reverse(name, args=[lead.pk])
        for user, refused in (
            (world["owner"], 403),
            (salesperson(lead.dealership), 404),
            (elsewhere, 403),
            (stranger, 404),
        ):
            client.force_login(user)
            assert client.get(url).status_code == refused, (name, user)
