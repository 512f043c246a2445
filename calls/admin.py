from django.contrib import admin

from calls.models import Call, CallSettings, TrackingNumber


@admin.register(TrackingNumber)
class TrackingNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "source", "dealership", "is_enabled"]
    list_filter = ["dealership", "is_enabled"]
    search_fields = ["number", "source__name"]


@admin.register(CallSettings)
class CallSettingsAdmin(admin.ModelAdmin):
    list_display = ["dealership", "bridge_on_assignment", "record_calls"]
    list_filter = ["bridge_on_assignment", "record_calls"]
    search_fields = ["dealership__name"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["pk", "direction", "state", "outcome", "agent", "lead", "created_at"]
    list_filter = ["direction", "outcome", "state", "dealership"]
    search_fields = ["customer_number", "agent_number", "agent_call_sid", "customer_call_sid"]
    raw_id_fields = ["lead", "agent", "rated_by", "tracking_number", "dealership"]
    readonly_fields = [f.name for f in Call._meta.fields]
