"""Automations: rules keyed on lead events, message templates, the scheduled actions the
dispatcher sends, the messages it sent, opt-outs, and the notifications staff receive."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Condition, Dealership
from leads.lifecycle import Status
from leads.models import Customer, Lead, LeadEvent, Source

User = settings.AUTH_USER_MODEL
WEEKDAYS_BUT_SUNDAY = [0, 1, 2, 3, 4, 5]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


# The channels a MessageTemplate is written for (WhatsApp sends WhatsAppTemplate, approved ones).
TEMPLATE_CHANNELS = [
    (Channel.EMAIL.value, Channel.EMAIL.label),
    (Channel.SMS.value, Channel.SMS.label),
]
CHANNEL_LENGTH = 10


class MessageTemplate(models.Model):
    """Subject and body in each language the dealership speaks; the recipient's language picks
    the version (then the dealership's, then any written one). Placeholders: automation.render."""

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(_("name"), max_length=120)
    key = models.SlugField(
        _("ready-made template"), max_length=40, blank=True, help_text=_("Set for ready-made ones.")
    )
    subject_nl = models.CharField(_("subject (Dutch)"), max_length=200, blank=True)
    body_nl = models.TextField(_("text (Dutch)"), blank=True)
    subject_fr = models.CharField(_("subject (French)"), max_length=200, blank=True)
    body_fr = models.TextField(_("text (French)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dealership", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dealership", "name"], name="unique_template_name")
        ]

    def __str__(self) -> str:
        return self.name

    def languages(self) -> list[str]:
        return [code for code in ("nl", "fr", "en") if getattr(self, f"body_{code}").strip()]

    def version(self, *preferred: str) -> tuple[str, str, str]:
        """(language, subject, body) in the first preferred language that is written."""
        written = self.languages()
        for code in (*preferred, *written):
            if code in written:
                return code, getattr(self, f"subject_{code}"), getattr(self, f"body_{code}")
        return "", "", ""


class WhatsAppTemplate(models.Model):
    """A template the dealership had approved for WhatsApp (Twilio Content API, a content SID
    HX…): the only kind of WhatsApp message allowed outside the 24-hour window after the
    customer's last message. Its text has numbered variables {{1}}, {{2}}…; `variables` says
    which of our placeholders (automation.render) fills each, in order."""

    dealership = models.ForeignKey(
        Dealership, on_delete=models.CASCADE, related_name="whatsapp_templates"
    )
    name = models.CharField(_("name"), max_length=120)
    content_sid = models.CharField(
        _("Twilio content SID"),
        max_length=34,
        validators=[
            RegexValidator(
                r"^HX[0-9a-f]{32}$",
                _(
                    "A content SID is HX followed by 32 hexadecimal characters (Twilio Console → "
                    "Content Template Builder)."
                ),
            )
        ],
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(
        _("approved text"),
        help_text=_("As approved by WhatsApp, with its variables {{1}}, {{2}}…"),
    )
    variables = models.JSONField(_("variables"), default=list, blank=True)
    is_enabled = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dealership", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dealership", "name"], name="unique_whatsapp_template_name"
            ),
            models.UniqueConstraint(
                fields=["dealership", "content_sid"], name="unique_whatsapp_content_sid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Trigger(models.TextChoices):
    CREATED = "created", _("Lead created")
    MODIFIED = "modified", _("Lead modified")
    ASSIGNED = "assigned", _("Assigned (processing started)")
    STATUS_CHANGED = "status_changed", _("Status changed to…")
    CONTACT_ATTEMPT = "contact_attempt", _("Contact attempt logged")
    SOLD = "sold", _("Closed: sold")
    LOST = "lost", _("Closed: lost")
    APPOINTMENT = "appointment", _("Appointment set (time counts from the appointment)")
    NO_CONTACT = "no_contact", _("No contact yet (counts from the lead's arrival)")


class Unit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class Direction(models.TextChoices):
    AFTER = "after", _("after")
    BEFORE = "before", _("before")


class Activity(models.TextChoices):
    ANY = "", _("Active and passive")
    ACTIVE = "active", _("Active only")
    PASSIVE = "passive", _("Passive only")


class Rule(models.Model):
    """When <trigger> happens to a lead that meets the conditions, send <template> to the
    recipients by <channel>, <offset> after (or before) it, inside the sending window."""

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("name"), max_length=120)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    trigger_status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, blank=True
    )
    offset_amount = models.PositiveIntegerField(_("wait"), default=0)
    offset_unit = models.CharField(
        _("unit"), max_length=8, choices=Unit.choices, default=Unit.MINUTES
    )
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.AFTER
    )
    # Conditions: empty means "any". Checked when the event happens and again when due.
    statuses = models.JSONField(_("lead status is"), default=list, blank=True)
    lead_types = models.JSONField(_("lead type is"), default=list, blank=True)
    source_kinds = models.JSONField(_("source kind is"), default=list, blank=True)
    sources = models.ManyToManyField(Source, blank=True, verbose_name=_("source is"))
    condition = models.CharField(
        _("new or used"), max_length=8, choices=Condition.choices, blank=True
    )
    min_rating = models.PositiveSmallIntegerField(_("rating at least"), null=True, blank=True)
    activity = models.CharField(
        _("active or passive"), max_length=8, choices=Activity.choices, blank=True
    )
    to_customer = models.BooleanField(_("the customer"), default=False)
    to_salesperson = models.BooleanField(_("the assigned salesperson"), default=False)
    to_managers = models.BooleanField(_("the dealership's managers"), default=False)
    channel = models.CharField(
        _("channel"), max_length=CHANNEL_LENGTH, choices=Channel.choices, default=Channel.EMAIL
    )
    # E-mail and SMS send `template`; WhatsApp sends an approved `whatsapp_template` only.
    template = models.ForeignKey(
        MessageTemplate,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("template"),
        null=True,
        blank=True,
    )
    whatsapp_template = models.ForeignKey(
        "WhatsAppTemplate",
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("WhatsApp template"),
        null=True,
        blank=True,
    )
    window_start = models.TimeField(_("send from"), default=time(8))
    window_end = models.TimeField(_("send until"), default=time(20))
    window_days = models.JSONField(_("on"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dealership", "name"]
        indexes = [models.Index(fields=["dealership", "is_enabled", "trigger"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.trigger == Trigger.STATUS_CHANGED and not self.trigger_status:
            errors["trigger_status"] = _("Choose the status that starts this rule.")
        if self.direction == Direction.BEFORE and self.trigger != Trigger.APPOINTMENT:
            errors["direction"] = _("Only an appointment has a time to send before.")
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            errors["window_end"] = _("The window must end after it starts.")
        if not (self.to_customer or self.to_salesperson or self.to_managers):
            errors["to_customer"] = _("Choose at least one recipient.")
        if self.channel == Channel.WHATSAPP:
            if not self.whatsapp_template_id:
                errors["whatsapp_template"] = _(
                    "A WhatsApp rule sends an approved WhatsApp template: choose one."
                )
            if self.to_salesperson or self.to_managers:
                errors["to_salesperson"] = _("WhatsApp messages go to the customer only.")
        elif not self.template_id:
            errors["template"] = _("Choose the template to send.")
        if errors:
            raise ValidationError(errors)

    @property
    def offset(self) -> timedelta:
        delta = timedelta(**{self.offset_unit: self.offset_amount})
        return -delta if self.direction == Direction.BEFORE else delta

    def days(self) -> list[int]:
        return list(self.window_days) if self.window_days else list(range(7))


class ActionState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown (not resent)")


class RecipientKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    SALESPERSON = "salesperson", _("Assigned salesperson")
    USER = "user", _("Staff member")


class ActionKind(models.TextChoices):
    RULE = "rule", _("Automation rule")
    MANUAL = "manual", _("Sent from the lead page")
    REPLY = "reply", _("Written on the lead's conversation")
    NOTIFICATION = "notification", _("Staff notification")
    TEST = "test", _("Test-send to yourself")


class ScheduledAction(models.Model):
    """One message to send at due_at. States: pending → sending (claimed) → sent | skipped |
    failed | unknown; pending → cancelled. Only a pending row is ever claimed, so each is sent at
    most once; a row stuck in 'sending' after a crash becomes 'unknown', never resent blindly."""

    kind = models.CharField(max_length=12, choices=ActionKind.choices, default=ActionKind.RULE)
    rule = models.ForeignKey(
        Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A WhatsApp message from an approved template (a rule's, or chosen on the conversation).
    whatsapp_template = models.ForeignKey(
        "WhatsAppTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="scheduled_actions"
    )
    event = models.ForeignKey(
        LeadEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notification = models.ForeignKey(
        "Notification", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    recipient_kind = models.CharField(max_length=12, choices=RecipientKind.choices)
    recipient_user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=CHANNEL_LENGTH, choices=Channel.choices)
    # The moment the offset counts from (event time, or the appointment time it was planned for).
    anchor_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(db_index=True)
    state = models.CharField(
        max_length=10, choices=ActionState.choices, default=ActionState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    dedup_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    # A reply a person wrote themselves (kind 'reply'): the text to send, no template.
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The dispatcher's claim: pending rows by due time, nothing else.
            models.Index(
                fields=["due_at"],
                name="action_pending_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["rule", "state"]),
            models.Index(fields=["state", "claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.state} @ {self.due_at:%Y-%m-%d %H:%M}"


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")  # WhatsApp's read receipt
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


# Callbacks arrive out of order: a status only moves forward.
STATUS_RANK = {
    "sending": 0,
    "queued": 1,
    "sent": 2,
    "delivered": 3,
    "read": 4,
    "failed": 5,
    "bounced": 5,
}


class OutboundMessage(models.Model):
    """A message handed to the e-mail provider or Twilio, and what became of it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(  # one per attempt: a retried action has several
        ScheduledAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="outbound_messages"
    )
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=CHANNEL_LENGTH, choices=Channel.choices)
    to = models.CharField(max_length=320)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    provider_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENDING
    )
    status_detail = models.CharField(max_length=300, blank=True)
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to} ({self.status})"


class OptOut(models.Model):
    """Someone asked not to get messages on a channel (STOP by SMS, the unsubscribe link, a
    provider's complaint). Every later send to that address on that channel is skipped."""

    class Origin(models.TextChoices):
        SMS_STOP = "sms_stop", _("Replied STOP")
        LINK = "link", _("Unsubscribe link")
        PROVIDER = "provider", _("Complaint or unsubscribe at the e-mail provider")
        STAFF = "staff", _("Recorded by staff")

    channel = models.CharField(max_length=CHANNEL_LENGTH, choices=Channel.choices)
    address = models.CharField(max_length=320)  # lower-cased e-mail or E.164 number
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="opt_outs"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="one_opt_out_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.address}"


class InboundSms(models.Model):
    """An SMS or WhatsApp message a customer sent to our Twilio number, as it arrived (kept once
    per MessageSid). A WhatsApp message's `to_number` is the dealership's WhatsApp sender: the
    customer's last one opens WhatsApp's 24-hour window (automation.whatsapp)."""

    sid = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=CHANNEL_LENGTH, choices=Channel.choices, default="sms")
    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32, blank=True)
    profile_name = models.CharField(max_length=120, blank=True)  # WhatsApp's ProfileName
    body = models.TextField(blank=True)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_sms"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The WhatsApp window: the customer's last message to the dealership's sender.
            models.Index(fields=["from_number", "channel", "to_number", "received_at"])
        ]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("A lead was assigned to me")
    ESCALATED = "escalated", _("A lead was escalated")
    REPLY = "reply", _("A customer replied")
    AUTOMATION = "automation", _("Automation messages addressed to me")


class Notification(models.Model):
    """An in-app notification; e-mail and SMS copies go out through the dispatcher."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Which notifications a person gets, and by which channel besides the in-app list."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    enabled = models.BooleanField(_("notify me"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=False)
    by_sms = models.BooleanField(_("by SMS"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_pref_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"
