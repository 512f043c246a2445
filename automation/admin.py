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
)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "dealership", "trigger", "channel", "is_enabled")
    list_filter = ("dealership", "trigger", "channel", "is_enabled")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "dealership", "key")
    list_filter = ("dealership",)


@admin.register(ScheduledAction)
class ScheduledActionAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "rule", "lead", "recipient_kind", "channel", "due_at", "state")
    list_filter = ("state", "kind", "channel")
    raw_id_fields = ("lead", "event", "notification", "recipient_user", "created_by")
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
    search_fields = ("address",)


admin.site.register(InboundSms)
admin.site.register(Notification)
admin.site.register(NotificationPreference)
