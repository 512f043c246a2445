import pytest
from django.urls import reverse

from leads import services
from leads.models import Customer, EventKind, Lead
from tests.factories import CustomerPhoneFactory, InboundMessageFactory, LeadFactory


@pytest.fixture
def lead(dealership, seller):
    lead = LeadFactory(dealership=dealership, comments="Bel me na vijven")
    CustomerPhoneFactory(customer=lead.customer, number="+31612345678")
    return services.assign_lead(lead=lead, to=seller)


@pytest.mark.django_db
def test_an_appointment_is_read_in_the_dealerships_time_zone(client, seller, lead):
    client.force_login(seller)
    client.post(
        reverse("leads:set_appointment", args=[lead.pk]),
        {"at": "2026-12-05T10:30", "kind": "test_drive"},
    )
    lead.refresh_from_db()
    assert lead.status == "appointment"
    local = lead.appointment_at.astimezone(lead.dealership.tz)
    assert (local.hour, local.minute, local.utcoffset().total_seconds()) == (10, 30, 3600)
    assert lead.events.get(kind=EventKind.APPOINTMENT_SET).data["appointment_kind"] == "test_drive"


@pytest.mark.django_db
def test_a_bad_appointment_changes_nothing(client, seller, lead):
    client.force_login(seller)
    client.post(
        reverse("leads:set_appointment", args=[lead.pk]), {"at": "not a date", "kind": "test_drive"}
    )
    lead.refresh_from_db()
    assert lead.status == "assigned" and lead.appointment_at is None


@pytest.mark.django_db
def test_the_owner_deletes_with_a_reason_and_the_manager_cannot(client, seller, boss, lead):
    client.force_login(boss)
    client.post(reverse("leads:delete", args=[lead.pk]), {"reason": "test"})
    assert Lead.objects.filter(pk=lead.pk).exists()
    client.force_login(seller)
    client.post(reverse("leads:delete", args=[lead.pk]), {"reason": ""})
    assert Lead.objects.filter(pk=lead.pk).exists()
    client.post(
        reverse("leads:delete", args=[lead.pk]), {"reason": "Test lead from the website team"}
    )
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert Lead.all_objects.get(pk=lead.pk).events.filter(kind=EventKind.DELETED).exists()


@pytest.mark.django_db
def test_a_manager_erases_a_customer_and_the_counts_remain(client, seller, boss, lead):
    message = InboundMessageFactory(raw=b"From: x\r\n\r\nNaam: Jan", text="Naam: Jan")
    Lead.objects.filter(pk=lead.pk).update(inbound_message=message)
    client.force_login(seller)
    assert client.post(reverse("leads:erase_customer", args=[lead.pk])).status_code == 403
    client.force_login(boss)
    client.post(reverse("leads:erase_customer", args=[lead.pk]))
    customer = Customer.objects.get(pk=lead.customer_id)
    assert customer.erased_at and not customer.email and not customer.phones.exists()
    assert customer.full_name.startswith("(erased")
    lead.refresh_from_db()
    assert lead.comments == "" and lead.status == "assigned"  # still counted
    message.refresh_from_db()
    assert bytes(message.raw) == b"" and message.text == ""
    assert lead.events.filter(kind=EventKind.ERASED).count() == 1


@pytest.mark.django_db
def test_a_salesperson_corrects_the_details_and_the_timeline_says_what_changed(
    client, seller, lead
):
    client.force_login(seller)
    response = client.post(
        reverse("leads:edit", args=[lead.pk]),
        {
            "first_name": "Jan",
            "last_name": "de Vries",
            "email": "Jan@Example.NL",
            "phone": "06 87654321",
            "postal_code": "6981 AB",
            "city": "",
            "language": "nl",
            "lead_type": "test_drive",
            "rating": "4",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    customer = lead.customer
    assert (customer.full_name, customer.email, lead.lead_type, lead.rating) == (
        "Jan de Vries",
        "Jan@example.nl",
        "test_drive",
        4,
    )
    assert customer.phones.filter(number="+31687654321").exists()
    event = lead.events.get(kind=EventKind.MODIFIED)
    assert event.data["changes"]["lead_type"] == ["info_request", "test_drive"]
    assert event.actor == seller


@pytest.mark.django_db
def test_an_undialable_phone_is_refused_and_nothing_changes(client, seller, lead):
    client.force_login(seller)
    response = client.post(
        reverse("leads:edit", args=[lead.pk]), {"phone": "12", "lead_type": "quote"}
    )
    assert response.status_code == 200 and "not a phone number" in response.content.decode()
    lead.refresh_from_db()
    assert (
        lead.lead_type == "info_request"
        and not lead.events.filter(kind=EventKind.MODIFIED).exists()
    )


@pytest.mark.django_db
def test_saving_without_changes_records_nothing(seller, lead):
    services.update_lead(lead=lead, by=seller, lead_type=lead.lead_type)
    assert not lead.events.filter(kind=EventKind.MODIFIED).exists()
