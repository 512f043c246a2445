from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        # Each app declares where its models hold a customer's personal data (leads.privacy),
        # in its own privacy.py: found here, so that leads never imports the apps above it.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("privacy")
