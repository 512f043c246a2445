"""Placeholders and template choices as a manager and a salesperson meet them: the first name is
a first name, an empty or unknown placeholder is said out loud, and a rule form offers each
template once with its dealership, staff-only ones only for staff."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from automation import render
from automation.models import Rule, ScheduledAction
from leads import services as leads
from tests.automation.test_automation_pages import rule_form
from tests.automation_helpers import new_lead, template
from tests.factories import manager, salesperson

pytestmark = pytest.mark.django_db


def test_customer_first_name_is_the_first_name(dealership):
    lead = new_lead(dealership)
    lead.customer.first_name = ""
    lead.customer.full_name = "Joop Jansen"
    lead.customer.save()
    context = render.lead_context(lead, language="nl")
    assert context["customer_first_name"] == "Joop"


def test_an_empty_placeholder_is_shown_and_the_message_not_sent(client, dealership):
    seller = salesperson(dealership, phone="")
    lead = leads.assign_lead(lead=new_lead(dealership), to=seller)
    gap = template(dealership, subject_nl="Terugbellen", body_nl="Bel {{ salesperson_phone }}.")
    client.force_login(seller)
    preview = client.get(
        reverse("automation:lead_message", args=[lead.pk]),
        {"message-template": gap.pk, "message-channel": "email"},
    ).content.decode()
    assert "Empty for this lead: salesperson_phone" in preview
    before = ScheduledAction.objects.count()
    response = client.post(
        reverse("automation:lead_message", args=[lead.pk]),
        {"message-template": gap.pk, "message-channel": "email"},
    )
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Not sent" in said and "salesperson_phone" in said
    assert ScheduledAction.objects.count() == before


def test_an_unknown_placeholder_is_refused_by_the_template_form(client, dealership):
    client.force_login(manager(dealership))
    response = client.post(
        reverse("automation:template_new"),
        {"dealership": dealership.pk, "name": "Oops", "body_nl": "Beste {{ klant }},"},
    )
    assert response.status_code == 200
    assert "Unknown placeholder: {{ klant }}" in response.content.decode()


def test_rule_form_names_each_template_with_its_dealership_and_keeps_staff_ones_for_staff(
    client, dealership
):
    from tests.factories import DealershipFactory

    other = DealershipFactory(name="Garage Dupont Lyon")
    boss = manager(dealership)
    from accounts.models import Membership, Role

    Membership.objects.create(user=boss, dealership=other, role=Role.MANAGER)
    mine, theirs = template(dealership), template(other)
    nudge = template(dealership, body_en="Hi {{ recipient_name }}, see {{ lead_url }}")
    client.force_login(boss)
    page = client.get(reverse("automation:rule_new")).content.decode()
    select = re.search(r'<select name="template".*?</select>', page, re.S).group(0)
    options = dict(re.findall(r'<option value="(\d+)"([^>]*)>', select))
    assert select.count(f'value="{mine.pk}"') == 1 and select.count(f'value="{theirs.pk}"') == 1
    assert f"{mine.name} — {dealership.name}" in select
    assert f"{theirs.name} — Garage Dupont Lyon" in select
    assert 'data-staff-only="1"' in options[str(nudge.pk)]
    assert "data-staff-only" not in options[str(mine.pk)]
    # To the customer: refused. To the salesperson: fine.
    refused = client.post(reverse("automation:rule_new"), rule_form(dealership, nudge))
    assert refused.status_code == 200 and "send it to staff" in refused.content.decode()
    ok = client.post(
        reverse("automation:rule_new"),
        rule_form(dealership, nudge, to_customer=None, to_salesperson="on"),
    )
    assert ok.status_code == 302
    assert Rule.objects.get().template == nudge


def test_a_rule_waits_at_most_a_year(client, dealership):
    client.force_login(manager(dealership))
    response = client.post(
        reverse("automation:rule_new"),
        rule_form(dealership, template(dealership), offset_amount="9999", offset_unit="days"),
    )
    assert response.status_code == 200 and "at most a year" in response.content.decode()
    assert not Rule.objects.exists()
