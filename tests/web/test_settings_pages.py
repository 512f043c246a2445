import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from leads.models import Source
from tests.factories import DealershipFactory, SourceFactory, person


@pytest.fixture
def admin_user(dealership):
    return person(Role.ADMIN, dealership)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "index", "people", "sources"),
    [
        (Role.SALESPERSON, 403, 403, 403),
        (Role.BDC_AGENT, 403, 403, 403),
        (Role.MANAGER, 200, 403, 200),
        (Role.ADMIN, 200, 200, 200),
    ],
)
def test_who_reaches_the_settings(client, dealership, role, index, people, sources):
    client.force_login(person(role, dealership))
    assert client.get(reverse("settings:index")).status_code == index
    assert client.get(reverse("settings:people")).status_code == people
    assert client.get(reverse("settings:person_new")).status_code == people
    assert client.get(reverse("settings:dealership", args=[dealership.pk])).status_code == people
    assert client.get(reverse("settings:sources")).status_code == sources
    assert client.get(reverse("settings:source_new")).status_code == sources


@pytest.mark.django_db
def test_an_admin_adds_a_salesperson_and_changes_roles(client, dealership, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("settings:person_new"),
        {
            "username": "noor",
            "first_name": "Noor",
            "last_name": "Bakker",
            "email": "noor@x.test",
            "phone": "+31612345678",
            "language": "nl",
            "is_active": "on",
            "password": "long-enough-pass",
            f"role_{dealership.pk}": Role.SALESPERSON,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="noor")
    assert membership.role == Role.SALESPERSON and membership.dealership == dealership
    noor = membership.user
    assert noor.check_password("long-enough-pass")
    client.post(
        reverse("settings:person_edit", args=[noor.pk]),
        {
            "username": "noor",
            "first_name": "Noor",
            "last_name": "Bakker",
            "email": "noor@x.test",
            "phone": "+31612345678",
            "language": "nl",
            "is_active": "on",
            f"role_{dealership.pk}": Role.MANAGER,
        },
    )
    assert Membership.objects.get(user=noor).role == Role.MANAGER
    client.post(
        reverse("settings:person_edit", args=[noor.pk]),
        {"username": "noor", "language": "nl", f"role_{dealership.pk}": ""},
    )
    assert not Membership.objects.filter(user=noor).exists()


@pytest.mark.django_db
def test_a_phone_must_be_e164(client, dealership, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("settings:person_new"),
        {"username": "x", "language": "nl", "phone": "06-1234", "password": "long-enough-pass"},
    )
    assert response.status_code == 200 and "international form" in response.content.decode()


@pytest.mark.django_db
def test_an_admin_of_another_dealership_cannot_edit_ours(client, dealership, seller):
    other_admin = person(Role.ADMIN, DealershipFactory())
    client.force_login(other_admin)
    assert client.get(reverse("settings:person_edit", args=[seller.pk])).status_code == 404
    assert client.get(reverse("settings:dealership", args=[dealership.pk])).status_code == 404


@pytest.mark.django_db
def test_a_manager_adds_and_edits_sources_of_their_dealership_only(client, dealership, boss):
    foreign = SourceFactory(dealership=DealershipFactory())
    client.force_login(boss)
    response = client.post(
        reverse("settings:source_new"),
        {
            "dealership": dealership.pk,
            "name": "Gaspedaal",
            "kind": "portal",
            "sender_patterns": "gaspedaal.nl",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Gaspedaal")
    assert source.matches_sender("leads@GASPEDAAL.nl")
    assert client.get(reverse("settings:source_edit", args=[foreign.pk])).status_code == 404
    response = client.post(
        reverse("settings:source_new"),
        {"dealership": foreign.dealership.pk, "name": "Sneaky", "kind": "portal"},
    )
    assert response.status_code == 200 and not Source.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
def test_an_admin_edits_the_inbound_address_and_hours(client, dealership, admin_user):
    client.force_login(admin_user)
    hours = list(dealership.opening_hours.all())
    data = {
        "name": dealership.name,
        "country": "NL",
        "time_zone": "Europe/Amsterdam",
        "language": "nl",
        "inbound_address": "new@leads.test",
        "phone": "",
        "currency": "EUR",
        "retention_months": "24",
        "opening_hours-TOTAL_FORMS": str(len(hours) + 1),
        "opening_hours-INITIAL_FORMS": str(len(hours)),
        "opening_hours-MIN_NUM_FORMS": "0",
        "opening_hours-MAX_NUM_FORMS": "1000",
    }
    for i, h in enumerate(hours):
        data |= {
            f"opening_hours-{i}-id": h.pk,
            f"opening_hours-{i}-weekday": h.weekday,
            f"opening_hours-{i}-opens": "09:00",
            f"opening_hours-{i}-closes": "18:00",
        }
    data[f"opening_hours-{len(hours)}-weekday"] = 6
    data[f"opening_hours-{len(hours)}-opens"] = "11:00"
    data[f"opening_hours-{len(hours)}-closes"] = "15:00"
    assert (
        client.post(reverse("settings:dealership", args=[dealership.pk]), data).status_code == 302
    )
    dealership.refresh_from_db()
    assert dealership.inbound_address == "new@leads.test"
    assert dealership.retention_months == 24
    assert dealership.opening_hours.filter(weekday=6).exists()
    data["time_zone"] = "Mars/Olympus"
    response = client.post(reverse("settings:dealership", args=[dealership.pk]), data)
    assert response.status_code == 200 and "Unknown time zone" in response.content.decode()
