"""What every page may need to format for the reader's own store."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def home_dealership(request: HttpRequest) -> dict:
    """`home_dealership`: the first dealership the signed-in person works for, read only when a
    page formats a moment without a lead at hand (`{{ when|moment:home_dealership }}`)."""

    def first():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        membership = user.memberships.select_related("dealership").order_by("pk").first()
        return membership.dealership if membership else None

    return {"home_dealership": SimpleLazyObject(first)}
