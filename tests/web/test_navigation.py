"""The header shows each person only the places they may go: every link in it answers them."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import person

NAV = re.compile(r'<nav id="main-nav" aria-label="Main">(.*?)</nav>', re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_header_link_opens_for_the_person_who_sees_it(client, dealership, role):
    user = person(role, dealership)
    client.force_login(user)
    html = client.get(reverse("leads:list")).content.decode()
    links = re.findall(r'href="([^"]+)"', NAV.search(html).group(1))

    assert reverse("leads:inbox") in links
    assert (reverse("settings:index") in links) == (role in (Role.MANAGER, Role.ADMIN))
    for link in links:
        assert client.get(link).status_code == 200, (role, link)
