from django.contrib import admin

from distribution.models import (
    DistributionRule,
    DistributionSettings,
    Rotation,
    Routing,
    SetupStamp,
    TeamMember,
)


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(DistributionRule)
class DistributionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "dealership", "position", "is_default", "strategy", "is_enabled"]
    list_filter = ["dealership", "strategy", "is_enabled"]
    search_fields = ["name"]
    inlines = [TeamMemberInline]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["rule", "user", "weight", "max_open_leads"]
    list_filter = ["rule__dealership", "rule"]
    search_fields = ["rule__name", "user__username", "user__last_name"]
    raw_id_fields = ["user"]


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    list_display = ["rule", "picks"]
    list_filter = ["rule__dealership"]
    search_fields = ["rule__name"]


@admin.register(DistributionSettings)
class DistributionSettingsAdmin(admin.ModelAdmin):
    list_display = ["dealership", "max_failed_attempts", "reactivation_days"]
    list_filter = ["dealership__group"]
    search_fields = ["dealership__name"]


@admin.register(Routing)
class RoutingAdmin(admin.ModelAdmin):
    list_display = ["lead", "state", "rule", "routed_at", "escalated_deadline_at"]
    list_filter = ["state"]
    search_fields = ["lead__customer__full_name"]
    raw_id_fields = ["lead"]


@admin.register(SetupStamp)
class SetupStampAdmin(admin.ModelAdmin):
    """A new value makes every worker read the dealership's rules, teams and hours again."""

    list_display = ["dealership", "value"]
    list_filter = ["dealership__group"]
    search_fields = ["dealership__name"]
