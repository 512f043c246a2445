"""People who use DealerLMS, their roles per dealership, presence and absences."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from dealers.phones import validate_e164


class Role(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    BDC_AGENT = "bdc", _("BDC agent")
    MANAGER = "manager", _("Sales manager")
    ADMIN = "admin", _("Administrator")


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    phone = models.CharField(
        _("mobile phone"), max_length=16, blank=True, validators=[validate_e164]
    )
    presence = models.CharField(
        _("presence"), max_length=12, choices=Presence.choices, default=Presence.AVAILABLE
    )
    presence_changed_at = models.DateTimeField(null=True, blank=True)
    notify_by_email = models.BooleanField(_("notify me by e-mail"), default=True)
    notify_by_sms = models.BooleanField(_("notify me by SMS"), default=False)
    # Part of every session's check (as the password is): a new value ends the person's
    # sessions everywhere (accounts.services.end_sessions). Empty: as Django computes it.
    session_generation = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_session_auth_hash(self) -> str:
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _session_hash(self, *, secret: str | None) -> str:
        # Django's own salt and input, plus the generation: sessions from before this change
        # stay valid until the first end_sessions().
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password + (f":{self.session_generation}" if self.session_generation else "")
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def is_absent_at(self, moment: datetime) -> bool:
        return self.absences.filter(starts_at__lte=moment, ends_at__gt=moment).exists()


class Membership(models.Model):
    """A person works for a dealership in one role. A person may work for several dealerships."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    dealership = models.ForeignKey(
        "dealers.Dealership", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "dealership"], name="one_role_per_dealership")
        ]
        indexes = [models.Index(fields=["dealership", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.dealership}"


class Team(models.Model):
    """A group of a dealership's people measured together (new cars, used cars, the BDC desk).
    The dashboards filter on it: the leads assigned to its members at that dealership."""

    dealership = models.ForeignKey(
        "dealers.Dealership", on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=80)
    members = models.ManyToManyField(
        User, related_name="teams", blank=True, verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["dealership", "name"], name="one_team_name_per_dealership"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Absence(models.Model):
    """A period a person is not working (holiday, sickness, training), recorded by a manager."""

    class Reason(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        SICK = "sick", _("Sick")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, default="holiday")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An absence must end after it starts.")})
