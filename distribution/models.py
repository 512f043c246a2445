"""Who gets a lead: a dealership's ordered rules, their teams, the rotation state, and what
distribution remembers about each lead it routed."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Condition, Dealership
from leads.models import Lead, LeadType, Source

User = settings.AUTH_USER_MODEL


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin (weighted, fair over time)")
    VEHICLE_OWNER = "vehicle_owner", _("Owner of the stock vehicle")
    LEAST_LOADED = "least_loaded", _("Fewest open leads")
    MANUAL = "manual", _("Manager's unassigned queue")
    BDC_QUEUE = "bdc_queue", _("BDC queue")


# A fallback must not itself need a fallback.
FALLBACK_STRATEGIES = [(v, label) for v, label in Strategy.choices if v != Strategy.VEHICLE_OWNER]


class Activity(models.TextChoices):
    ACTIVE = "active", _("Active leads (the customer asked)")
    PASSIVE = "passive", _("Passive leads (lists, re-activation)")


class DeadlineClock(models.TextChoices):
    OPENING_HOURS = "opening_hours", _("Opening hours only")
    WALL_CLOCK = "wall_clock", _("Around the clock")


class OnDeadline(models.TextChoices):
    ALERT = "alert", _("Alert the manager")
    NEXT = "next", _("Move the lead to the next person")
    BOTH = "both", _("Both: alert and move")


class DistributionRule(models.Model):
    """One line of a dealership's distribution: which leads (all match fields blank = all of
    them), to whom and how, and how fast they must be contacted. The first matching rule wins;
    the two default rules (active, passive) come last and always match."""

    dealership = models.ForeignKey(
        Dealership, on_delete=models.CASCADE, related_name="distribution_rules"
    )
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    is_default = models.BooleanField(default=False, editable=False)
    # What it matches; blank means "any".
    activity = models.CharField(
        _("active or passive"), max_length=8, choices=Activity.choices, default=Activity.ACTIVE
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    source_kind = models.CharField(
        _("source kind"), max_length=10, choices=Source.Kind.choices, blank=True
    )
    lead_type = models.CharField(
        _("lead type"), max_length=16, choices=LeadType.choices, blank=True
    )
    condition = models.CharField(
        _("new or used"), max_length=8, choices=Condition.choices, blank=True
    )
    time_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    time_until = models.TimeField(_("until (time of day)"), null=True, blank=True)
    # What it does.
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    fallback = models.CharField(
        _("fallback strategy"),
        max_length=16,
        choices=FALLBACK_STRATEGIES,
        default=Strategy.ROUND_ROBIN,
        help_text=_("When the strategy finds nobody (the vehicle's owner is away, …)."),
    )
    contact_minutes = models.PositiveIntegerField(
        _("first contact within (minutes)"),
        default=5,
        validators=[MaxValueValidator(60 * 24 * 7)],
        help_text=_("0: no deadline."),
    )
    deadline_clock = models.CharField(
        _("deadline counted in"),
        max_length=16,
        choices=DeadlineClock.choices,
        default=DeadlineClock.OPENING_HOURS,
    )
    on_deadline = models.CharField(
        _("when the deadline passes"),
        max_length=8,
        choices=OnDeadline.choices,
        default=OnDeadline.ALERT,
    )
    allow_take = models.BooleanField(
        _("salespeople may take unassigned leads"),
        default=False,
        help_text=_("A lead of this rule that waits unassigned can be taken by a team member."),
    )
    catch_up = models.BooleanField(
        _("catch up after absence"),
        default=False,
        help_text=_(
            "Someone who was away keeps earning turns and gets them on return. Off: nobody "
            "comes back to a flood of leads."
        ),
    )
    call_bridge = models.BooleanField(
        _("ring the salesperson's phone (call bridge)"),
        default=True,
        help_text=_(
            "When this rule assigns an active lead with a phone number, Twilio calls the "
            "salesperson and connects the customer. Needs the call bridge on in the "
            "dealership's call settings."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dealership", "is_default", "position", "pk"]
        indexes = [models.Index(fields=["dealership", "is_enabled", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dealership", "activity"],
                condition=models.Q(is_default=True),
                name="one_default_rule_per_activity",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.activity == Activity.PASSIVE and self.strategy != Strategy.BDC_QUEUE:
            raise ValidationError(
                {"strategy": _("Passive leads go to the BDC queue, not to salespeople.")}
            )
        if (self.time_from is None) != (self.time_until is None):
            raise ValidationError({"time_until": _("Give both times of day, or neither.")})
        if self.time_from is not None and self.time_from == self.time_until:
            raise ValidationError({"time_until": _("The times of day must differ.")})
        if (
            self.source_id
            and self.dealership_id
            and self.source.dealership_id != self.dealership_id
        ):
            raise ValidationError({"source": _("That source belongs to another dealership.")})

    def in_time_window(self, local: time) -> bool:
        if self.time_from is None or self.time_until is None:
            return True
        if self.time_from < self.time_until:
            return self.time_from <= local < self.time_until
        return local >= self.time_from or local < self.time_until  # e.g. 18:00–09:00

    def matches(self, lead: Lead, at: datetime) -> bool:
        if not self.is_enabled:
            return False
        if (self.activity == Activity.PASSIVE) != lead.is_passive:
            return False
        if self.is_default:
            return True
        source = lead.source
        if self.source_id and (source is None or source.pk != self.source_id):
            return False
        if self.source_kind and (source is None or source.kind != self.source_kind):
            return False
        if self.lead_type and lead.lead_type != self.lead_type:
            return False
        if self.condition and (lead.vehicle is None or lead.vehicle.condition != self.condition):
            return False
        # The lead's dealership is the rule's, and the lead carries it as read with its lock.
        return self.in_time_window(at.astimezone(lead.dealership.tz).time())


class TeamMember(models.Model):
    """A salesperson in a rule's team, with their share (weight) and their cap of open leads.
    A rule without members distributes over all the dealership's salespeople, weight 1."""

    rule = models.ForeignKey(DistributionRule, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_open_leads = models.PositiveIntegerField(
        _("cap of open leads"), null=True, blank=True, help_text=_("Empty: no cap.")
    )

    class Meta:
        ordering = ["rule", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="one_membership_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.user} ×{self.weight}"


class Rotation(models.Model):
    """The round-robin state of one rule: every pick locks this row (SELECT … FOR UPDATE), so
    concurrent workers take turns and produce the same sequence one worker would.

    `credits` maps user id → integer credit (smooth weighted round-robin): on each pick every
    eligible member earns their weight, the richest is chosen and pays the total earned. A
    member who is skipped (away, absent, off shift, at cap) earns nothing, so they return with
    the credit they left with: no flood to catch up, unless the rule's `catch_up` lets skipped
    members keep earning."""

    rule = models.OneToOneField(DistributionRule, on_delete=models.CASCADE, related_name="rotation")
    credits = models.JSONField(default=dict)
    picks = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"rotation of {self.rule}"


class DistributionSettings(models.Model):
    """Per dealership: when a lead gives up on its salesperson, and when lost leads come back."""

    dealership = models.OneToOneField(
        Dealership, on_delete=models.CASCADE, related_name="distribution_settings"
    )
    max_failed_attempts = models.PositiveSmallIntegerField(
        _("failed contact attempts before the BDC takes over"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    reactivation_days = models.PositiveIntegerField(
        _("days before lost leads return for re-activation"),
        default=90,
        validators=[MaxValueValidator(3650)],
        help_text=_("0: lost leads never return."),
    )

    def __str__(self) -> str:
        return f"distribution settings of {self.dealership}"


class Routing(models.Model):
    """What distribution did with one lead. Its existence makes routing idempotent (a job run
    twice finds it and stops); it remembers who was tried and which deadline was escalated."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        MANAGER_QUEUE = "manager", _("In the manager's unassigned queue")
        WAITING = "waiting", _("Waiting for someone available")
        BDC_QUEUE = "bdc", _("In the BDC queue")
        REACTIVATION = "reactivation", _("In the BDC re-activation queue")

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="routing")
    rule = models.ForeignKey(
        DistributionRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=12, choices=State.choices, db_index=True)
    routed_at = models.DateTimeField(default=timezone.now)
    tried_user_ids = models.JSONField(default=list, blank=True)
    escalated_deadline_at = models.DateTimeField(null=True, blank=True)
    moved_to_bdc_at = models.DateTimeField(null=True, blank=True)
    reactivated_for_closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.state}"


class SetupStamp(models.Model):
    """Takes a new random value whenever the dealership's rules, their teams or its opening
    hours change, in the same transaction (distribution.setup): worker processes keep those in
    memory between leads and compare this value, read with the lead's lock, before using them.
    Random rather than counted, so that a value is never seen twice for different set-ups (a
    rolled-back transaction, a dealership id used again)."""

    dealership = models.OneToOneField(
        Dealership,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="distribution_setup_stamp",
    )
    value = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"set-up {self.value} of {self.dealership_id}"
