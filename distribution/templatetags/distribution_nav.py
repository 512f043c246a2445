from django import template

from accounts.models import Role
from accounts.selectors import roles_of

register = template.Library()


@register.filter
def works_bdc(user) -> bool:  # noqa: ANN001
    """Whether the navigation shows the BDC queue: BDC agents and managers."""
    return user.is_authenticated and bool(
        roles_of(user) & {Role.BDC_AGENT, Role.MANAGER, Role.ADMIN}
    )


@register.filter
def sees_unassigned(user) -> bool:  # noqa: ANN001
    """Managers give unassigned leads out; salespeople may take some."""
    return user.is_authenticated and bool(
        roles_of(user) & {Role.SALESPERSON, Role.MANAGER, Role.ADMIN}
    )
