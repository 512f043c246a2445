from django.contrib import admin

from leads.models import (
    Customer,
    CustomerPhone,
    ErasureRecord,
    ExportRecord,
    InboundMessage,
    InboundMessageLog,
    Lead,
    LeadEvent,
    LeadVehicle,
    Source,
    SourceLabel,
)


class SourceLabelInline(admin.TabularInline):
    model = SourceLabel
    extra = 0
    fields = ["label", "field", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(SourceLabel)
class SourceLabelAdmin(admin.ModelAdmin):
    list_display = ["label", "field", "source"]
    list_filter = ["source__dealership", "field"]
    search_fields = ["label", "field", "source__name"]


class InboundMessageLogInline(admin.TabularInline):
    model = InboundMessageLog
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InboundMessageLog)
class InboundMessageLogAdmin(admin.ModelAdmin):
    list_display = ["at", "message", "action", "actor"]
    list_filter = ["action"]
    search_fields = ["note", "message__subject", "message__sender"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "dealership", "kind", "is_passive", "is_enabled"]
    list_filter = ["dealership", "kind", "is_passive", "is_enabled"]
    search_fields = ["name", "sender_patterns", "tracking_phone"]
    inlines = [SourceLabelInline]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "recipient", "subject", "status", "dealership"]
    list_filter = ["status", "provider", "channel", "dealership"]
    search_fields = ["sender", "recipient", "subject", "message_id", "provider_message_id"]
    date_hierarchy = "received_at"
    # The raw message is downloaded from the quarantine page (inbound.views.quarantine_raw).
    readonly_fields = [
        f.name for f in InboundMessage._meta.fields if f.name not in ("raw", "raw_file")
    ]
    inlines = [InboundMessageLogInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CustomerPhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    inlines = [CustomerPhoneInline]
    list_display = ["full_name", "email", "postal_code", "dealership", "created_at"]
    list_filter = ["dealership", "language", "consent_email", "consent_sms"]
    search_fields = ["full_name", "first_name", "last_name", "email", "phones__number"]


@admin.register(CustomerPhone)
class CustomerPhoneAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "customer"]
    list_filter = ["kind"]
    search_fields = ["number", "customer__full_name"]


@admin.register(LeadVehicle)
class LeadVehicleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "condition", "vin", "registration", "price"]
    list_filter = ["condition", "make"]
    search_fields = ["make", "model", "vin", "registration", "stock_number"]


class LeadEventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    can_delete = False
    fields = ["occurred_at", "kind", "actor", "status_from", "status_to", "assignee", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    inlines = [LeadEventInline]
    list_display = [
        "id",
        "customer",
        "dealership",
        "source",
        "lead_type",
        "status",
        "assigned_to",
        "received_at",
    ]
    list_filter = ["dealership", "status", "lead_type", "is_passive", "source__kind", "source"]
    search_fields = [
        "customer__full_name",
        "customer__email",
        "customer__phones__number",
        "external_id",
    ]
    date_hierarchy = "received_at"
    list_select_related = ["customer", "dealership", "source", "assigned_to"]
    raw_id_fields = ["customer", "vehicle", "trade_in", "inbound_message"]
    # Status and assignee change only through leads.services, so that each writes its event.
    readonly_fields = [
        "status",
        "assigned_to",
        "first_assigned_at",
        "first_attempt_at",
        "first_contact_at",
        "closed_at",
        "deleted_at",
        "deleted_by",
    ]


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "lead", "kind", "actor", "status_to", "assignee"]
    list_filter = ["kind", "dealership", "channel", "outcome"]
    search_fields = ["note", "lead__customer__full_name"]
    date_hierarchy = "occurred_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _AuditAdmin(admin.ModelAdmin):
    """Audit trails are read, never edited or removed by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ErasureRecord)
class ErasureRecordAdmin(_AuditAdmin):
    list_display = ["at", "dealership", "reason", "by", "customer_ids"]
    list_filter = ["reason", "dealership"]
    search_fields = ["by__username"]
    date_hierarchy = "at"


@admin.register(ExportRecord)
class ExportRecordAdmin(_AuditAdmin):
    list_display = ["at", "user", "export", "rows", "query"]
    list_filter = ["export", "dealerships"]
    search_fields = ["user__username", "export", "query"]
    date_hierarchy = "at"
