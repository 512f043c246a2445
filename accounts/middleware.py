import time
import zoneinfo
from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect

from accounts import two_factor


class UserLocaleMiddleware:
    """A signed-in person sees the app in the language they chose, whatever their browser says,
    and times in their dealership's zone (the first they work for), wherever the server is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        zone = two_factor.workplace(request).time_zone
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()
        if user.language:
            response.headers.setdefault("Content-Language", user.language)
        return response


class NoStoreMiddleware:
    """Pages shown to a signed-in person hold customers' personal data: no browser or proxy may
    keep a copy (a shared showroom PC, the back button after logging out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class IdleTimeoutMiddleware:
    """The session ends after SESSION_COOKIE_AGE without a request (the idle timeout). Each
    request would renew it by writing the session; once a minute is as good for an 8-hour
    timeout, and spares every other page view a write."""

    RENEW_SECONDS = 60
    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.RENEW_SECONDS:
                session[self.KEY] = now  # modified: saved with a new expiry, cookie renewed
        return response


class TwoFactorRequiredMiddleware:
    """Where a person's dealer group requires two-factor login, a session that has not passed the
    second step reaches nothing but the way in and out: who has no authenticator yet is sent to
    set one up, who has one logs in again with its code (a session from before).

    Untouched: people whose groups do not require it (no query beyond the one UserLocaleMiddleware
    makes anyway), and every view open without a login (the webhooks, the APIs, the customer's
    links, password reset), which answer exactly as before. The Django admin is not exempt.
    """

    # Reachable while enrolment is due: setting it up, logging out, the language.
    EXEMPT = frozenset(
        {
            "accounts:two_factor",
            "accounts:two_factor_disable",
            "logout",
            "set_language",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match.view_name in self.EXEMPT:
            return None
        if not getattr(view_func, "login_required", True) and "admin" not in match.namespaces:
            return None
        if not two_factor.workplace(request).two_factor_required or user.is_verified():
            return None
        if two_factor.has_device(user):
            # A session that never gave a code (it began before the app was set up).
            logout(request)
            return self._go(request, redirect_to_login(request.get_full_path()).url)
        return self._go(request, "accounts:two_factor")

    @staticmethod
    def _go(request: HttpRequest, to: str) -> HttpResponse:
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(redirect(to).url)
        return redirect(to)
