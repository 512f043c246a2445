"""An admin of one dealership manages only the people whose every role is at their own
dealerships: not group-wide accounts, not a superuser, whatever the URL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import DealershipFactory, UserFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    doesburg, lyon = DealershipFactory(), DealershipFactory()
    return {
        "doesburg": doesburg,
        "admin": person(Role.ADMIN, doesburg),
        "own": person(Role.SALESPERSON, doesburg),
        "groupwide": person(Role.MANAGER, doesburg),
        "root": UserFactory(is_superuser=True, is_staff=True),
        "lyon": lyon,
    }


def edit(client, user: User, **changes) -> int:
    data = {"username": user.username, "first_name": user.first_name,
            "last_name": user.last_name, "email": user.email, "phone": "", "language": "nl",
            "is_active": "on", **changes}  # fmt: skip
    for membership in user.memberships.all():
        data.setdefault(f"role_{membership.dealership_id}", membership.role)
    return client.post(reverse("settings:person_edit", args=[user.pk]), data).status_code


def test_an_admin_changes_only_their_own_people(client, group):
    Membership.objects.create(user=group["groupwide"], dealership=group["lyon"], role=Role.MANAGER)
    Membership.objects.create(user=group["root"], dealership=group["doesburg"], role=Role.ADMIN)
    client.force_login(group["admin"])
    for outsider in (group["groupwide"], group["root"]):
        assert client.get(reverse("settings:person_edit", args=[outsider.pk])).status_code == 404
        assert edit(client, outsider, email="attacker@example.test", is_active="") == 404
        outsider.refresh_from_db()
        assert outsider.is_active and outsider.email != "attacker@example.test"
    assert edit(client, group["own"], email="nieuw@example.nl") == 302
    group["own"].refresh_from_db()
    assert group["own"].email == "nieuw@example.nl"
    listing = client.get(reverse("settings:people")).content.decode()
    assert reverse("settings:person_edit", args=[group["groupwide"].pk]) not in listing
    assert "also works elsewhere" in listing


@pytest.mark.parametrize(
    "target", ["https://evil.example/login", "//evil.example", "javascript:alert(1)"]
)
def test_presence_goes_back_only_to_a_page_of_this_site(client, group, target):
    client.force_login(group["own"])
    answer = client.post(reverse("accounts:presence"), {"presence": "away", "next": target})
    assert answer.status_code == 302 and "evil" not in answer["Location"]
    assert "javascript" not in answer["Location"]
    local = client.post(reverse("accounts:presence"), {"presence": "available", "next": "/leads/"})
    assert local["Location"] == "/leads/"


def test_pages_with_personal_data_are_not_kept_by_browsers(client, group):
    client.force_login(group["own"])
    assert client.get(reverse("leads:inbox"))["Cache-Control"] == "no-store"
    client.logout()
    assert "no-store" not in client.get(reverse("healthz")).get("Cache-Control", "")
