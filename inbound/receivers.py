"""Anymail's inbound signal → inbound.ingest. Connected in InboundConfig.ready()."""

from core.webhooks import refuse_unless_authenticated
from inbound import ingest


def on_inbound(sender, event, esp_name: str, **kwargs) -> None:
    refuse_unless_authenticated(esp_name, "inbound")
    ingest.receive_email(message=event.message, provider=esp_name, event_id=event.event_id)
