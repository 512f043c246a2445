from django.contrib import admin

from followup.models import Cadence, CadenceStep, Task


class StepInline(admin.TabularInline):
    model = CadenceStep
    extra = 0


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["dealership", "stage", "hand_to_bdc"]
    list_filter = ["dealership", "stage"]
    search_fields = ["dealership__name"]
    inlines = [StepInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "due_at", "assigned_to", "state", "stage"]
    list_filter = ["state", "kind", "stage", "dealership"]
    search_fields = ["lead__customer__full_name", "note"]
    raw_id_fields = ["lead", "assigned_to", "created_by", "finished_by", "step"]
