from django.contrib import admin

from integrations.models import ApiToken, Delivery, DeliveryAttempt, Forwarding, SaleReport


@admin.register(Forwarding)
class ForwardingAdmin(admin.ModelAdmin):
    list_display = ["name", "dealership", "trigger", "format", "transport", "is_enabled"]
    list_filter = ["dealership", "trigger", "format", "transport"]
    search_fields = ["name", "url", "email"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["at", "by", "ok", "status_code", "answer", "duration_ms"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["forwarding", "lead", "state", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["state", "forwarding"]
    search_fields = ["last_answer", "lead__customer__full_name"]
    raw_id_fields = ["lead", "event"]
    inlines = [AttemptInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "dealership",
        "prefix",
        "can_read_leads",
        "can_report_sales",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "token_hash"]
    list_filter = ["dealership", "can_read_leads", "can_report_sales"]
    search_fields = ["name", "prefix"]


@admin.register(SaleReport)
class SaleReportAdmin(admin.ModelAdmin):
    list_display = ["received_at", "dealership", "via", "reported_by", "outcome", "lead"]
    raw_id_fields = ["lead"]
    list_filter = ["outcome", "via", "dealership"]
    search_fields = ["reported_by"]
