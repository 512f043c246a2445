"""Tasks (a lead's next actions) and cadences (a dealership's follow-up process)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealership
from leads.models import Lead

User = settings.AUTH_USER_MODEL


class TaskKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    APPOINTMENT = "appointment", _("Appointment")


class Cadence(models.Model):
    """A dealership's follow-up process for one stage of a lead, as steps on days."""

    class Stage(models.TextChoices):
        NO_CONTACT = "no_contact", _("No contact yet")
        NO_APPOINTMENT = "no_appointment", _("Contacted, no appointment yet")

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="cadences")
    stage = models.CharField(_("for leads with"), max_length=16, choices=Stage.choices)
    hand_to_bdc = models.BooleanField(
        _("then hand the lead to the BDC"),
        default=False,
        help_text=_("When the last step is done or missed and the goal is not reached."),
    )

    class Meta:
        ordering = ["dealership", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["dealership", "stage"], name="one_cadence_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.dealership}: {self.get_stage_display()}"


class CadenceStep(models.Model):
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="steps")
    day = models.PositiveSmallIntegerField(_("day"), help_text=_("0 is the day the stage starts."))
    kind = models.CharField(_("action"), max_length=12, choices=TaskKind.choices)

    class Meta:
        ordering = ["cadence", "day", "id"]

    def __str__(self) -> str:
        return f"{self.cadence} — {self.day}: {self.get_kind_display()}"


class Task(models.Model):
    """A next action on a lead, for one person, due at a time."""

    class State(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("No longer needed")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="+")
    assigned_to = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    kind = models.CharField(_("action"), max_length=12, choices=TaskKind.choices)
    due_at = models.DateTimeField(_("due"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    step = models.ForeignKey(
        CadenceStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(max_length=16, choices=Cadence.Stage.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=14, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "state", "due_at"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["lead", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.lead_id} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_at < timezone.now()
