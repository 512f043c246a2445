"""The customer's link to an offer: signed with SECRET_KEY (unguessable), expiring, and bound to
the amount offered, so a revised offer needs a new link rather than silently changing an old one."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from appraisals.models import Appraisal
from appraisals.selectors import offer_for_customer

SALT = "appraisals.offer-link"
DEFAULT_MAX_AGE_DAYS = 30


def max_age_seconds() -> int:
    return int(getattr(settings, "APPRAISAL_OFFER_LINK_DAYS", DEFAULT_MAX_AGE_DAYS)) * 86400


def offer_token(appraisal: Appraisal) -> str:
    return signing.dumps({"a": appraisal.pk, "o": str(appraisal.offer)}, salt=SALT)


def appraisal_for_token(token: str) -> Appraisal | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age_seconds())
    except signing.BadSignature:  # tampered with, or expired (SignatureExpired is a subclass)
        return None
    if not isinstance(data, dict):
        return None
    appraisal = offer_for_customer(data.get("a"))
    if appraisal is None or str(appraisal.offer) != data.get("o"):
        return None
    return appraisal
