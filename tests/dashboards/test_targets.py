"""Targets: the seeded defaults, a manager's own targets and who may change them."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dashboards.models import Target
from tests import dashboard_dataset
from tests.dashboard_dataset import MARCH
from tests.factories import DealershipFactory, SourceFactory, manager, person

TARGETS = reverse("dashboards:targets")


@pytest.fixture
def data(db, settings):
    return dashboard_dataset.build(settings)


@pytest.mark.django_db
def test_the_defaults_are_the_dealer_practice_figures():
    defaults = {
        (t.channel, t.condition, t.metric): t.value
        for t in Target.objects.filter(dealership=None, source=None, lead_type="")
    }
    assert defaults == {
        ("website", "", "sold"): Decimal("15"),
        ("portal", "", "sold"): Decimal("13"),
        ("", "", "appointment"): Decimal("36"),
        ("online", "new", "sold"): Decimal("13"),
        ("online", "used", "sold"): Decimal("20"),
        ("phone", "", "sold"): Decimal("22"),
    }


def dashboard(client, user):
    client.force_login(user)
    return client.get(f"{reverse('dashboards:dashboard')}?{urlencode(MARCH)}").context["report"]


def portal_sold_cell(report):
    row = next(r for r in report.tables["source"].rows if str(r.label).startswith("Portal"))
    return next(c for c in row.cells if c.column == "sold")


def test_a_manager_raises_the_portal_target_and_the_dashboard_shows_it_missed(client, data):
    cell = portal_sold_cell(dashboard(client, data.boss))
    assert (cell.target.value, cell.on_target) == (Decimal("13"), True)  # 1 of 5 = 20%
    url = f"{TARGETS}?dealership={data.dealership.pk}"
    response = client.post(url, {"channel": "portal", "metric": "sold", "value": "25"})
    assert response.status_code == 302
    cell = portal_sold_cell(dashboard(client, data.boss))
    assert (cell.target.value, cell.on_target) == (Decimal("25"), False)
    card = next(
        c for c in dashboard(client, data.boss).scorecard if c["target"].channel == "portal"
    )
    assert (card["percent"], card["on_target"]) == (20.0, False)
    # Setting it again changes the value instead of adding a second target.
    client.post(url, {"channel": "portal", "metric": "sold", "value": "18.5"})
    assert Target.objects.get(dealership=data.dealership).value == Decimal("18.5")
    assert portal_sold_cell(dashboard(client, data.boss)).on_target is True


def test_a_source_target_beats_the_channel_target(client, data):
    client.force_login(data.boss)
    client.post(
        f"{TARGETS}?dealership={data.dealership.pk}",
        {"source": data.portal.pk, "metric": "sold", "value": "30"},
    )
    cell = portal_sold_cell(dashboard(client, data.boss))
    assert (cell.target.source_id, cell.on_target) == (data.portal.pk, False)


@pytest.mark.parametrize(
    ("post", "error"),
    [
        ({"channel": "portal", "metric": "sold", "value": "150"}, "less than or equal to 100"),
        ({"channel": "portal", "metric": "sold", "value": ""}, "This field is required"),
        ({"channel": "portal", "metric": "profit", "value": "10"}, "Select a valid choice"),
        ({"channel": "portal", "source": "SOURCE", "metric": "sold", "value": "10"}, "not both"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_saved(client, data, post, error):
    client.force_login(data.boss)
    post = {k: (data.portal.pk if v == "SOURCE" else v) for k, v in post.items()}
    response = client.post(f"{TARGETS}?dealership={data.dealership.pk}", post)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Target.objects.filter(dealership=data.dealership).exists()


def test_a_source_of_another_dealership_cannot_be_targeted(client, data):
    client.force_login(data.boss)
    foreign = SourceFactory(dealership=DealershipFactory())
    response = client.post(
        f"{TARGETS}?dealership={data.dealership.pk}",
        {"source": foreign.pk, "metric": "sold", "value": "10"},
    )
    assert response.status_code == 400
    assert not Target.objects.filter(dealership=data.dealership).exists()


def test_removing_a_target_brings_the_default_back(client, data):
    own = Target.objects.create(
        dealership=data.dealership, channel="portal", metric="sold", value=40
    )
    client.force_login(data.boss)
    client.post(reverse("dashboards:delete_target", args=[own.pk]))
    assert portal_sold_cell(dashboard(client, data.boss)).target.value == Decimal("13")


@pytest.mark.parametrize("role", ["salesperson", "bdc"])
def test_only_managers_and_admins_edit_targets(client, data, role):
    own = Target.objects.create(
        dealership=data.dealership, channel="portal", metric="sold", value=40
    )
    client.force_login(person(role, data.dealership))
    assert client.get(TARGETS).status_code == 403
    assert (
        client.post(TARGETS, {"channel": "phone", "metric": "sold", "value": "1"}).status_code
        == 403
    )
    assert client.post(reverse("dashboards:delete_target", args=[own.pk])).status_code == 403
    client.force_login(person("admin", data.dealership))
    assert client.get(TARGETS).status_code == 200


def test_another_dealerships_manager_cannot_touch_our_targets(client, data):
    own = Target.objects.create(
        dealership=data.dealership, channel="portal", metric="sold", value=40
    )
    default = Target.objects.filter(dealership=None).first()
    client.force_login(manager(DealershipFactory()))
    assert client.get(f"{TARGETS}?dealership={data.dealership.pk}").status_code == 404
    assert client.post(reverse("dashboards:delete_target", args=[own.pk])).status_code == 404
    # Nobody deletes the shared defaults from this page.
    assert client.post(reverse("dashboards:delete_target", args=[default.pk])).status_code == 404
    assert Target.objects.filter(pk__in=[own.pk, default.pk]).count() == 2


def test_a_dealerships_own_target_applies_only_when_that_dealership_is_chosen(client, data):
    second = DealershipFactory()
    data.boss.memberships.create(dealership=second, role="manager")
    Target.objects.create(dealership=data.dealership, channel="portal", metric="sold", value=40)
    assert portal_sold_cell(dashboard(client, data.boss)).target.value == Decimal("13")
    client.force_login(data.boss)
    report = client.get(
        reverse("dashboards:dashboard"), {**MARCH, "dealership": data.dealership.pk}
    ).context["report"]
    assert portal_sold_cell(report).target.value == Decimal("40")


def test_an_administrator_changes_a_default_in_the_django_admin(admin_client, db):
    website = Target.objects.get(dealership=None, channel="website")
    assert admin_client.get("/admin/dashboards/target/", {"q": "x"}).status_code == 200
    url = f"/admin/dashboards/target/{website.pk}/change/"
    response = admin_client.post(url, {"channel": "website", "metric": "sold", "value": "16"})
    assert response.status_code == 302
    website.refresh_from_db()
    assert website.value == Decimal("16")
