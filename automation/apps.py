from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = "Automations"

    def ready(self) -> None:
        from anymail.signals import tracking

        from automation.receivers import on_lead_events, on_tracking
        from leads.signals import lead_events_recorded

        lead_events_recorded.connect(on_lead_events, dispatch_uid="automation.lead_events")
        tracking.connect(on_tracking, dispatch_uid="automation.tracking")
