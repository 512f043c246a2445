"""Trade-in appraisals: the dealership's inspection checklist, and per lead the answers, photos,
valuation and the offer the customer receives."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealership
from leads.models import Lead

User = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class ItemKind(models.TextChoices):
    CHECK = "check", _("Pass / fail / not applicable")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("N/A")


class ChecklistItem(models.Model):
    """One line of a dealership's inspection checklist, as its managers configure it."""

    dealership = models.ForeignKey(
        Dealership, on_delete=models.CASCADE, related_name="checklist_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=8, choices=ItemKind.choices, default=ItemKind.CHECK
    )
    unit = models.CharField(
        _("unit"), max_length=12, blank=True, help_text=_("For numbers, e.g. mm or km.")
    )
    enabled = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["dealership", "position", "id"]

    def __str__(self) -> str:
        return self.label


def _default_valid_until():
    return timezone.localdate() + timedelta(days=7)


class Appraisal(models.Model):
    """The inspection of one lead's trade-in and the offer made for it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="appraisal")
    appraised_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("appraiser")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    valuation = models.DecimalField(
        _("valuation"),
        null=True,
        blank=True,
        help_text=_("What the car is worth to us. The customer never sees it."),
        **MONEY,
    )
    offer = models.DecimalField(_("offer"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    offer_valid_until = models.DateField(_("offer valid until"), default=_default_valid_until)
    remarks = models.TextField(_("remarks for the customer"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__gte=0) | models.Q(offer__isnull=True),
                name="appraisal_offer_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(valuation__gte=0) | models.Q(valuation__isnull=True),
                name="appraisal_valuation_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} — {self.get_status_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ChecklistAnswer(models.Model):
    """An answer to one checklist line. Label, kind and unit are copied from the item so the
    appraisal reads the same after the checklist is edited or the item removed."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["appraisal", "position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def answered(self) -> bool:
        if self.kind == ItemKind.CHECK:
            return bool(self.result)
        if self.kind == ItemKind.NUMBER:
            return self.value is not None
        return bool(self.note)


def photo_path(photo: AppraisalPhoto, filename: str) -> str:
    # The name is ours, never the uploader's: the extension follows the sniffed type.
    return f"appraisals/{photo.appraisal_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class AppraisalPhoto(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=20, editable=False)
    size = models.PositiveIntegerField(editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["appraisal", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.file.name
