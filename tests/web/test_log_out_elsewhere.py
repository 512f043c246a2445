"""A person's sessions on other phones and computers end when their login security changes:
two-factor login turned on (a session opened with only the password must not outlive it), turned
off, or reset by an admin after a lost phone; and whenever they press "Log out everywhere
else". The session that made the change stays logged in."""

from __future__ import annotations

import re
from base64 import b32decode
from binascii import hexlify
from html import unescape

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from accounts import two_factor
from tests.factories import person, salesperson
from tests.web.test_two_factor import PASSWORD, enrolled, password_step, phone_code

pytestmark = pytest.mark.django_db


def logged_in_elsewhere(user) -> Client:
    """Another phone, logged in with the password (no second factor set up yet)."""
    other = Client()
    assert password_step(other, user, address="10.0.0.2").url == reverse("home")
    assert still_in(other)
    return other


def logged_in_with_the_app_elsewhere(user) -> Client:
    """Another phone, logged in with the password and the authenticator's code."""
    device = two_factor.authenticator(user)
    other = Client()
    password_step(other, user, address="10.0.0.2")
    other.post(reverse("login_code"), {"code": phone_code(device)}, REMOTE_ADDR="10.0.0.2")
    assert still_in(other)
    return other


def still_in(client: Client) -> bool:
    return client.get(reverse("leads:inbox")).status_code == 200


def test_log_out_everywhere_else_ends_the_other_sessions_not_this_one(client, dealership):
    seller = salesperson(dealership)
    phone, laptop = logged_in_elsewhere(seller), logged_in_elsewhere(seller)
    password_step(client, seller)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Log out everywhere else" in page
    answer = client.post(reverse("accounts:end_other_sessions"), follow=True)
    assert "You are logged out everywhere else." in answer.content.decode()
    assert still_in(client)
    assert not still_in(phone) and not still_in(laptop)
    assert phone.get(reverse("leads:inbox")).url.startswith(reverse("login"))
    # They log in again as before.
    assert password_step(phone, seller, address="10.0.0.2").url == reverse("home")


def test_it_ends_only_that_persons_sessions(client, dealership):
    seller, colleague = salesperson(dealership), salesperson(dealership)
    theirs = logged_in_elsewhere(colleague)
    password_step(client, seller)
    client.post(reverse("accounts:end_other_sessions"))
    assert still_in(theirs)


def test_turning_two_factor_on_ends_the_sessions_opened_with_the_password_alone(client, dealership):
    seller = salesperson(dealership)
    other = logged_in_elsewhere(seller)  # e.g. someone who had learnt the password
    password_step(client, seller)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    shown = unescape(re.search(r'<code class="secret"[^>]*>([^<]+)</code>', page).group(1))
    key = b32decode(shown.replace(" ", ""))
    code = f"{totp(key):06d}"
    answer = client.post(reverse("accounts:two_factor"), {"code": code})
    assert "Two-factor login is on." in answer.content.decode()
    assert two_factor.has_device(seller)
    assert still_in(client)
    assert not still_in(other)
    assert hexlify(key).decode() == two_factor.authenticator(seller).key


def test_turning_it_off_ends_the_other_sessions(client, dealership):
    seller = salesperson(dealership)
    enrolled(seller)
    other = logged_in_with_the_app_elsewhere(seller)
    client.force_login(seller)
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not two_factor.has_device(seller)
    assert still_in(client) and not still_in(other)


def test_an_admins_reset_after_a_lost_phone_ends_the_lost_phones_session(client, dealership):
    seller = salesperson(dealership)
    enrolled(seller)
    lost_phone = logged_in_with_the_app_elsewhere(seller)
    admin = person("admin", dealership)
    client.force_login(admin)
    client.post(reverse("settings:person_two_factor_reset", args=[seller.pk]))
    assert not still_in(lost_phone)
    assert still_in(client)


def test_sessions_from_before_stay_valid_until_the_first_log_out_everywhere(dealership):
    seller = salesperson(dealership)
    # Without a generation the check is Django's own, so an upgrade logs nobody out.
    assert seller.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(seller)
    seller.session_generation = "x" * 32
    assert seller.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(seller)
