"""leads announces its events; forwarding reacts (leads never imports integrations)."""

from integrations import services


def on_lead_events(sender, events, **kwargs) -> None:
    services.queue_forwards(events=events)
