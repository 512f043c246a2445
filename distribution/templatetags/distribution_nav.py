"""What the navigation shows a person, from their roles, read once per request."""

from django import template

from accounts.models import Role
from accounts.selectors import MANAGING_ROLES, roles_of

register = template.Library()


@register.simple_tag
def nav_roles(user) -> dict[str, bool]:
    """{manages, bdc, unassigned}: managers see the manager pages; BDC agents and managers the
    BDC queue; salespeople and managers the unassigned queue. Cached on the user object, so a
    page asking twice costs one query."""
    if not user.is_authenticated:
        return {"manages": False, "bdc": False, "unassigned": False}
    roles = getattr(user, "_nav_roles", None)
    if roles is None:
        roles = roles_of(user)
        user._nav_roles = roles
    return {
        "manages": bool(roles & set(MANAGING_ROLES)),
        "bdc": bool(roles & (set(MANAGING_ROLES) | {Role.BDC_AGENT})),
        "unassigned": bool(roles & (set(MANAGING_ROLES) | {Role.SALESPERSON})),
    }
