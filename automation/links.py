"""The unsubscribe link in every e-mail to a customer: signed with SECRET_KEY, so the token is
the credential (no login). It names the channel and the address; it does not expire, since an
old e-mail's link must keep working."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "automation.unsubscribe"


def unsubscribe_token(*, channel: str, address: str) -> str:
    # Not compressed: zlib never shortens a payload this small, so the token is the same and
    # the dispatcher saves a third of the signing time per e-mail (read_token reads both).
    return signing.dumps({"c": channel, "a": address.strip().lower()}, salt=SALT)


def unsubscribe_url(*, channel: str, address: str) -> str:
    token = unsubscribe_token(channel=channel, address=address)
    return (
        f"{settings.DEALERLMS_PUBLIC_URL.rstrip('/')}{reverse('hooks:unsubscribe', args=[token])}"
    )


# A value every URL converter of ours accepts (uuid and str), to be replaced afterwards.
_MARKER = "00000000-0000-0000-0000-000000000000"


def url_maker(name: str) -> Callable[[str], str]:
    """The absolute URL of the route `name` for any one argument, with reverse() run once: for
    the dispatcher, where reverse() per message cost more than rendering the message."""
    head, tail = (
        f"{settings.DEALERLMS_PUBLIC_URL.rstrip('/')}{reverse(name, args=[_MARKER])}".split(_MARKER)
    )
    return lambda value: f"{head}{value}{tail}"


def unsubscribe_url_maker() -> Callable[[str, str], str]:
    """unsubscribe_url for a whole batch (see url_maker)."""
    make = url_maker("hooks:unsubscribe")
    return lambda channel, address: make(unsubscribe_token(channel=channel, address=address))


def read_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in ("email", "sms"):
        return None
    address = data.get("a")
    return (data["c"], address) if isinstance(address, str) and address else None


def public_url() -> str:
    """This site's address, for links in messages and callbacks (DEALERLMS_PUBLIC_URL)."""
    return settings.DEALERLMS_PUBLIC_URL.rstrip("/")
