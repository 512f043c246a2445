"""Which e-mail provider webhooks are authenticated, for inbound mail and tracking events alike.

Providers that sign their requests (Mailgun, Mandrill, Postal, MailerSend) are checked by
anymail with their signing key; every other provider only by the shared ANYMAIL WEBHOOK_SECRET
(HTTP basic auth). Anymail merely warns when that secret is missing: we refuse instead, or anyone
on the web could create leads or opt customers out."""

from __future__ import annotations

from anymail.exceptions import AnymailWebhookValidationFailure
from django.conf import settings

SIGNED_PROVIDERS = {"Mailgun", "Mandrill", "Postal", "MailerSend"}


def refuse_unless_authenticated(esp_name: str, what: str) -> None:
    """Raise (anymail answers 400) when `esp_name`'s `what` webhook has no authentication."""
    if esp_name not in SIGNED_PROVIDERS and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise AnymailWebhookValidationFailure(
            f"{esp_name} {what} webhook refused: ANYMAIL WEBHOOK_SECRET is not configured"
        )
