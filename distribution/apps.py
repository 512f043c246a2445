from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from distribution import setup
        from distribution.receivers import on_lead_event
        from leads.signals import lead_event_recorded

        lead_event_recorded.connect(on_lead_event, dispatch_uid="distribution.lead_event")
        setup.connect()
