from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Calls"

    def ready(self) -> None:
        from calls.receivers import on_lead_events
        from leads.signals import lead_events_recorded

        lead_events_recorded.connect(on_lead_events, dispatch_uid="calls.lead_events")
