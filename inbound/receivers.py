"""Anymail's inbound signal → inbound.ingest. Connected in LeadsConfig.ready()."""

from anymail.exceptions import AnymailWebhookValidationFailure
from django.conf import settings

from inbound import ingest

# Providers whose webhooks anymail authenticates by a signature of their own; every other
# provider is authenticated only by the shared WEBHOOK_SECRET (HTTP basic auth).
SIGNED_PROVIDERS = {"Mailgun", "Mandrill", "Postal", "MailerSend"}


def on_inbound(sender, event, esp_name: str, **kwargs) -> None:
    if esp_name not in SIGNED_PROVIDERS and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        # Anymail only warns when basic auth is not configured; an open lead inbox would let
        # anyone on the web create leads, so we refuse (400) instead.
        raise AnymailWebhookValidationFailure(
            f"{esp_name} inbound webhook refused: ANYMAIL WEBHOOK_SECRET is not configured"
        )
    ingest.receive_email(message=event.message, provider=esp_name, event_id=event.event_id)
