"""Two-factor login (django-otp): a person sets up an authenticator app from their security page
(QR code and key, confirmed with a code, ten backup codes shown once); their login then asks for
the code after the password; wrong codes are refused, slowed down and count towards the login
lockout; a dealer group can require it of everyone, who then reaches nothing before setting it
up, while webhooks and customers' links answer as before; the Django admin goes through the same
door. Codes are computed as the phone would, from the device's key (django_otp.oath.totp)."""

from __future__ import annotations

import re
from base64 import b32decode
from binascii import hexlify
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import DealershipFactory, person, salesperson
from tests.urlwalk import PUBLIC, PUBLIC_PREFIXES, all_url_patterns, sample_path

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # the factories' password


def phone_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or `steps_ahead` periods of 30 s later)."""
    return f"{totp(device.bin_key, t0=-30 * steps_ahead):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Two-factor login set up a while ago (its setup code long used)."""
    device, codes = two_factor.enrol(user=user, key=two_factor.new_secret())
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device, codes


def password_step(client, user, next_url: str = "", address: str = "10.0.0.1"):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def code_step(client, code: str, address: str = "10.0.0.1"):
    return client.post(reverse("login_code"), {"code": code}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def require_two_factor(dealership) -> None:
    dealership.group.require_two_factor = True
    dealership.group.save()


# --- Setting it up ---


def test_a_person_turns_it_on_with_the_first_code_of_their_app(client, dealership):
    seller = salesperson(dealership)
    client.force_login(seller)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert '<svg viewBox="0 0 ' in page and 'class="qr"' in page  # the QR code, inline SVG
    assert "<img" not in page and "data:image" not in page
    shown = unescape(re.search(r'<code class="secret"[^>]*>([^<]+)</code>', page).group(1))
    key = b32decode(shown.replace(" ", ""))  # what the person types into the app
    assert len(key) == 20
    # The same key until confirmed: a reload does not invalidate what the phone scanned.
    assert shown in client.get(reverse("accounts:two_factor")).content.decode()

    wrong = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=seller).exists()

    answer = client.post(reverse("accounts:two_factor"), {"code": f"{totp(key):06d}"})
    assert answer.status_code == 200
    device = TOTPDevice.objects.get(user=seller)
    assert device.confirmed and device.key == hexlify(key).decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", answer.content.decode())
    assert len(codes) == 10 == StaticToken.objects.filter(device__user=seller).count()
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=seller).values_list("token", flat=True)
    )
    assert "no-store" in answer["Cache-Control"]  # kept by no browser or proxy
    # Shown once: the security page now only counts them.
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Two-factor login is on" in page and "10 backup codes left" in page
    assert not any(code in page for code in codes)
    assert client.session["otp_device_id"] == device.persistent_id  # this session is verified


# --- Logging in ---


def test_the_login_asks_for_the_code_after_the_password(client, dealership):
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    answer = password_step(client, seller, next_url=reverse("leads:list"))
    assert answer.status_code == 302 and answer.url == reverse("login_code")
    assert not signed_in(client)  # the password alone signs nobody in
    assert client.get(reverse("leads:inbox")).url.startswith(reverse("login"))
    second = client.get(reverse("login_code"))
    assert "authenticator app" in second.content.decode()
    assert "no-store" in second["Cache-Control"]

    answer = code_step(client, phone_code(device))
    assert answer.status_code == 302 and answer.url == reverse("leads:list")
    assert signed_in(client) and client.session["otp_device_id"] == device.persistent_id
    assert client.get(reverse("leads:inbox")).status_code == 200


def test_without_two_factor_the_password_is_enough(client, dealership):
    seller = salesperson(dealership)
    answer = password_step(client, seller)
    assert answer.status_code == 302 and answer.url == reverse("home")
    assert signed_in(client)


def test_a_wrong_code_is_refused_and_the_next_try_waits(client, dealership):
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    password_step(client, seller)
    wrong = code_step(client, "123456" if phone_code(device) != "123456" else "654321")
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert not signed_in(client)
    # django-otp's throttling: right after a failure even the right code must wait.
    waiting = code_step(client, phone_code(device))
    assert "Too many wrong codes" in waiting.content.decode() and not signed_in(client)
    # Time travel: the wait is over.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=1)
    )
    assert code_step(client, phone_code(device)).status_code == 302
    assert signed_in(client)


def test_a_used_code_does_not_log_in_twice(client, dealership):
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    password_step(client, seller)
    code = phone_code(device)
    assert code_step(client, code).status_code == 302
    client.logout()
    password_step(client, seller)
    assert code_step(client, code).status_code == 200  # replayed: refused
    assert not signed_in(client)


def test_wrong_codes_count_towards_the_login_lockout(client, dealership, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only django-axes counts here
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    password_step(client, seller)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, "000001").status_code == 200
    locked = code_step(client, "000001")
    assert locked.status_code == 429 and "Too many failed attempts" in locked.content.decode()
    # The half-done login is over, and the password step is locked as well.
    assert code_step(client, phone_code(device)).url == reverse("login")
    assert password_step(client, seller).status_code == 429
    assert not signed_in(client)


def test_the_code_step_does_not_wait_forever(client, dealership, settings):
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    password_step(client, seller)
    session = client.session
    session[two_factor.PENDING_KEY]["at"] -= settings.TWO_FACTOR_STEP_SECONDS + 1
    session.save()
    assert code_step(client, phone_code(device)).url == reverse("login")
    assert not signed_in(client)


def test_a_backup_code_works_once(client, dealership):
    seller = salesperson(dealership)
    _device, codes = enrolled(seller)
    password_step(client, seller)
    answer = code_step(client, codes[3].upper()[:4] + " " + codes[3][4:])  # as typed from paper
    assert answer.status_code == 302 and signed_in(client)
    assert "9 left" in client.get(answer.url, follow=True).content.decode()
    client.logout()
    password_step(client, seller)
    assert code_step(client, codes[3]).status_code == 200
    assert not signed_in(client)


# --- A group that requires it ---


def test_a_group_that_requires_it_sends_people_to_set_it_up_before_anything_else(
    client, dealership
):
    require_two_factor(dealership)
    seller = salesperson(dealership)
    assert password_step(client, seller).status_code == 302 and signed_in(client)
    for url in (reverse("home"), reverse("leads:inbox"), reverse("dashboards:dashboard")):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.url == reverse("accounts:two_factor"), url
    assert client.post(reverse("accounts:presence"), {"presence": "away"}).status_code == 302
    seller.refresh_from_db()
    assert seller.presence == "available"  # nothing else acts either
    # htmx polls are told to go to the page (not handed a page to paste into a fragment).
    polled = client.get(reverse("leads:inbox"), HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == reverse("accounts:two_factor")
    # Reachable: the setup, the language, logging out.
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Your dealer group requires two-factor login" in page
    assert client.post(reverse("set_language"), {"language": "nl"}).status_code == 302

    key = b32decode(_shown_key(client))
    client.post(reverse("accounts:two_factor"), {"code": f"{totp(key):06d}"})
    assert client.get(reverse("leads:inbox")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def _shown_key(client) -> str:
    page = client.get(reverse("accounts:two_factor")).content.decode()
    return re.search(r'<code class="secret"[^>]*>([^<]+)</code>', page).group(1).replace(" ", "")


def test_people_of_other_groups_are_not_asked(client, dealership):
    require_two_factor(dealership)
    elsewhere = DealershipFactory(group__name="Another Group")
    client.force_login(salesperson(elsewhere))
    assert client.get(reverse("leads:inbox")).status_code == 200


def test_a_session_that_never_gave_a_code_logs_in_again(client, dealership):
    """Required, and the app is set up, but this session began without the code (before the
    setup, on another computer): the login starts again, with the code."""
    require_two_factor(dealership)
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    client.force_login(seller)
    answer = client.get(reverse("leads:inbox"))
    assert answer.url.startswith(reverse("login")) and not signed_in(client)
    password_step(client, seller, next_url=reverse("leads:inbox"))
    assert code_step(client, phone_code(device)).url == reverse("leads:inbox")
    assert client.get(reverse("leads:inbox")).status_code == 200


@pytest.mark.filterwarnings("ignore")  # anymail's warnings about webhooks not configured here
def test_webhooks_and_public_links_answer_as_before(client, dealership):
    """Every view open without a login answers a session that still has to set up two-factor
    login exactly as it answers a stranger: never a redirect to the setup."""
    require_two_factor(dealership)
    client.force_login(salesperson(dealership))
    stranger = Client()
    client.raise_request_exception = stranger.raise_request_exception = False
    routes = [
        route
        for route, name in all_url_patterns()
        if (name in PUBLIC and name != "login_code")
        or any(route.startswith(p) for p in PUBLIC_PREFIXES if p != "admin/")
    ]
    assert any(r.startswith("anymail/") for r in routes) and "api/v1/leads" in routes
    for route in routes:
        path = sample_path(route)
        for method in ("get", "post"):
            ours = getattr(client, method)(path)
            theirs = getattr(stranger, method)(path)
            assert reverse("accounts:two_factor") not in ours.get("Location", ""), path
            assert ours.status_code == theirs.status_code, (method, path)


def test_the_admin_asks_for_the_code_too(client, dealership):
    boss = person("admin", dealership, is_staff=True, is_superuser=True)
    device, _codes = enrolled(boss)
    # The admin's own login page is ours: password, then the code.
    to_login = client.get("/admin/login/?next=/admin/")
    assert to_login.status_code == 302
    assert to_login.url == reverse("login") + "?next=/admin/"
    password_step(client, boss, next_url="/admin/")
    assert client.get("/admin/").url.startswith("/admin/login/")
    assert code_step(client, phone_code(device)).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_is_closed_until_a_required_setup_is_done(client, dealership):
    require_two_factor(dealership)
    boss = person("admin", dealership, is_staff=True, is_superuser=True)
    client.force_login(boss)
    answer = client.get("/admin/leads/lead/")
    assert answer.status_code == 302 and answer.url == reverse("accounts:two_factor")


# --- Turning it off ---


def test_turning_it_off_needs_a_code_or_the_password(client, dealership):
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    client.force_login(seller)
    refused = client.post(reverse("accounts:two_factor_disable"), {"password": "guess"})
    assert refused.status_code == 400 and "valid code or your password" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=seller).exists()
    assert client.post(reverse("accounts:two_factor_disable"), {"code": phone_code(device)})
    assert not TOTPDevice.objects.filter(user=seller).exists()
    assert not StaticToken.objects.filter(device__user=seller).exists()
    client.logout()
    assert password_step(client, seller).url == reverse("home") and signed_in(client)


def test_turning_it_off_with_the_password(client, dealership):
    seller = salesperson(dealership)
    enrolled(seller)
    client.force_login(seller)
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not two_factor.has_device(seller)


def test_it_stays_on_where_the_group_requires_it(client, dealership):
    require_two_factor(dealership)
    seller = salesperson(dealership)
    device, _codes = enrolled(seller)
    password_step(client, seller)
    code_step(client, phone_code(device))
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "it stays on" in page and reverse("accounts:two_factor_disable") not in page
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert two_factor.has_device(seller)


def test_new_backup_codes_replace_the_old_ones(client, dealership):
    seller = salesperson(dealership)
    _device, old = enrolled(seller)
    client.force_login(seller)
    refused = client.post(reverse("accounts:two_factor_backup_codes"), {"codes-password": "x"})
    assert refused.status_code == 400
    answer = client.post(reverse("accounts:two_factor_backup_codes"), {"codes-password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", answer.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(
        StaticToken.objects.filter(device__user=seller).values_list("token", flat=True)
    ) == set(new)


def test_an_admin_resets_it_after_a_lost_phone(client, dealership):
    seller = salesperson(dealership)
    enrolled(seller)
    client.force_login(person("admin", dealership))
    page = client.get(reverse("settings:person_edit", args=[seller.pk])).content.decode()
    assert "Reset two-factor login" in page
    client.post(reverse("settings:person_two_factor_reset", args=[seller.pk]))
    assert not two_factor.has_device(seller)
    assert password_step(Client(), seller).url == reverse("home")


# --- The group's setting ---


def test_an_admin_of_the_whole_group_requires_it_on_the_dealership_page(client, dealership):
    admin = person("admin", dealership)
    client.force_login(admin)
    url = reverse("settings:dealership", args=[dealership.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        {
            "opening_hours-TOTAL_FORMS": "0",
            "opening_hours-INITIAL_FORMS": "0",
            "group-require_two_factor": "on",
        }
    )
    assert 'name="group-require_two_factor"' in client.get(url).content.decode()
    assert client.post(url, data).status_code == 302
    dealership.group.refresh_from_db()
    assert dealership.group.require_two_factor


def test_an_admin_of_one_dealership_does_not_decide_for_the_group(client, dealership):
    DealershipFactory()  # the same group, administered by someone else
    admin = person("admin", dealership)
    client.force_login(admin)
    url = reverse("settings:dealership", args=[dealership.pk])
    page = client.get(url)
    assert 'name="group-require_two_factor"' not in page.content.decode()
    assert "Two-factor login is optional in the dealer group" in page.content.decode()
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        {
            "opening_hours-TOTAL_FORMS": "0",
            "opening_hours-INITIAL_FORMS": "0",
            "group-require_two_factor": "on",
        }
    )
    assert client.post(url, data).status_code == 302
    dealership.group.refresh_from_db()
    assert not dealership.group.require_two_factor


# --- What it costs ---


def test_pages_cost_no_query_more_for_people_whose_group_does_not_require_it(
    client, dealership, settings
):
    seller = salesperson(dealership)
    client.force_login(seller)

    def count() -> int:
        client.get(reverse("leads:inbox"))  # warm: the session, content types
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("leads:inbox")).status_code == 200
        return len(captured)

    with_two_factor = count()
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m
        not in (
            "django_otp.middleware.OTPMiddleware",
            "accounts.middleware.TwoFactorRequiredMiddleware",
        )
    ]
    assert count() == with_two_factor
