from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import manager_required
from accounts.selectors import dealerships_for, roles_of


def home(request: HttpRequest) -> HttpResponse:
    """Salespeople start in their inbox, BDC agents in the BDC queue, managers and admins in the
    lead list."""
    roles = roles_of(request.user)
    if roles == {Role.SALESPERSON}:
        return redirect("leads:inbox")
    if roles == {Role.BDC_AGENT}:  # their work is the BDC queue, not the lead list
        return redirect("distribution:bdc")
    return redirect("leads:list")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})


@manager_required
def settings_index(request: HttpRequest) -> HttpResponse:
    """The map of everything an admin or manager configures in the app."""
    roles = roles_of(request.user)
    return render(
        request,
        "settings/index.html",
        {
            "is_admin": Role.ADMIN in roles,
            "dealerships": dealerships_for(request.user, roles=[Role.ADMIN]),
        },
    )
