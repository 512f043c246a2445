from django.contrib import admin

from automation.models import (
    InboundSms,
    MessageTemplate,
    Notification,
    NotificationPreference,
    OptOut,
    OutboundMessage,
    Rule,
    ScheduledAction,
    WhatsAppTemplate,
)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "dealership", "trigger", "channel", "is_enabled")
    list_filter = ("dealership", "trigger", "channel", "is_enabled")
    search_fields = ("name",)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "dealership", "key")
    list_filter = ("dealership",)
    search_fields = ("name", "key")


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "dealership", "language", "content_sid", "is_enabled")
    list_filter = ("dealership", "language", "is_enabled")
    search_fields = ("name", "content_sid")


@admin.register(ScheduledAction)
class ScheduledActionAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "rule", "lead", "recipient_kind", "channel", "due_at", "state")
    list_filter = ("state", "kind", "channel")
    search_fields = ("lead__customer__full_name", "rule__name")
    raw_id_fields = (
        "lead",
        "event",
        "notification",
        "recipient_user",
        "created_by",
        "whatsapp_template",
    )
    # The dispatcher's state machine owns these rows: look, do not edit.
    readonly_fields = [f.name for f in ScheduledAction._meta.fields]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "to", "status", "is_test")
    list_filter = ("channel", "status")
    search_fields = ("to", "provider_id")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("channel", "address", "origin", "created_at")
    list_filter = ("channel", "origin")
    search_fields = ("address",)


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    list_display = ("received_at", "channel", "from_number", "to_number", "lead")
    list_filter = ("channel", "received_at")
    search_fields = ("from_number", "body")
    raw_id_fields = ("lead",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind", "read_at")
    search_fields = ("title", "user__username")
    raw_id_fields = ("lead",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "enabled", "by_email", "by_sms")
    list_filter = ("kind", "enabled")
    search_fields = ("user__username", "user__last_name")
