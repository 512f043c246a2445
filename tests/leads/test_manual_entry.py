"""Leads entered by hand: a walk-in kept by the salesperson who met the customer, a phone-up
routed by the rules, a list name sent to the BDC queue; the customer found, not duplicated; the
vehicle from stock; the manager's showroom log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from leads.models import Customer, EventKind, Lead, Source
from tests.factories import (
    CustomerFactory,
    CustomerPhoneFactory,
    DealershipFactory,
    StockVehicleFactory,
    manager,
    person,
    salesperson,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return DealershipFactory(opening_hours=False, country="NL")


def post_lead(client, shop, **fields):
    data = {
        "dealership": shop.pk,
        "entered_as": "walk_in",
        "first_name": "Fleur",
        "last_name": "de Graaf",
        "phone": "06 12 34 56 78",
        "lead_type": "test_drive",
        "keep": "on",
        **fields,
    }
    return client.post(reverse("leads:new"), {k: v for k, v in data.items() if v is not None})


def test_a_salesperson_keeps_the_walk_in_they_met(client, shop):
    sanne = salesperson(shop)
    client.force_login(sanne)
    answer = post_lead(client, shop, comments="Wil vandaag een proefrit in de 208.")
    lead = Lead.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "leads:detail", args=[lead.pk]
    )
    assert lead.assigned_to == sanne
    assert lead.customer.full_name == "Fleur de Graaf"
    assert lead.customer.primary_phone == "+31612345678"
    assert lead.source.kind == Source.Kind.WALK_IN
    assert lead.extra["entered_as"] == "walk_in"
    created = lead.events.get(kind=EventKind.CREATED)
    assert created.actor == sanne
    assert lead.events.filter(kind=EventKind.ASSIGNED, assignee=sanne).count() == 1


def test_a_phone_up_not_kept_is_routed_by_the_rules(
    client, shop, django_capture_on_commit_callbacks
):
    bdc = person(Role.BDC_AGENT, shop)
    sellers = {salesperson(shop), salesperson(shop)}
    client.force_login(bdc)
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(client, shop, entered_as="phone_up", keep=None)
    lead = Lead.objects.get()
    assert lead.assigned_to in sellers
    assert lead.source.kind == Source.Kind.PHONE
    assert lead.events.get(kind=EventKind.CREATED).actor == bdc


def test_a_passive_list_entry_goes_to_the_bdc_queue_even_when_kept(
    client, shop, django_capture_on_commit_callbacks
):
    salesperson(shop)
    client.force_login(manager(shop))
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(client, shop, entered_as="list", keep="on", lead_type="info_request")
    lead = Lead.objects.get()
    assert lead.is_passive
    assert lead.assigned_to is None
    assert lead.source.is_passive


def test_a_known_customer_is_found_and_warned_about_not_duplicated(client, shop):
    known = CustomerFactory(dealership=shop, full_name="Fleur de Graaf", email="fleur@example.nl")
    CustomerPhoneFactory(customer=known, number="+31612345678")
    client.force_login(salesperson(shop))
    warning = client.get(
        reverse("leads:new_customer_matches"), {"phone": "06-12345678", "dealership": shop.pk}
    ).content.decode()
    assert "Fleur de Graaf" in warning and "fleur@example.nl" in warning
    other_shop = client.get(
        reverse("leads:new_customer_matches"),
        {"phone": "06-12345678", "dealership": DealershipFactory().pk},
    ).content.decode()
    assert "Fleur" not in other_shop
    post_lead(client, shop, email="FLEUR@example.nl")
    assert Customer.objects.count() == 1
    assert Lead.objects.get().customer == known


def test_the_vehicle_is_chosen_from_stock(client, shop):
    car = StockVehicleFactory(dealership=shop, make="Peugeot", model="208", registration="ZX123B")
    StockVehicleFactory(dealership=DealershipFactory(), make="Peugeot", model="208")
    client.force_login(salesperson(shop))
    found = client.get(
        reverse("leads:new_stock_search"), {"q": "peugeot 208", "dealership": shop.pk}
    )
    assert found.content.decode().count('name="stock_vehicle"') == 1
    assert f'value="{car.pk}"' in found.content.decode()
    post_lead(client, shop, stock_vehicle=car.pk)
    vehicle = Lead.objects.get().vehicle
    assert vehicle.stock_vehicle == car
    assert (vehicle.make, vehicle.model, vehicle.registration) == ("Peugeot", "208", "ZX123B")


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"first_name": "", "last_name": ""}, "last_name", "first or a last name"),
        ({"phone": "12"}, "phone", "not a phone number"),
        ({"phone": "", "entered_as": "phone_up"}, "phone", "phone number or an e-mail"),
        ({"last_name": "x" * 121}, "last_name", "at most 120"),
    ],
)
def test_what_cannot_be_followed_up_is_refused_with_a_reason(client, shop, fields, field, error):
    client.force_login(salesperson(shop))
    page = post_lead(client, shop, **fields)
    assert page.status_code == 200
    assert error in " ".join(page.context["form"].errors[field])
    assert not Lead.objects.exists()


def test_a_source_of_another_dealership_is_refused(client, shop):
    from tests.factories import SourceFactory

    client.force_login(salesperson(shop))
    page = post_lead(client, shop, source=SourceFactory().pk)
    assert page.status_code == 200 and not Lead.objects.exists()


def test_the_manager_sees_the_days_showroom_traffic(client, shop):
    client.force_login(salesperson(shop))
    post_lead(client, shop)
    post_lead(client, shop, entered_as="showroom", first_name="Bram", phone="0687654321")
    post_lead(client, shop, entered_as="phone_up", first_name="Tom", phone="0611112222")
    client.force_login(manager(shop))
    page = client.get(reverse("leads:showroom")).content.decode()
    assert "Fleur de Graaf" in page and "Bram de Graaf" in page
    assert "Tom" not in page
    assert "2 visitors" in page
    client.force_login(salesperson(shop))
    assert client.get(reverse("leads:showroom")).status_code == 403
