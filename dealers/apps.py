from django.apps import AppConfig


class DealersConfig(AppConfig):
    name = "dealers"
    verbose_name = "Dealerships and stock"
