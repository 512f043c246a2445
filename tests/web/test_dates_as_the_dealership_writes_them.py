"""Every page writes moments in the reader's dealership's zone and its country's order, whatever
language the reader chose: a French store's queue says 05/12/2026 08:30 (Paris), not 07:30."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import DealershipFactory, LeadFactory, manager

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 12, 5, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "zone", "language", "written"),
    [
        ("FR", "Europe/Paris", "fr", "05/12/2026 08:30"),
        ("NL", "Europe/Amsterdam", "nl", "5-12-2026 08:30"),
        ("GB", "Europe/London", "en", "05/12/2026 07:30"),
    ],
)
def test_the_unassigned_queue_writes_the_stores_dates(client, country, zone, language, written):
    shop = DealershipFactory(country=country, time_zone=zone, language=language)
    LeadFactory(dealership=shop, received_at=RECEIVED)
    boss = manager(shop)
    boss.language = "en"
    boss.save()
    client.force_login(boss)
    html = client.get(reverse("distribution:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert written in html
    assert "12/05/2026" not in html
