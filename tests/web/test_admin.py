"""Django admin for every model of the project, each with search and filters."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

from tests.factories import LeadFactory

ROOT = Path(__file__).resolve().parents[2]


def our_models() -> list:
    """Every model of every app that lives in this repository (not the installed packages), so
    an app or model added later is covered without touching this list."""
    return [
        m
        for m in apps.get_models()
        if Path(m._meta.app_config.path).is_relative_to(ROOT)
        and not Path(m._meta.app_config.path).is_relative_to(ROOT / ".venv")
    ]


def inline_models() -> set:
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


def registered_models() -> list:
    return [m for m in our_models() if m in admin.site._registry]


def test_the_enumeration_sees_every_app_of_the_project():
    labels = {m._meta.app_label for m in our_models()}
    assert {"accounts", "dealers", "leads", "dashboards", "appraisals"} <= labels


def test_every_model_is_in_the_admin():
    """Registered, or edited inline on the page of the model it belongs to."""
    missing = [
        m._meta.label
        for m in our_models()
        if m not in admin.site._registry and m not in inline_models()
    ]
    assert not missing


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_every_admin_list_has_search_and_filters(model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model._meta.label}: no search_fields"
    assert model_admin.list_filter, f"{model._meta.label}: no list_filter"


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_admin_lists_searches_and_filters(admin_client, model):
    """Every search field and filter is a valid lookup: a bad one answers 500 (or 400)."""
    LeadFactory()
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "x"}).status_code == 200
    page = admin_client.get(url)
    for spec in page.context["cl"].filter_specs:
        for choice in list(spec.choices(page.context["cl"]))[1:2]:
            response = admin_client.get(url + choice["query_string"])
            assert response.status_code == 200, (spec.title, choice["query_string"])


@pytest.mark.django_db
def test_searching_the_leads_finds_the_customer(admin_client):
    wanted = LeadFactory(customer__full_name="Zwaantje Oudewater")
    LeadFactory(customer__full_name="Someone Else")
    response = admin_client.get("/admin/leads/lead/", {"q": "oudewater"})
    assert [lead.pk for lead in response.context["cl"].result_list] == [wanted.pk]
