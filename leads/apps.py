from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from anymail.signals import inbound

        from leads.receivers import on_inbound

        inbound.connect(on_inbound, dispatch_uid="leads.inbound")
