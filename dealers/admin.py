from django.contrib import admin

from dealers.models import DealerGroup, Dealership, OpeningHours, StockVehicle


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(DealerGroup)
class DealerGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    list_filter = ["dealerships__country"]
    search_fields = ["name", "dealerships__name"]


@admin.register(Dealership)
class DealershipAdmin(admin.ModelAdmin):
    inlines = [OpeningHoursInline]
    list_display = ["name", "group", "country", "language", "inbound_address"]
    list_filter = ["group", "country", "language"]
    search_fields = ["name", "inbound_address"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["dealership", "weekday", "opens", "closes"]
    list_filter = ["dealership", "weekday"]
    search_fields = ["dealership__name"]


@admin.register(StockVehicle)
class StockVehicleAdmin(admin.ModelAdmin):
    list_display = [
        "stock_number",
        "make",
        "model",
        "year",
        "condition",
        "price",
        "owner",
        "status",
    ]
    list_filter = ["dealership", "condition", "status", "make"]
    search_fields = ["stock_number", "vin", "registration", "make", "model"]
    autocomplete_fields = ["owner"]
