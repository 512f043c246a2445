"""Leads and everything they are made of: sources, inbound messages, customers, vehicles, events."""

from __future__ import annotations

import hashlib
import io
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from dealers.models import Condition, Dealership, StockVehicle
from dealers.phones import validate_e164
from leads.lifecycle import OPEN_STATUSES, LostReason, Status

User = settings.AUTH_USER_MODEL


class LeadType(models.TextChoices):
    INFO_REQUEST = "info_request", _("Information request")
    TEST_DRIVE = "test_drive", _("Test drive")
    APPOINTMENT = "appointment", _("Appointment")
    TRADE_IN = "trade_in", _("Trade-in")
    FINANCE = "finance", _("Finance")
    QUOTE = "quote", _("Quote")
    CALL = "call", _("Phone call")
    OTHER = "other", _("Other")


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Source(models.Model):
    """Where a dealership's leads come from, and how to recognise them."""

    class Kind(models.TextChoices):
        PORTAL = "portal", _("Portal")
        WEBSITE = "website", _("Own website")
        IMPORTER = "importer", _("Importer")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")
        LIST = "list", _("Passive list")
        OTHER = "other", _("Other")

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sender_patterns = models.TextField(
        _("sender addresses or domains"),
        blank=True,
        help_text=_(
            "One per line: a full address (leads@portal.example) or a domain (portal.example)."
        ),
    )
    tracking_phone = models.CharField(
        _("tracking phone number"), max_length=16, blank=True, validators=[validate_e164]
    )
    is_passive = models.BooleanField(
        _("passive"),
        default=False,
        help_text=_("Passive leads (lists, re-activation) go to the BDC queue: nobody asked."),
    )
    api_token = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The SHA-256 of the key a Google Ads lead form sends as google_key (like api_token).
    google_ads_key = models.CharField(max_length=64, blank=True, editable=False)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["dealership", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dealership", "name"], name="unique_source_name")
        ]

    def __str__(self) -> str:
        return self.name

    def patterns(self) -> list[str]:
        return [p.strip().lower() for p in self.sender_patterns.splitlines() if p.strip()]

    def matches_sender(self, address: str) -> bool:
        address = address.strip().lower()
        domain = address.rpartition("@")[2]
        return any(p in (address, domain) for p in self.patterns())

    def rotate_api_token(self) -> str:
        """A new token for the website's API calls. Only its SHA-256 is kept (a leaked database
        holds no usable token); the token itself is shown once, to the person who made it."""
        token = secrets.token_urlsafe(32)
        self.api_token = hash_api_token(token)
        return token

    def set_google_ads_key(self, key: str | None = None) -> str:
        """The key pasted into a Google Ads lead form's webhook (a new random one when none is
        given). Only its SHA-256 is kept, as for the API token; the key is shown once."""
        key = key or secrets.token_urlsafe(24)
        self.google_ads_key = hash_api_token(key)
        return key

    def google_ads_key_matches(self, key: object) -> bool:
        if not self.google_ads_key or not isinstance(key, str) or not key:
            return False
        return constant_time_compare(self.google_ads_key, hash_api_token(key))


class InboundMessage(models.Model):
    """A lead message exactly as it arrived: stored before anything else, never deleted."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PARSED = "parsed", _("Parsed into a lead")
        MERGED = "merged", _("Merged into an existing lead")
        QUARANTINED = "quarantined", _("Quarantined")
        NOT_A_LEAD = "not_a_lead", _("Not a lead")
        REPLY = "reply", _("A customer's reply, added to the lead's conversation")
        UNROUTED = "unrouted", _("Unknown recipient")
        DISCARDED = "discarded", _("Discarded by a manager")

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=20, default="email")
    provider = models.CharField(_("provider"), max_length=30, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    dedup_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    recipient = models.CharField(_("recipient"), max_length=320, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    # The SMTP envelope's sender, when the provider gives it: a source may be recognised by it.
    envelope_sender = models.CharField(_("envelope sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    dealership = models.ForeignKey(
        Dealership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    # The message as it arrived: in the row, or (over DEALERLMS_INBOUND_INLINE_BYTES) in a file
    # of the default storage named in raw_file, `raw` then empty (leads.inbound_files). Read it
    # with raw_bytes(), raw_head() or open_raw(), never from the fields.
    raw = models.BinaryField(_("raw message"), editable=False, blank=True)
    raw_file = models.FileField(_("raw message file"), max_length=200, blank=True, editable=False)
    raw_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    text = models.TextField(_("text part"), blank=True)
    html = models.TextField(_("HTML part"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    failure_reason = models.TextField(_("why it was not parsed"), blank=True)
    # A manager said "this is a lead" about a message refused as not a lead: the parser then
    # skips its not-a-lead filter (the log says who).
    is_lead_confirmed = models.BooleanField(default=False)
    parsed = models.JSONField(_("normalized lead"), null=True, blank=True)
    parse_attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_messages"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.sender} — {self.subject}"

    def save(self, *args, **kwargs) -> None:
        # ingest.store_message sets the size; a row written another way (the demo) gets it here.
        whole = kwargs.get("update_fields") is None and "raw" not in self.get_deferred_fields()
        if whole and self.raw and not self.raw_size:
            self.raw_size = len(self.raw)
        super().save(*args, **kwargs)

    def raw_bytes(self) -> bytes:
        """The message exactly as it arrived, wherever it is kept (b"" once erased)."""
        if self.raw_file:
            with self.open_raw() as stream:
                return stream.read()
        return bytes(self.raw or b"")

    def raw_head(self, size: int) -> bytes:
        """The first `size` bytes of the message (its headers, a preview), without reading the
        rest of a file."""
        if self.raw_file:
            with self.open_raw() as stream:
                return stream.read(size)
        return bytes(self.raw[:size] if self.raw else b"")

    def open_raw(self):
        """The message as a binary stream (a download streams a large one from its file)."""
        if self.raw_file:
            return self.raw_file.storage.open(self.raw_file.name, "rb")
        return io.BytesIO(bytes(self.raw or b""))


class Customer(models.Model):
    """A person who asked a dealership something; a returning customer keeps one record."""

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="customers")
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    preferred_contact = models.CharField(_("preferred contact"), max_length=8, blank=True)
    consent_email = models.BooleanField(_("e-mail consent"), default=True)
    consent_sms = models.BooleanField(_("SMS consent"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["full_name"]
        # find_or_create_customer matches e-mail case-insensitively (UPPER(email) = UPPER(%s)).
        indexes = [models.Index(Upper("email"), name="customer_email_upper")]

    def __str__(self) -> str:
        return self.full_name or self.email or f"#{self.pk}"

    @property
    def primary_phone(self) -> str:
        phone = next(iter(self.phones.all()), None)
        return phone.number if phone else ""


class CustomerPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")
        FAX = "fax", _("Fax")
        UNKNOWN = "unknown", _("Unknown")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=16, validators=[validate_e164], db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.UNKNOWN)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="unique_customer_phone")
        ]

    def __str__(self) -> str:
        return self.number


class LeadVehicle(models.Model):
    """A vehicle as a lead describes it: the one of interest, or the customer's trade-in."""

    condition = models.CharField(
        _("condition"), max_length=8, choices=Condition.choices, blank=True
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    trim = models.CharField(_("trim"), max_length=120, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    stock_number = models.CharField(_("stock number"), max_length=40, blank=True)
    registration = models.CharField(_("registration"), max_length=16, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    stock_vehicle = models.ForeignKey(
        StockVehicle, on_delete=models.SET_NULL, null=True, blank=True, related_name="lead_vehicles"
    )

    def __str__(self) -> str:
        return " ".join(str(p) for p in (self.year, self.make, self.model, self.trim) if p) or "—"


class LeadQuerySet(models.QuerySet):
    def open(self) -> LeadQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class AliveLeadManager(models.Manager.from_queryset(LeadQuerySet)):
    """Soft-deleted leads are kept for the audit trail but are gone from every list."""

    def get_queryset(self) -> LeadQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Lead(models.Model):
    dealership = models.ForeignKey(Dealership, on_delete=models.PROTECT, related_name="leads")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="leads"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="leads")
    lead_type = models.CharField(
        _("type"), max_length=16, choices=LeadType.choices, default=LeadType.INFO_REQUEST
    )
    is_passive = models.BooleanField(_("passive"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    lost_reason = models.CharField(
        _("lost reason"), max_length=20, choices=LostReason.choices, blank=True
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_leads",
        verbose_name=_("salesperson"),
    )
    vehicle = models.OneToOneField(
        LeadVehicle, on_delete=models.SET_NULL, null=True, blank=True, related_name="interest_of"
    )
    trade_in = models.OneToOneField(
        LeadVehicle, on_delete=models.SET_NULL, null=True, blank=True, related_name="trade_in_of"
    )
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    comments = models.TextField(_("customer's message"), blank=True)
    extra = models.JSONField(default=dict, blank=True)
    inbound_message = models.OneToOneField(
        InboundMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="lead"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    first_assigned_at = models.DateTimeField(_("first assigned"), null=True, blank=True)
    first_attempt_at = models.DateTimeField(_("first contact attempt"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    contact_deadline_at = models.DateTimeField(_("contact deadline"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    # Milestones kept on the lead so that dashboards count them with one grouped query: a lead
    # that had an appointment, showed and was then lost still counts as an appointment and a show.
    appointment_set_at = models.DateTimeField(_("first appointment set"), null=True, blank=True)
    showed_at = models.DateTimeField(_("first showed"), null=True, blank=True)
    attempts_until_contact = models.PositiveSmallIntegerField(
        _("contact attempts until first contact"), default=0
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Since when the customer's message waits for an answer from a person (kept by
    # leads.services.record_events: set by a message received, cleared by a reply or a call).
    customer_waiting_since = models.DateTimeField(
        _("customer waiting for an answer since"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AliveLeadManager()
    all_objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["dealership", "received_at"]),
            models.Index(fields=["dealership", "status"]),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["source", "received_at"]),
            models.Index(fields=["contact_deadline_at"]),
            models.Index(
                fields=["dealership", "customer_waiting_since"],
                name="lead_customer_waiting",
                condition=models.Q(customer_waiting_since__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    MODIFIED = "modified", _("Modified")
    ASSIGNED = "assigned", _("Assigned")
    REASSIGNED = "reassigned", _("Reassigned")
    UNASSIGNED = "unassigned", _("Unassigned")
    STATUS_CHANGED = "status_changed", _("Status changed")
    CONTACT_ATTEMPT = "contact_attempt", _("Contact attempt")
    NOTE = "note", _("Note")
    MESSAGE_SENT = "message_sent", _("Message sent")
    MESSAGE_RECEIVED = "message_received", _("Message received")
    APPOINTMENT_SET = "appointment_set", _("Appointment set")
    DUPLICATE_MERGED = "duplicate_merged", _("Repeated request")
    DISTRIBUTION = "distribution", _("Distribution")
    ESCALATED = "escalated", _("Escalated")
    DELETED = "deleted", _("Deleted")
    ERASED = "erased", _("Personal data erased")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IN_PERSON = "in_person", _("In person")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SENT = "sent", _("Message sent")


class LeadEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Lead events are append-only.")


class LeadEvent(models.Model):
    """One entry of a lead's append-only timeline. Automations key on these; dashboards count them."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_from = models.CharField(max_length=12, choices=Status.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=Status.choices, blank=True)
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=ContactChannel.choices, blank=True)
    outcome = models.CharField(max_length=14, choices=ContactOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = LeadEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["lead", "occurred_at"]),
            models.Index(fields=["dealership", "kind", "occurred_at"]),
            models.Index(fields=["kind", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Lead events are append-only.")
        super().save(*args, **kwargs)


class SourceLabel(models.Model):
    """A label a source's messages use (\"Kenteken klant\"), read as one of the parser's
    canonical fields. Managers add these in the browser; the parser receives them as
    extra_labels. The field is checked against leadparser.CANONICAL_FIELDS in the form, not
    with model choices, so that a parser release adding fields needs no migration."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="labels")
    label = models.CharField(_("label as it appears in the message"), max_length=120)
    field = models.CharField(_("means"), max_length=60)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["source", "label"]
        constraints = [
            models.UniqueConstraint(fields=["source", "label"], name="unique_source_label")
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.field}"


class InboundMessageLog(models.Model):
    """What happened to an inbound message, by whom: its audit trail (append-only)."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        DUPLICATE_DELIVERY = "duplicate", _("Delivered again (ignored)")
        PARSED = "parsed", _("Parsed into a lead")
        MERGED = "merged", _("Merged into an existing lead")
        QUARANTINED = "quarantined", _("Quarantined")
        NOT_A_LEAD = "not_a_lead", _("Not a lead")
        REPLY = "reply", _("Added to a lead's conversation")
        UNROUTED = "unrouted", _("Unknown recipient")
        REPARSE = "reparse", _("Re-parse requested")
        ROUTED = "routed", _("Assigned to a dealership")
        CREATED_BY_HAND = "by_hand", _("Lead created by hand")
        CONFIRMED_LEAD = "is_a_lead", _("Marked as a lead")
        DISCARDED = "discarded", _("Discarded")

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class ErasureRecord(models.Model):
    """That a person's data was erased, when, by whom and how much: the audit trail of erasure.
    It holds no personal data itself, only record numbers and counts."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("At the customer's request")
        RETENTION = "retention", _("Retention period passed")

    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    customer_ids = models.JSONField(default=list)
    counts = models.JSONField(default=dict)  # model label → rows erased

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} erasure of {self.customer_ids}"


class ExportRecord(models.Model):
    """One CSV export: who took which list, with which filter, how many rows."""

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    export = models.CharField(_("export"), max_length=60)
    query = models.TextField(_("filter"), blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    dealerships = models.ManyToManyField(Dealership, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.export} ({self.rows})"
