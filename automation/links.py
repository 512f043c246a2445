"""The unsubscribe link in every e-mail to a customer: signed with SECRET_KEY, so the token is
the credential (no login). It names the channel and the address; it does not expire, since an
old e-mail's link must keep working."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "automation.unsubscribe"


def unsubscribe_token(*, channel: str, address: str) -> str:
    return signing.dumps({"c": channel, "a": address.strip().lower()}, salt=SALT, compress=True)


def unsubscribe_url(*, channel: str, address: str) -> str:
    token = unsubscribe_token(channel=channel, address=address)
    return (
        f"{settings.DEALERLMS_PUBLIC_URL.rstrip('/')}{reverse('hooks:unsubscribe', args=[token])}"
    )


def read_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in ("email", "sms"):
        return None
    address = data.get("a")
    return (data["c"], address) if isinstance(address, str) and address else None
