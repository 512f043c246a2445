"""Who may see what: the dealerships a person works for, by role."""

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import Membership, Role, User
from dealers.models import Dealership

MANAGING_ROLES = (Role.MANAGER, Role.ADMIN)


def dealerships_for(user: User, roles: Iterable[str] | None = None) -> QuerySet[Dealership]:
    """The dealerships `user` works for (in one of `roles` when given). A superuser sees all."""
    if user.is_superuser:
        return Dealership.objects.all()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Dealership.objects.filter(pk__in=memberships.values("dealership_id"))


def roles_of(user: User) -> set[str]:
    if user.is_superuser:
        return {Role.ADMIN}
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def is_manager(user: User) -> bool:
    return bool(roles_of(user) & set(MANAGING_ROLES))


def people_at(dealership: Dealership, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__dealership=dealership, memberships__role__in=list(roles)
    ).distinct()
