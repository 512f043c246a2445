"""Each person reads the app in their language, with dates and numbers as their locale writes
them, and times in their dealership's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from leads import services
from tests.factories import DealershipFactory, LeadFactory, salesperson


@pytest.mark.django_db
def test_times_are_shown_in_the_dealerships_zone(client):
    dealership = DealershipFactory(time_zone="America/New_York", language="en")
    seller = salesperson(dealership, language="en")
    received = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    lead = services.assign_lead(
        lead=LeadFactory(dealership=dealership, received_at=received), to=seller
    )
    client.force_login(seller)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "8 a.m." in html  # 12:00 UTC is 08:00 in New York in July


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "date_text"),
    [("en", "July 1, 2026"), ("nl", "1 juli 2026"), ("fr", "1 juillet 2026")],
)
def test_dates_follow_the_persons_language(client, dealership, language, date_text):
    seller = salesperson(dealership, language=language)
    received = datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    lead = services.assign_lead(
        lead=LeadFactory(dealership=dealership, received_at=received), to=seller
    )
    client.force_login(seller)
    response = client.get(reverse("leads:detail", args=[lead.pk]))
    assert response["Content-Language"] == language
    assert date_text in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("nl", "Mijn leads"), ("fr", "Mes leads"), ("en", "My leads")]
)
def test_the_app_speaks_the_persons_language(client, dealership, language, heading):
    client.force_login(salesperson(dealership, language=language))
    assert f"<h1>{heading}</h1>" in client.get(reverse("leads:inbox")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("nl", "Andere aanvragen van deze klant"), ("fr", "Autres demandes de ce client")],
)
def test_the_customers_other_requests_are_headed_in_the_persons_language(
    client, dealership, language, heading
):
    from django.contrib.auth import get_user_model

    from tests.factories import manager

    boss = manager(dealership, language=language)
    assert get_user_model().objects.get(pk=boss.pk).language == language
    first = LeadFactory(dealership=dealership)
    second = LeadFactory(dealership=dealership, customer=first.customer)
    client.force_login(boss)
    assert heading in client.get(reverse("leads:detail", args=[second.pk])).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [("nl", "Alle teams"), ("fr", "Toutes les équipes")])
def test_the_dashboards_team_filter_speaks_the_persons_language(client, dealership, language, text):
    from tests.factories import manager

    client.force_login(manager(dealership, language=language))
    assert text in client.get(reverse("dashboards:dashboard")).content.decode()
