from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from distribution import setup
        from distribution.receivers import on_lead_events
        from leads.signals import lead_events_recorded

        lead_events_recorded.connect(on_lead_events, dispatch_uid="distribution.lead_events")
        setup.connect()
