import pytest
from django.apps import apps
from django.contrib import admin

from tests.factories import LeadFactory

OUR_APPS = {"accounts", "dealers", "leads", "distribution", "automation"}


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_in_the_admin():
    missing = [m.__name__ for m in our_models() if m not in admin.site._registry]
    assert not missing


@pytest.mark.django_db
@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_admin_lists_and_searches(admin_client, model):
    LeadFactory()
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "x"}).status_code == 200
