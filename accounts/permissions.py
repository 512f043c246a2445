"""Role checks for views. A role is held per dealership; these ask "in any of them"."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Role
from accounts.selectors import roles_of


def role_required(*roles: str) -> Callable:
    """403 unless the person holds one of `roles` somewhere (a superuser always passes)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not roles_of(request.user) & set(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
manager_required = role_required(Role.MANAGER, Role.ADMIN)
