"""Login throttling: repeated wrong passwords for one username from one address lock that pair
out for the cool-off, the login page says until when, and an admin can unlock earlier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import IdleTimeoutMiddleware
from tests.factories import person, salesperson

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def lock(client, username: str, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, username, "wrong").status_code == 200
    # The failure that reaches the limit already answers with the lockout.
    assert attempt(client, username, "wrong").status_code == 429


def test_wrong_passwords_lock_the_login_and_the_right_one_is_then_refused(
    client, dealership, settings
):
    seller = salesperson(dealership)
    lock(client, seller.username, settings)
    refused = attempt(client, seller.username, PASSWORD)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed attempts" in page
    assert "try again after" in page
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_do_not_lock(client, dealership, settings):
    seller = salesperson(dealership)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, seller.username, "wrong")
    assert attempt(client, seller.username, PASSWORD).status_code == 302


def test_the_lockout_is_per_username_and_address(client, dealership, settings):
    seller = salesperson(dealership)
    colleague = salesperson(dealership)
    lock(client, seller.username, settings)
    # Another person at the same address, and the same person from elsewhere, still get in.
    assert attempt(client, colleague.username, PASSWORD).status_code == 302
    client.logout()
    assert attempt(client, seller.username, PASSWORD, address="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, dealership, settings):
    seller = salesperson(dealership)
    lock(client, seller.username, settings)
    assert attempt(client, seller.username, PASSWORD).status_code == 429
    # Time travel: the failures happened just longer ago than the cool-off.
    past = AccessAttempt.objects.get(username=seller.username).attempt_time
    AccessAttempt.objects.filter(username=seller.username).update(
        attempt_time=past - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert attempt(client, seller.username, PASSWORD).status_code == 302


def test_a_translated_lockout_message(client, dealership, settings):
    seller = salesperson(dealership)
    lock(client, seller.username, settings)
    client.cookies["django_language"] = "nl"
    page = attempt(client, seller.username, PASSWORD).content.decode()
    assert "Too many failed attempts" not in page
    assert "Te veel mislukte pogingen" in page


def test_an_admin_unlocks_from_the_person_page(client, dealership, settings):
    seller = salesperson(dealership)
    lock(client, seller.username, settings)
    admin = person("admin", dealership)
    client.force_login(admin)
    page = client.get(reverse("settings:person_edit", args=[seller.pk])).content.decode()
    assert "Unlock login" in page
    client.post(reverse("settings:person_unlock", args=[seller.pk]))
    assert (
        "Unlock login"
        not in client.get(reverse("settings:person_edit", args=[seller.pk])).content.decode()
    )
    client.logout()
    assert attempt(client, seller.username, PASSWORD).status_code == 302


def test_a_session_ends_after_the_idle_timeout(client, dealership, settings):
    seller = salesperson(dealership)
    assert attempt(client, seller.username, PASSWORD).status_code == 302
    assert client.get(reverse("leads:inbox")).status_code == 200
    session = client.session
    first = Session.objects.get(session_key=session.session_key).expire_date
    # Within the minute another page view writes nothing (no session write per request) ...
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("leads:inbox"))
    assert not [
        q for q in captured if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert Session.objects.get(session_key=session.session_key).expire_date == first
    # ... and a request after it renews the expiry: only idleness ends a session. (Time travel:
    # the session was last renewed two minutes and an hour ago.)
    stored = SessionStore(session_key=session.session_key)
    stored[IdleTimeoutMiddleware.KEY] -= 120
    stored.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=first - timedelta(hours=1)
    )
    client.get(reverse("leads:inbox"))
    renewed = Session.objects.get(session_key=session.session_key).expire_date
    assert renewed > first - timedelta(hours=1)
    assert renewed - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Time travel: the stored session expired (no request for longer than the idle timeout).
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("leads:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
