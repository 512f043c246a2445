from django.contrib import admin

from appraisals.models import Appraisal, AppraisalPhoto, ChecklistAnswer, ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["label", "dealership", "position", "kind", "unit", "enabled"]
    list_filter = ["dealership", "kind", "enabled"]
    search_fields = ["label", "dealership__name"]


class AnswerInline(admin.TabularInline):
    model = ChecklistAnswer
    extra = 0
    fields = ["position", "label", "kind", "result", "value", "unit", "note"]
    readonly_fields = ["label", "kind", "unit"]


class PhotoInline(admin.TabularInline):
    model = AppraisalPhoto
    extra = 0
    fields = ["caption", "content_type", "size", "uploaded_at"]
    readonly_fields = ["content_type", "size", "uploaded_at"]


@admin.register(Appraisal)
class AppraisalAdmin(admin.ModelAdmin):
    list_display = ["lead", "status", "valuation", "offer", "currency", "offer_valid_until"]
    list_filter = ["status", "lead__dealership"]
    search_fields = [
        "lead__customer__full_name",
        "lead__trade_in__make",
        "lead__trade_in__model",
        "lead__trade_in__registration",
    ]
    raw_id_fields = ["lead", "appraised_by"]
    inlines = [AnswerInline, PhotoInline]
