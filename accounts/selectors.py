"""Who may see what: the dealerships a person works for, by role."""

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import Membership, Role, User
from dealers.models import DealerGroup, Dealership

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
    # The request's user came with its roles (accounts.two_factor.workplace, one query per request).
    known = getattr(user, "_roles_this_request", None)
    if known is not None:
        return set(known)
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def is_manager(user: User) -> bool:
    return bool(roles_of(user) & set(MANAGING_ROLES))


def people_at(dealership: Dealership, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__dealership=dealership, memberships__role__in=list(roles)
    ).distinct()


def administers_group(user: User, group: DealerGroup) -> bool:
    """Whether `user` may change a setting of the whole group: an admin of every one of its
    dealerships (or a superuser). An admin of one dealership does not decide for the others."""
    if user.is_superuser:
        return True
    administered = dealerships_for(user, roles=[Role.ADMIN]).values("pk")
    return not group.dealerships.exclude(pk__in=administered).exists()


def without_two_factor(group: DealerGroup) -> QuerySet[User]:
    """The group's active people whose login asks for no code yet."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    return (
        User.objects.filter(is_active=True, memberships__dealership__group=group)
        .exclude(pk__in=enrolled)
        .distinct()
    )
