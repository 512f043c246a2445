"""What each member of staff wants to be told, and how: per kind of news, else their general
choice on their profile."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from automation.models import NotificationPreference


@dataclass(frozen=True)
class Preference:
    enabled: bool
    by_email: bool
    by_sms: bool


def preference(user: User, kind: str) -> Preference:
    return preferences([(user, kind)])[user.pk, kind]


def preferences(wanted: list[tuple[User, str]]) -> dict[tuple[int, str], Preference]:
    """(user id, kind) → what the person chose, for several people and kinds in one query."""
    rows = {
        (row.user_id, row.kind): row
        for row in NotificationPreference.objects.filter(
            user_id__in={user.pk for user, _kind in wanted},
            kind__in={kind for _user, kind in wanted},
        )
    }
    chosen = {}
    for user, kind in wanted:
        row = rows.get((user.pk, kind))
        # The person's general choice (accounts.User) until they set one per kind.
        chosen[user.pk, kind] = (
            Preference(True, user.notify_by_email, user.notify_by_sms)
            if row is None
            else Preference(row.enabled, row.by_email, row.by_sms)
        )
    return chosen


def save_preferences(*, user: User, choices: dict[str, Preference]) -> None:
    for kind, pref in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={"enabled": pref.enabled, "by_email": pref.by_email, "by_sms": pref.by_sms},
        )
