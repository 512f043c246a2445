from django.contrib import admin

from dashboards.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Where an administrator changes the defaults every dealership starts from."""

    list_display = ["__str__", "dealership", "channel", "source", "lead_type", "condition", "value"]
    list_filter = ["metric", "channel", "dealership"]
    search_fields = ["dealership__name", "source__name"]
