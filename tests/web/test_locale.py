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
    assert "08:00" in html  # 12:00 UTC is 08:00 in New York in July (24-hour, day first)
    assert "a.m." not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "date_text"),
    [("en", "1 July 2026"), ("nl", "1 juli 2026"), ("fr", "1 juillet 2026")],
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


# English a Dutch or French manager must not meet on the dashboard, the quarantine and a source's
# labels page (a missing or a fuzzy catalogue entry shows it).
ENGLISH = [
    "Key figures",
    "Edit targets",
    "Leaderboard",
    "Last 30 days",
    "Messages that did not become a lead",
    "(no subject)",
    "Quarantine",
    "Labels in this source",
    "Generate a new token",
    "message of this source is waiting",
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "nl",
            [
                "Kerncijfers",
                "Doelen bewerken",
                "Ranglijst",
                "Laatste 30 dagen",
                "Berichten die geen lead zijn geworden",
                "(geen onderwerp)",
                "Quarantaine",
                "Labels in de berichten van deze bron",
                "Nieuw token aanmaken",
                "1 bericht van deze bron wacht.",
            ],
        ),
        (
            "fr",
            [
                "Chiffres clés",
                "Modifier les objectifs",
                "Classement",
                "30 derniers jours",
                "Messages qui ne sont pas devenus des leads",
                "(sans objet)",
                "Quarantaine",
                "Libellés dans les messages de cette source",
                "Générer un nouveau jeton",
                "1 message de cette source est en attente.",
            ],
        ),
    ],
)
def test_the_dashboard_quarantine_and_source_pages_speak_the_persons_language(
    client, dealership, language, words
):
    from leads.models import InboundMessage
    from tests.factories import InboundMessageFactory, SourceFactory, manager

    source = SourceFactory(dealership=dealership)
    InboundMessageFactory(
        dealership=dealership,
        source=source,
        subject="",
        status=InboundMessage.Status.QUARANTINED,
    )
    LeadFactory(dealership=dealership, source=source)
    client.force_login(manager(dealership, language=language))
    html = "".join(
        client.get(url).content.decode()
        for url in (
            reverse("dashboards:dashboard"),
            reverse("inbound:quarantine"),
            reverse("inbound:source_labels", args=[source.pk]),
        )
    )
    assert [w for w in words if w not in html] == []
    assert [e for e in ENGLISH if e in html] == []
