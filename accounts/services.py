from django.utils import timezone

from accounts.models import Presence, User


def set_presence(*, user: User, presence: str) -> User:
    if presence not in Presence.values:
        raise ValueError(f"Unknown presence: {presence}")
    if user.presence != presence:
        user.presence = presence
        user.presence_changed_at = timezone.now()
        user.save(update_fields=["presence", "presence_changed_at"])
    return user
