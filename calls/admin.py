from django.contrib import admin

from calls.models import Call, CallSettings, TrackingNumber


@admin.register(TrackingNumber)
class TrackingNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "source", "dealership", "is_enabled"]
    list_filter = ["dealership"]


@admin.register(CallSettings)
class CallSettingsAdmin(admin.ModelAdmin):
    list_display = ["dealership", "bridge_on_assignment", "record_calls"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["pk", "direction", "state", "outcome", "agent", "lead", "created_at"]
    list_filter = ["direction", "outcome", "dealership"]
    readonly_fields = [f.name for f in Call._meta.fields]
