from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """The salesperson's working day: every open lead's next action (a task with a due time),
    the dealership's cadences that create the next task as each one is done or missed, the
    "Today" page, the appointment calendar with .ics invites, and who is behind."""

    name = "followup"
    verbose_name = "Follow-up"

    def ready(self) -> None:
        from followup.receivers import on_lead_events
        from leads.signals import lead_events_recorded

        lead_events_recorded.connect(on_lead_events, dispatch_uid="followup.tasks")
