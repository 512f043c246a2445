"""Password reset by e-mail: the same answer for known and unknown addresses (no one learns who
has an account), and the e-mailed link works once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import salesperson

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def test_unknown_and_known_addresses_get_the_same_answer(client, dealership, outbox):
    salesperson(dealership, email="sanne@example.nl")
    known = client.post(reverse("password_reset"), {"email": "sanne@example.nl"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.nl"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'csrfmiddlewaretoken" value="[^"]+"|X-CSRFToken": "[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    assert [m.to for m in outbox] == [["sanne@example.nl"]]


def test_the_link_works_once(client, dealership, outbox):
    seller = salesperson(dealership, email="sanne@example.nl")
    client.post(reverse("password_reset"), {"email": "sanne@example.nl"})
    link = re.search(r"http://\S+/accounts/reset/\S+/", outbox[-1].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"}
    assert client.post(form_url, new).status_code == 302
    seller.refresh_from_db()
    assert seller.check_password("a-Long-new-pass-42")
    again = client.get(link, follow=True).content.decode()
    assert "New password" not in again
    assert "expired or was used already" in again


def test_the_reset_pages_are_translated(client, dealership):
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("password_reset")).content.decode()
    assert 'lang="fr"' in page
    login = client.get(reverse("login")).content.decode()
    assert "Forgot your password?" not in login
