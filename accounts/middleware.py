import time
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from accounts.models import Membership


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
        zone = (
            Membership.objects.filter(user=user)
            .order_by("pk")
            .values_list("dealership__time_zone", flat=True)
            .first()
        )
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
