import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Presence, User
from dealers.models import Dealership


def set_presence(*, user: User, presence: str) -> User:
    if presence not in Presence.values:
        raise ValueError(f"Unknown presence: {presence}")
    if user.presence != presence:
        user.presence = presence
        user.presence_changed_at = timezone.now()
        user.save(update_fields=["presence", "presence_changed_at"])
    return user


@transaction.atomic
def set_roles(*, user: User, roles: dict[Dealership, str]) -> None:
    """Make `user`'s memberships match `roles` for these dealerships (an empty role removes it)."""
    for dealership, role in roles.items():
        if role:
            Membership.objects.update_or_create(
                user=user, dealership=dealership, defaults={"role": role}
            )
        else:
            Membership.objects.filter(user=user, dealership=dealership).delete()


def create_person(*, password: str, **fields: str) -> User:
    user = User(**fields)
    user.set_password(password)
    user.save()
    return user


def end_sessions(*, user: User) -> None:
    """Log the person out everywhere: every session made before this stops at its next request.
    A view that keeps its own session calls django.contrib.auth.update_session_auth_hash after."""
    user.session_generation = secrets.token_hex(16)
    user.save(update_fields=["session_generation"])
