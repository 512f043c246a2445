"""Everyone's notifications: the list, the bell's count (polled by htmx), mark read, and the
per-person choice of which notifications arrive by which channel."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from automation import notifications, selectors
from automation import preferences as prefs
from automation.forms import PreferencesForm
from automation.models import NotificationKind


def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "automation/notifications.html", {"page": page})


def bell(request: HttpRequest) -> HttpResponse:
    return render(
        request, "automation/_bell.html", {"unread": selectors.unread_count(request.user)}
    )


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.notifications_of(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    notifications.mark_read(user=request.user, notification_id=note.pk)
    if note.lead_id and request.POST.get("open"):
        return redirect("leads:detail", pk=note.lead_id)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(user=request.user)
    return redirect("notifications:list")


def preferences(request: HttpRequest) -> HttpResponse:
    current = {kind: prefs.preference(request.user, kind) for kind in NotificationKind.values}
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        prefs.save_preferences(
            user=request.user,
            choices={
                kind: prefs.Preference(
                    data[f"{kind}_enabled"], data[f"{kind}_email"], data[f"{kind}_sms"]
                )
                for kind in NotificationKind.values
            },
        )
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "automation/preferences.html",
        {
            "form": form,
            "has_phone": bool(request.user.phone),
            "has_email": bool(request.user.email),
        },
    )
