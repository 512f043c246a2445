"""One walk over every URL as every role. Each URL declares who may use it; a URL that declares
nothing fails this test, so no page ships without a decision about who sees it.

Roles: the salesperson who owns the lead, a colleague salesperson, a BDC agent, the manager, an
admin (all of dealership A), and a manager of dealership B (a stranger to A's data).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from dashboards.models import Target
from leads import services
from leads.models import SourceLabel
from tests.appraisal_world import APPRAISAL_ACCESS
from tests.automation_world import AUTOMATION_ACCESS
from tests.calls_world import CALLS_ACCESS
from tests.distribution_world import DISTRIBUTION_ACCESS
from tests.factories import (
    CustomerPhoneFactory,
    DealershipFactory,
    InboundMessageFactory,
    LeadFactory,
    SourceFactory,
    person,
)
from tests.followup_world import FOLLOWUP_ACCESS
from tests.integrations_world import INTEGRATIONS_ACCESS
from tests.urlwalk import PUBLIC, PUBLIC_PREFIXES, all_url_patterns

ROLES = ("owner", "colleague", "bdc", "manager", "admin", "stranger")
EVERYONE = set(ROLES)
MANAGERS = {"manager", "admin"}
LEAD_SEERS = {"owner", "manager", "admin"}

# url name → (who may use it, how to build its arguments from the world)
ACCESS: dict[str, tuple[set[str], object]] = {
    "home": (EVERYONE, None),
    "logout": (EVERYONE, None),
    "set_language": (EVERYONE, None),
    "accounts:presence": (EVERYONE, None),
    # Each person's own login security (two-factor login): their own, whoever they are.
    "accounts:two_factor": (EVERYONE, None),
    "accounts:two_factor_disable": (EVERYONE, None),
    "accounts:two_factor_backup_codes": (EVERYONE, None),
    "accounts:end_other_sessions": (EVERYONE, None),
    "leads:list": (EVERYONE, None),
    "leads:inbox": (EVERYONE, None),
    "leads:export_log": (MANAGERS | {"stranger"}, None),
    "leads:new": (EVERYONE, None),
    "leads:new_customer_matches": (EVERYONE, None),
    "leads:new_stock_search": (EVERYONE, None),
    "leads:showroom": (MANAGERS | {"stranger"}, None),
    "leads:import_list": (MANAGERS | {"bdc", "stranger"}, None),
    "leads:detail": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:log_contact": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:change_status": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:add_note": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:set_appointment": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:delete": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:edit": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:erase_customer": (MANAGERS, lambda w: [w["lead"].pk]),
    "leads:personal_data": (MANAGERS, lambda w: [w["lead"].pk]),
    "leads:personal_data_json": (MANAGERS, lambda w: [w["lead"].pk]),
    # POST-only; refused merges redirect back to the lead: who sees the lead gets an answer.
    "leads:merge": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "leads:merge_customer": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    # The lead's conversation and a reply in it: whoever sees the lead (test_conversation_pages).
    "conversations:thread": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "conversations:reply": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "inbound:quarantine": (MANAGERS | {"stranger"}, None),
    "inbound:quarantine_detail": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:quarantine_raw": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:quarantine_reparse": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:quarantine_discard": (MANAGERS, lambda w: [w["message"].pk]),
    # POST-only; a message that is not "not a lead" answers with a redirect and a notice.
    "inbound:quarantine_confirm_lead": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:quarantine_route": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:quarantine_map_key": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:quarantine_create_lead": (MANAGERS, lambda w: [w["message"].pk]),
    "inbound:source_labels": (MANAGERS, lambda w: [w["source"].pk]),
    "inbound:source_label_delete": (MANAGERS, lambda w: [w["source"].pk, new_label(w).pk]),
    "inbound:source_reparse": (MANAGERS, lambda w: [w["source"].pk]),
    "inbound:source_token": (MANAGERS, lambda w: [w["source"].pk]),
    "inbound:source_google_ads_key": (MANAGERS, lambda w: [w["source"].pk]),
    # Everyone has a dashboard: a salesperson's shows only their own leads (test_dashboard_pages).
    "dashboards:dashboard": (EVERYONE, None),
    "dashboards:leads": (EVERYONE, None),
    "dashboards:targets": (MANAGERS | {"stranger"}, None),
    "dashboards:delete_target": (MANAGERS, lambda w: [new_target(w).pk]),
    "settings:index": (MANAGERS | {"stranger"}, None),
    "settings:people": ({"admin"}, None),
    "settings:person_new": ({"admin"}, None),
    "settings:person_edit": ({"admin"}, lambda w: [w["owner"].pk]),
    "settings:person_unlock": ({"admin"}, lambda w: [w["owner"].pk]),
    "settings:person_two_factor_reset": ({"admin"}, lambda w: [w["owner"].pk]),
    "settings:dealership": ({"admin"}, lambda w: [w["dealership"].pk]),
    "settings:sources": (MANAGERS | {"stranger"}, None),
    "settings:source_new": (MANAGERS | {"stranger"}, None),
    "settings:source_edit": (MANAGERS, lambda w: [w["source"].pk]),
}

ACCESS.update(APPRAISAL_ACCESS)
ACCESS.update(DISTRIBUTION_ACCESS)
ACCESS.update(AUTOMATION_ACCESS)
ACCESS.update(INTEGRATIONS_ACCESS)
ACCESS.update(FOLLOWUP_ACCESS)
ACCESS.update(CALLS_ACCESS)

APP_URLS = sorted(
    name
    for route, name in all_url_patterns()
    if name and name not in PUBLIC and not any(route.startswith(p) for p in PUBLIC_PREFIXES)
)


def test_every_url_declares_who_may_use_it():
    undeclared = [name for name in APP_URLS if name not in ACCESS]
    assert not undeclared, f"add these to ACCESS in {__name__}: {undeclared}"
    gone = [name for name in ACCESS if name not in APP_URLS]
    assert not gone, f"these URLs no longer exist: {gone}"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the appraisal photo URLs store a photo
    dealership = DealershipFactory()
    source = SourceFactory(dealership=dealership)
    people = {
        "owner": person(Role.SALESPERSON, dealership),
        "colleague": person(Role.SALESPERSON, dealership),
        "bdc": person(Role.BDC_AGENT, dealership),
        "manager": person(Role.MANAGER, dealership),
        "admin": person(Role.ADMIN, dealership),
        "stranger": person(Role.MANAGER, DealershipFactory()),
    }
    lead = LeadFactory(dealership=dealership, source=source)
    CustomerPhoneFactory(customer=lead.customer)
    services.assign_lead(lead=lead, to=people["owner"])
    message = InboundMessageFactory(
        dealership=dealership, source=source, status="quarantined", failure_reason="no lead found"
    )
    return {
        "dealership": dealership,
        "source": source,
        "lead": lead,
        "message": message,
        **people,
    }


def new_label(world: dict) -> SourceLabel:
    """A label of its own for each role's try, so that one role's delete leaves the next a label."""
    return SourceLabel.objects.create(
        source=world["source"],
        label=f"Klantnaam {SourceLabel.objects.count()}",
        field="customer.full_name",
    )


def new_target(world: dict) -> Target:
    return Target.objects.create(
        dealership=world["dealership"], channel="website", metric="sold", value=Decimal("15")
    )


def answer(client, url: str) -> int:
    status = client.get(url).status_code
    if status == 405:  # a POST-only action: an empty POST must still be refused or accepted
        status = client.post(url, {}).status_code
    return status


@pytest.mark.parametrize("name", [n for n in APP_URLS if n in ACCESS])
def test_each_role_gets_the_answer_its_role_allows(client, world, name):
    allowed, args = ACCESS[name]
    for role in ROLES:
        url = reverse(name, args=args(world) if args else None)
        client.force_login(world[role])
        status = answer(client, url)
        assert status < 500, f"{name} as {role}: server error {status}"
        if role in allowed:
            assert status not in (403, 404), f"{name} refused {role} ({status})"
        else:
            assert status in (403, 404), f"{name} let {role} in ({status})"
