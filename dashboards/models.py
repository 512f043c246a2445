"""The manager's targets: the share of leads that should reach a sale or an appointment."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealers.models import Condition, Dealership
from leads.models import LeadType, Source


class Channel(models.TextChoices):
    ONLINE = "online", _("All online")
    PORTAL = Source.Kind.PORTAL.value, Source.Kind.PORTAL.label
    WEBSITE = Source.Kind.WEBSITE.value, Source.Kind.WEBSITE.label
    IMPORTER = Source.Kind.IMPORTER.value, Source.Kind.IMPORTER.label
    PHONE = Source.Kind.PHONE.value, Source.Kind.PHONE.label
    WALK_IN = Source.Kind.WALK_IN.value, Source.Kind.WALK_IN.label
    LIST = Source.Kind.LIST.value, Source.Kind.LIST.label
    OTHER = Source.Kind.OTHER.value, Source.Kind.OTHER.label


class Metric(models.TextChoices):
    SOLD = "sold", _("Sold")
    APPOINTMENT = "appointment", _("Appointment")


class Target(models.Model):
    """`value` % of the leads in scope should reach `metric`. A blank scope field means "any";
    no dealership means the default for every dealership, which a dealership's own target of the
    same scope overrides."""

    dealership = models.ForeignKey(
        Dealership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("dealership"),
        help_text=_("Empty: the default for every dealership."),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True, help_text=_("Empty: all.")
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("source"),
        help_text=_("A single source, instead of a channel."),
    )
    lead_type = models.CharField(
        _("lead type"), max_length=16, choices=LeadType.choices, blank=True
    )
    condition = models.CharField(
        _("new or used"), max_length=8, choices=Condition.choices, blank=True
    )
    metric = models.CharField(_("figure"), max_length=12, choices=Metric.choices)
    value = models.DecimalField(
        _("target %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["dealership_id", "metric", "channel", "lead_type", "condition", "pk"]

    def __str__(self) -> str:
        return f"{self.scope_label()}: {self.get_metric_display()} {self.value}%"

    def clean(self) -> None:
        if self.source_id and self.channel:
            raise ValidationError(_("Choose a channel or a single source, not both."))
        if self.source_id and self.dealership_id != self.source.dealership_id:
            raise ValidationError(
                {"source": _("A source target belongs to the source's own dealership.")}
            )

    def scope(self) -> tuple:
        """What the target is about, without the dealership: a dealership's own target replaces the
        default with the same scope."""
        return (self.channel, self.source_id, self.lead_type, self.condition, self.metric)

    def scope_label(self) -> str:
        parts = [
            str(self.source) if self.source_id else self.get_channel_display() or _("All leads"),
            self.get_lead_type_display() if self.lead_type else "",
            self.get_condition_display() if self.condition else "",
        ]
        return " · ".join(str(p) for p in parts if p)

    def is_met(self, percent: float | None) -> bool | None:
        return None if percent is None else Decimal(str(round(percent, 4))) >= self.value
