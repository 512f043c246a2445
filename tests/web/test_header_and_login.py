"""The header and the way in: BDC agents land on their queue, the login page offers a password
reset that works, every page has a favicon, and one search box finds a lead by name, phone,
e-mail or plate among the leads the person may see."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse

from leads import services
from leads.models import LeadVehicle
from tests.factories import (
    CustomerPhoneFactory,
    DealershipFactory,
    LeadFactory,
    manager,
    person,
    salesperson,
)

pytestmark = pytest.mark.django_db


def test_a_bdc_agent_lands_on_the_bdc_queue(client, dealership):
    client.force_login(person("bdc", dealership))
    assert client.get("/").url == reverse("distribution:bdc")


def test_login_page_links_a_password_reset_that_works(client, dealership, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seller = salesperson(dealership, email="sanne@example.nl")
    login = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in login
    response = client.post(reverse("password_reset"), {"email": "sanne@example.nl"})
    assert response.status_code == 302
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[-1].body).group(0)
    page = client.get(link, follow=True)
    assert "New password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"},
    )
    assert done.status_code == 302
    seller.refresh_from_db()
    assert seller.check_password("a-Long-new-pass-42")


def test_every_page_has_a_favicon(client, dealership):
    for html in (
        client.get(reverse("login")).content.decode(),
        (client.force_login(manager(dealership)), client.get(reverse("leads:list")))[
            1
        ].content.decode(),
    ):
        icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html).group(1)
        assert finders.find(icon)


def test_the_navigation_folds_on_a_phone(client, dealership):
    client.force_login(manager(dealership))
    html = client.get(reverse("leads:list")).content.decode()
    assert 'class="menu-toggle" aria-controls="main-nav" aria-expanded="false"' in html
    assert '<nav id="main-nav"' in html


@pytest.fixture
def shop(dealership):
    seller, colleague = salesperson(dealership), salesperson(dealership)
    plate = LeadVehicle.objects.create(make="Ligier", model="JS50", registration="12-ABC-3")
    mine = services.assign_lead(
        lead=LeadFactory(
            dealership=dealership,
            customer__full_name="Fatima el Amrani",
            customer__email="fatima@example.nl",
            trade_in=plate,
        ),
        to=seller,
    )
    CustomerPhoneFactory(customer=mine.customer, number="+31648765432")
    theirs = services.assign_lead(
        lead=LeadFactory(dealership=dealership, customer__full_name="Fatima Jansen"), to=colleague
    )
    elsewhere = LeadFactory(dealership=DealershipFactory(), customer__full_name="Fatima Other")
    return {"seller": seller, "mine": mine, "theirs": theirs, "elsewhere": elsewhere}


def found(client, q: str) -> set[int]:
    page = client.get(reverse("leads:list"), {"q": q}).context["page"]
    return {lead.pk for lead in page.object_list}


@pytest.mark.parametrize(
    "query", ["el Amrani", "fatima@example.nl", "06 4876 5432", "+31 6 48765432", "12abc3"]
)
def test_search_finds_by_name_phone_email_and_plate(client, shop, query):
    client.force_login(shop["seller"])
    assert found(client, query) == {shop["mine"].pk}


def test_search_is_scoped_by_role(client, dealership, shop):
    client.force_login(shop["seller"])
    assert found(client, "Fatima") == {shop["mine"].pk}
    client.force_login(manager(dealership))
    assert found(client, "Fatima") == {shop["mine"].pk, shop["theirs"].pk}
    html = client.get(reverse("leads:list")).content.decode()
    assert 'role="search"' in html and 'name="q"' in html
