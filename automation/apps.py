from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = "Automations"

    def ready(self) -> None:
        from anymail.signals import tracking

        from automation.receivers import on_lead_event, on_tracking
        from leads.signals import lead_event_recorded

        lead_event_recorded.connect(on_lead_event, dispatch_uid="automation.lead_event")
        tracking.connect(on_tracking, dispatch_uid="automation.tracking")
