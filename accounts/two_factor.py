"""Two-factor login (django-otp): an authenticator app's six-digit code (TOTP) after the password,
or one of ten single-use backup codes. A person turns it on from their own security page; a
dealer group can require it of everyone who works for it (`DealerGroup.require_two_factor`).

Which devices count: confirmed TOTP and static (backup code) devices. A session that passed the
second step carries its device (django_otp.login); OTPMiddleware checks it on every request.
"""

from __future__ import annotations

import re
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Membership, User

BACKUP_CODES = 10
DEVICE_NAME = "DealerLMS"
# What the second step of a login remembers between the two requests (in the session).
PENDING_KEY = "two_factor_pending"
# The secret shown while a person sets up their app, until they confirm it with a code.
ENROLMENT_KEY = "two_factor_enrolment_secret"


class Workplace(NamedTuple):
    """What the middlewares need to know about where a signed-in person works: one query."""

    time_zone: str | None
    two_factor_required: bool


def workplace(request: HttpRequest) -> Workplace:
    """The person's first dealership's time zone, and whether any of their dealer groups requires
    two-factor login; read once per request (UserLocaleMiddleware and TwoFactorRequiredMiddleware
    share it)."""
    cached = getattr(request, "_workplace", None)
    if cached is None:
        rows = list(
            Membership.objects.filter(user=request.user)
            .order_by("pk")
            .values_list("dealership__time_zone", "dealership__group__require_two_factor", "role")
        )
        cached = Workplace(
            time_zone=rows[0][0] if rows else None,
            two_factor_required=any(required for _zone, required, _role in rows),
        )
        request._workplace = cached
        # The same rows give the person's roles: accounts.selectors.roles_of reads them from
        # here for the rest of this request (the navigation and the page each ask).
        request.user._roles_this_request = frozenset(role for _zone, _required, role in rows)
    return cached


def has_device(user: User) -> bool:
    """Whether the person's login asks for a code (a confirmed authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Setting it up ---


def new_secret() -> str:
    """A new authenticator key: 20 random bytes, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)


def secret_text(key: str) -> str:
    """The key as a person types it into an app: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(user: User, key: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key, name=DEVICE_NAME).config_url


def qr_svg(data: str) -> SafeString:
    """The QR code as inline SVG markup (segno draws it here: no image service, no data: URL).
    The markup is segno's own paths; `data` is encoded in the modules, never written as text."""
    svg = segno.make(data, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", omitsize=True, svgclass="qr", lineclass=None
    )
    return mark_safe(svg)  # noqa: S308 — generated markup, no text of ours inside


def _totp(key: str) -> TOTP:
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    return totp


def code_matches_secret(key: str, code: str) -> bool:
    """Whether `code` is the app's current code (or the one just before or after) for `key`."""
    code = normalise(code)
    return bool(re.fullmatch(r"\d{6}", code)) and _totp(key).verify(int(code), tolerance=1)


@transaction.atomic
def enrol(*, user: User, key: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor login on with the confirmed `key`: the authenticator device, and a new set
    of backup codes (returned once; only they are shown, never stored elsewhere). Any earlier
    devices of the person go, and so do their other sessions: one opened by someone who knew
    only the password must not outlive the second factor."""
    _delete_devices(user)
    services.end_sessions(user=user)
    device = TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=_totp(key).t()
    )
    return device, new_backup_codes(user=user)


@transaction.atomic
def new_backup_codes(*, user: User) -> list[str]:
    """Replace the person's backup codes with ten new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def remove_devices(*, user: User) -> int:
    """Two-factor login off for the person (their choice, or an admin's after a lost phone):
    every session of theirs ends too, one on a lost phone included."""
    removed = _delete_devices(user)
    services.end_sessions(user=user)
    return removed


def _delete_devices(user: User) -> int:
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    backups, _ = StaticDevice.objects.filter(user=user).delete()
    return removed + backups


# --- Checking a code ---


def normalise(code: str) -> str:
    """What a person typed, as we compare it: no spaces or dashes, lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


@dataclass
class Verification:
    device: Device | None = None  # the device that accepted the code
    wait_until: datetime | None = None  # throttled: no code is checked before then


def verify(*, user: User, code: str) -> Verification:
    """Check `code` against the person's authenticator (six digits) or backup codes (anything
    else). A wrong code makes the device wait longer before the next try (django-otp's
    throttling: 1, 2, 4, 8 … seconds); a backup code works once."""
    code = normalise(code)
    model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    result = Verification()
    if not code:
        return result
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, why = device.verify_is_allowed()
            if not allowed:
                result.wait_until = (why or {}).get("locked_until")
                continue
            if device.verify_token(code):
                return Verification(device=device)
    return result
