import pytest

from leads import services
from leads.models import Customer
from tests.factories import DealershipFactory, StockVehicleFactory


@pytest.mark.django_db
def test_a_returning_customer_is_found_by_email_or_phone(dealership):
    first = services.find_or_create_customer(
        dealership=dealership,
        full_name="Sanne de Vries",
        email="Sanne@Example.NL",
        phones=[("+31612345678", "mobile")],
    )
    assert first.email == "Sanne@example.nl"
    by_email = services.find_or_create_customer(dealership=dealership, email="sanne@example.nl")
    by_phone = services.find_or_create_customer(
        dealership=dealership, phones=[("+31612345678", "mobile"), ("+31313472210", "landline")]
    )
    assert by_email == first == by_phone
    assert set(first.phones.values_list("number", flat=True)) == {"+31612345678", "+31313472210"}
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_customers_are_per_dealership(dealership):
    other = DealershipFactory()
    a = services.find_or_create_customer(dealership=dealership, email="a@example.nl")
    b = services.find_or_create_customer(dealership=other, email="a@example.nl")
    assert a != b


@pytest.mark.django_db
def test_a_new_lead_links_to_the_stock_vehicle_it_asks_about(dealership):
    from leads.models import LeadVehicle

    car = StockVehicleFactory(dealership=dealership, vin="vf1 abc", stock_number="STK-1")
    customer = services.find_or_create_customer(dealership=dealership, email="b@example.nl")
    lead = services.create_lead(
        dealership=dealership, customer=customer, vehicle=LeadVehicle(make="Ligier", vin="VF1ABC")
    )
    assert lead.vehicle.stock_vehicle == car
    assert lead.events.get().kind == "created"
