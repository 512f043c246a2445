from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Leads out without a hub: forwarding to other systems (ADF XML or the lead contract as JSON,
    by HTTP POST or e-mail), the read API with its tokens, and sales reported back by a DMS."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations.receivers import on_lead_events
        from leads.signals import lead_events_recorded

        lead_events_recorded.connect(on_lead_events, dispatch_uid="integrations.forward")
