"""Dealer groups, their dealerships (rooftops), opening hours and stock vehicles."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealers.phones import validate_e164


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class DealerGroup(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_(
            "Everyone who works for a dealership of this group logs in with a code from an "
            "authenticator app as well as their password; who has not set it up yet does so "
            "before anything else."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dealership(models.Model):
    """One rooftop: where leads arrive, people work and vehicles stand."""

    group = models.ForeignKey(DealerGroup, on_delete=models.PROTECT, related_name="dealerships")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(unique=True)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO code; the region for reading phone numbers.")
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    inbound_address = models.EmailField(
        _("inbound lead address"), unique=True, help_text=_("Portals send leads to this address.")
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[validate_e164])
    # The Twilio number enabled for WhatsApp (Twilio's SMS number is TWILIO_FROM_NUMBER, one for
    # the whole installation; each dealership has a WhatsApp business profile of its own).
    whatsapp_number = models.CharField(
        _("WhatsApp sender"),
        max_length=16,
        blank=True,
        validators=[validate_e164],
        help_text=_(
            "The Twilio number enabled for WhatsApp, e.g. +3197010520000. Empty: WhatsApp is off."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    retention_months = models.PositiveSmallIntegerField(
        _("keep personal data for (months)"),
        null=True,
        blank=True,
        help_text=_(
            "After this many months, the personal data of closed leads and the raw inbound "
            "messages are erased. Empty: kept."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # An incoming WhatsApp message finds its dealership by the number it was sent to.
            models.UniqueConstraint(
                fields=["whatsapp_number"],
                condition=~models.Q(whatsapp_number=""),
                name="one_dealership_per_whatsapp_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_open_at(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(
            hours.opens <= local.time() < hours.closes
            for hours in self.opening_hours.all()
            if hours.weekday == local.weekday()
        )


class OpeningHours(models.Model):
    """One opening interval on a weekday; a day may have several (a lunch break splits it)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    dealership = models.ForeignKey(
        Dealership, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), default=time(9))
    closes = models.TimeField(_("closes"), default=time(18))

    class Meta:
        ordering = ["dealership", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Condition(models.TextChoices):
    NEW = "new", pgettext_lazy("vehicle condition", "New")
    USED = "used", pgettext_lazy("vehicle condition", "Used")


class StockVehicle(models.Model):
    """A vehicle on the dealership's lot, owned by the salesperson who bought or manages it."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        SOLD = "sold", _("Sold")

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="stock")
    stock_number = models.CharField(_("stock number"), max_length=40)
    vin = models.CharField(_("VIN"), max_length=17, blank=True, db_index=True)
    registration = models.CharField(_("registration"), max_length=16, blank=True)
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices)
    make = models.CharField(_("make"), max_length=60)
    model = models.CharField(_("model"), max_length=80)
    trim = models.CharField(_("trim"), max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_vehicles",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["make", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["dealership", "stock_number"], name="unique_stock_number"
            )
        ]

    def __str__(self) -> str:
        return " ".join(str(p) for p in (self.year, self.make, self.model, self.trim) if p)

    def save(self, *args, **kwargs) -> None:
        self.vin = self.vin.replace(" ", "").upper()
        self.registration = "".join(ch for ch in self.registration.upper() if ch.isalnum())
        super().save(*args, **kwargs)
