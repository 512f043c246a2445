"""The phone side: a dealership's call settings, tracking numbers per source, and every call
(bridge, click-to-call, inbound) with its legs and timings. The state of a call lives here, so
that a webhook retried by Twilio finds the call where the first delivery left it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealership, StockVehicle
from dealers.phones import validate_e164
from leads.models import Lead, Source

User = settings.AUTH_USER_MODEL


class CallSettings(models.Model):
    dealership = models.OneToOneField(
        Dealership, on_delete=models.CASCADE, related_name="call_settings"
    )
    bridge_on_assignment = models.BooleanField(
        _("call bridge on assignment"),
        default=False,
        help_text=_(
            "When an active lead with a phone number is assigned, call the salesperson and "
            "connect them to the customer."
        ),
    )
    ring_seconds = models.PositiveSmallIntegerField(_("ring for (seconds)"), default=20)
    retry_minutes = models.PositiveSmallIntegerField(_("retry after (minutes)"), default=5)
    tries_per_person = models.PositiveSmallIntegerField(
        _("calls to one person before the next"), default=2
    )
    record_calls = models.BooleanField(_("record calls"), default=False)
    consent_message = models.CharField(
        _("recording announcement"),
        max_length=300,
        blank=True,
        help_text=_("Said to the customer before a recorded call. Empty: a standard sentence."),
    )

    def __str__(self) -> str:
        return f"call settings of {self.dealership}"


class TrackingNumber(models.Model):
    """A Twilio number that belongs to a source (and maybe to one ad's vehicle)."""

    dealership = models.ForeignKey(
        Dealership, on_delete=models.CASCADE, related_name="tracking_numbers"
    )
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tracking_numbers")
    number = models.CharField(
        _("Twilio number"), max_length=16, unique=True, validators=[validate_e164]
    )
    stock_vehicle = models.ForeignKey(
        StockVehicle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle of the ad"),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)

    def __str__(self) -> str:
        return f"{self.number} ({self.source})"


class Direction(models.TextChoices):
    BRIDGE = "bridge", _("Call bridge")
    CLICK = "click", _("Click-to-call")
    INBOUND = "inbound", _("Incoming call")


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DIALING_AGENT = "dialing_agent", _("Calling the salesperson")
    AGENT_ANSWERED = "agent_answered", _("Salesperson answered")
    DIALING_CUSTOMER = "dialing_customer", _("Calling the customer")
    RINGING = "ringing", _("Ringing the team")
    CONNECTED = "connected", _("Connected")
    DONE = "done", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    CUSTOMER_NO_ANSWER = "customer_no_answer", _("Customer did not answer")
    VOICEMAIL = "voicemail", _("Voicemail")
    AGENT_NO_ANSWER = "agent_no_answer", _("Salesperson did not answer")
    AGENT_LATER = "agent_later", _("Salesperson chose later")
    MISSED = "missed", _("Missed call")
    FAILED = "failed", _("Could not call")


class Rating(models.TextChoices):
    OPPORTUNITY = "opportunity", _("Real opportunity")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class MarkedOutcome(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment set")
    CALL_BACK = "call_back", _("Call back agreed")
    NOT_INTERESTED = "not_interested", _("Not interested")


class Call(models.Model):
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="calls")
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="calls"
    )
    direction = models.CharField(_("kind"), max_length=8, choices=Direction.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    agent = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    agent_number = models.CharField(max_length=16, blank=True)
    customer_number = models.CharField(max_length=16, blank=True)
    caller_id = models.CharField(max_length=16, blank=True)
    tracking_number = models.ForeignKey(
        TrackingNumber, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    try_number = models.PositiveSmallIntegerField(default=1)
    # Inbound: the people rung in turn, and where we are in that list.
    ring_user_ids = models.JSONField(default=list, blank=True)
    ring_step = models.PositiveSmallIntegerField(default=0)
    agent_call_sid = models.CharField(max_length=40, null=True, blank=True, unique=True)
    customer_call_sid = models.CharField(max_length=40, null=True, blank=True, unique=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    lead_received_at = models.DateTimeField(null=True, blank=True)
    dialed_at = models.DateTimeField(null=True, blank=True)
    agent_answered_at = models.DateTimeField(null=True, blank=True)
    customer_answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_sid = models.CharField(max_length=40, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    recording_seconds = models.PositiveIntegerField(null=True, blank=True)
    logged_event_id = models.BigIntegerField(null=True, blank=True, editable=False)
    rating = models.CharField(_("rating"), max_length=14, choices=Rating.choices, blank=True)
    marked_outcome = models.CharField(
        _("result"), max_length=16, choices=MarkedOutcome.choices, blank=True
    )
    rated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dealership", "created_at"]),
            models.Index(fields=["state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"call #{self.pk} {self.direction} {self.state}"

    def seconds_between(self, start, end) -> int | None:
        if start is None or end is None:
            return None
        return max(0, int((end - start).total_seconds()))

    @property
    def to_agent_seconds(self) -> int | None:
        return self.seconds_between(self.lead_received_at, self.agent_answered_at)

    @property
    def to_customer_seconds(self) -> int | None:
        return self.seconds_between(self.lead_received_at, self.customer_answered_at)
