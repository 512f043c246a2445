"""leads announces its events; follow-up reacts after the commit (leads never imports followup)."""

from followup import services


def on_lead_events(sender, events, **kwargs) -> None:
    services.tasks_for_events(events)
