from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Absence, Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["dealership"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "presence",
        "language",
        "is_active",
    ]
    list_filter = [
        "presence",
        "language",
        "is_active",
        "memberships__role",
        "memberships__dealership",
    ]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "DealerLMS",
            {"fields": ["language", "phone", "presence", "notify_by_email", "notify_by_sms"]},
        ),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "dealership", "role"]
    list_filter = ["role", "dealership"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "dealership__name"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_at", "ends_at", "reason"]
    list_filter = ["reason"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "note"]
    date_hierarchy = "starts_at"


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "dealership"]
    list_filter = ["dealership"]
    search_fields = ["name", "members__username", "members__first_name", "members__last_name"]
    filter_horizontal = ["members"]
