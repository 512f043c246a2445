import pytest
from django.urls import reverse

from tests.urlwalk import PUBLIC, PUBLIC_PREFIXES, all_url_patterns, sample_path

ROUTES = [
    (route, name)
    for route, name in all_url_patterns()
    if name not in PUBLIC and not any(route.startswith(p) for p in PUBLIC_PREFIXES)
]


def test_the_walk_finds_the_app_urls():
    names = {name for _route, name in ROUTES}
    assert {"home", "leads:list", "leads:detail", "accounts:presence"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r for r, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_demands_login(client, route, name, method):
    response = getattr(client, method)(sample_path(route))
    assert response.status_code == 302, f"{name} answered {response.status_code} to a stranger"
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_admin_sends_strangers_to_its_login(client):
    response = client.get("/admin/leads/lead/")
    assert response.status_code == 302 and "login/" in response.url


@pytest.mark.django_db
def test_login_and_logout(client, seller):
    assert (
        client.post(
            "/accounts/login/", {"username": seller.username, "password": "secret-pass-123"}
        ).status_code
        == 302
    )
    assert client.get("/leads/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/leads/").status_code == 302


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    assert client.get("/healthz").json() == {"database": "ok"}


@pytest.mark.django_db
def test_a_role_changed_between_two_requests_counts_at_the_next_one(client):
    """Roles are read once per request with the person's memberships: a manager made a
    salesperson loses the manager's pages at their very next request."""
    from accounts.models import Membership, Role
    from tests.factories import DealershipFactory, manager

    boss = manager(DealershipFactory())
    client.force_login(boss)
    assert client.get(reverse("distribution:fairness")).status_code == 200
    Membership.objects.filter(user=boss).update(role=Role.SALESPERSON)
    assert client.get(reverse("distribution:fairness")).status_code == 403
