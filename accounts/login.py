"""The way in: what a locked-out login sees (django-axes calls `lockout_response`), and the
admin's unlock."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page again, saying when the next try is possible (429: too many requests)."""
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_until": until, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


def locked_out(user: User) -> bool:
    """Whether the person's username is locked out from some address right now."""
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.get_username(),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=threshold,
    ).exists()


def unlock(user: User) -> int:
    """Lift every lockout of the person's username (from any address); returns how many."""
    return reset(username=user.get_username())
