"""What a dealership sends out and to whom: forwarding rules, each delivery with its attempts,
and the tokens other systems use to read leads and report sales."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealership
from leads.lifecycle import Status
from leads.models import Lead, LeadEvent, LeadType, Source

User = settings.AUTH_USER_MODEL


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Forwarding(models.Model):
    """Send a dealership's leads to another system when something happens to them."""

    class Trigger(models.TextChoices):
        CREATED = "created", _("A lead arrives")
        ASSIGNED = "assigned", _("A lead is assigned")
        STATUS_CHANGED = "status_changed", _("A lead's status changes")

    class Format(models.TextChoices):
        ADF = "adf", _("ADF XML")
        JSON = "json", _("JSON (DealerLMS lead contract)")

    class Transport(models.TextChoices):
        HTTP = "http", _("HTTP POST")
        EMAIL = "email", _("E-mail")

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="forwardings")
    name = models.CharField(_("name"), max_length=80)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    trigger = models.CharField(
        _("when"), max_length=16, choices=Trigger.choices, default=Trigger.CREATED
    )
    sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="+",
        verbose_name=_("only from these sources"),
        help_text=_("None chosen: every source."),
    )
    lead_types = models.JSONField(_("only these lead types"), default=list, blank=True)
    statuses = models.JSONField(_("only on a move to these statuses"), default=list, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    transport = models.CharField(_("sent by"), max_length=8, choices=Transport.choices)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dealership", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dealership", "name"], name="unique_forwarding_name"),
            models.CheckConstraint(
                condition=(models.Q(transport="http") & ~models.Q(url=""))
                | (models.Q(transport="email") & ~models.Q(email="")),
                name="forwarding_has_a_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def target(self) -> str:
        return self.url if self.transport == self.Transport.HTTP else self.email

    def wants(
        self, *, event_kind: str, lead_type: str, source_id: int | None, status_to: str
    ) -> bool:
        """Whether an event of this kind on such a lead is one this forwarding sends."""
        if event_kind != self.trigger:
            return False
        if self.lead_types and lead_type not in self.lead_types:
            return False
        status_filtered = self.trigger == self.Trigger.STATUS_CHANGED and self.statuses
        if status_filtered and status_to not in self.statuses:
            return False
        source_ids = {s.pk for s in self.sources.all()}
        return not source_ids or source_id in source_ids


LEAD_TYPE_CHOICES = LeadType.choices
STATUS_CHOICES = Status.choices


class Delivery(models.Model):
    """One lead sent (or to be sent) by one forwarding; retried with backoff until it is
    delivered or has failed for good, and re-sendable by a person."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Will retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    forwarding = models.ForeignKey(Forwarding, on_delete=models.CASCADE, related_name="deliveries")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        LeadEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_answer = models.CharField(_("last answer"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["forwarding", "event"], name="one_delivery_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.forwarding} → lead #{self.lead_id} ({self.state})"


class DeliveryAttempt(models.Model):
    """What the other side answered, once per try: the delivery's log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}: {self.answer[:60]}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A token another system uses to read a dealership's leads or report its sales. Only its
    hash is stored: the token itself is shown once, when it is made."""

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    can_read_leads = models.BooleanField(_("may read leads"), default=True)
    can_report_sales = models.BooleanField(_("may report sales"), default=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dealership", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def issue(self) -> str:
        """Make a new secret token, keep its hash; returns the token, to be shown once."""
        token = "dlms_" + secrets.token_urlsafe(32)
        self.prefix = token[5:13]
        self.token_hash = hash_token(token)
        return token


class SaleReport(models.Model):
    """A sale the dealer management system reported (webhook or CSV), with what came of it."""

    class Outcome(models.TextChoices):
        CLOSED = "closed", _("Lead closed as sold")
        ALREADY_SOLD = "already_sold", _("Lead was already sold")
        NO_LEAD = "no_lead", _("No matching lead")

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=8)  # "api" or "csv"
    reported_by = models.CharField(max_length=120, blank=True)
    data = models.JSONField(default=dict)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=14, choices=Outcome.choices)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.via}: {self.outcome}"
