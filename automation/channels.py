"""The outside world: e-mail through Django's mail API (anymail in production), SMS and WhatsApp
through Twilio's REST client. Each failure is sorted into 'surely not sent' (retry or give up) and 'may
have been sent' (never resent blindly)."""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass

import requests
from anymail.exceptions import AnymailAPIError, AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from core.outgoing_mail import loop_headers


class NotSent(Exception):
    """The provider surely did not take the message. `retry`: worth trying again later."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class MaybeSent(Exception):
    """The provider may have taken the message (a timeout after the request went out)."""


def _retryable_status(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str
    uid: str
    reply_to: str = ""
    unsubscribe_url: str = ""


def _email_message(email: Email, connection) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<{email.uid}@dealerlms>", **loop_headers("automation")}
    if email.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(email.html, "text/html")
    # Anymail passes metadata to the provider, and its tracking webhooks hand it back: a
    # delivery event can find our row even when the provider's own id was never stored.
    message.metadata = {"dealerlms_uid": email.uid}
    return message


# Development without providers: messages go to the dev outbox (Settings → Automations → Dev
# outbox), their provider id marked so, and are shown there instead of reaching anyone. Before,
# SMS showed "failed" and the console's e-mail "sent" as if a customer had it.
DEV_OUTBOX_PREFIX = "dev-outbox:"
CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def dev_outbox_email() -> bool:
    return bool(getattr(settings, "DEV_OUTBOX", False)) and (
        settings.EMAIL_BACKEND in CONSOLE_BACKENDS
    )


def in_dev_outbox(provider_id: str) -> bool:
    return (provider_id or "").startswith(DEV_OUTBOX_PREFIX)


class EmailSender:
    """One connection for a batch (one SMTP session / HTTP pool), one send per message so that
    each message's outcome is known on its own."""

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)
        self.opened = False

    def send(self, email: Email) -> str:
        message = _email_message(email, self.connection)
        try:
            if not self.opened:
                self.connection.open()
                self.opened = True
            self.connection.send_messages([message])
        except AnymailAPIError as exc:
            status = getattr(exc, "status_code", None)
            raise NotSent(str(exc)[:300], retry=_retryable_status(status)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotSent(f"recipient refused: {exc}"[:300], retry=False) from exc
        except (smtplib.SMTPConnectError, ConnectionRefusedError) as exc:
            raise NotSent(f"mail server unreachable: {exc}"[:300], retry=True) from exc
        except (AnymailError, smtplib.SMTPException, OSError) as exc:
            raise MaybeSent(str(exc)[:300]) from exc
        if dev_outbox_email():
            return f"{DEV_OUTBOX_PREFIX}{email.uid}"
        status = getattr(message, "anymail_status", None)
        return (status.message_id if status and status.message_id else "") or (
            f"<{email.uid}@dealerlms>"
        )

    def close(self) -> None:
        if self.opened:
            self.connection.close()


def send_sms(*, to: str, body: str, status_callback: str = "") -> str:
    """The Twilio message SID."""
    sid, token, sender = (
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_FROM_NUMBER,
    )
    if not (sid and token and sender) and getattr(settings, "DEV_OUTBOX", False):
        return f"{DEV_OUTBOX_PREFIX}{uuid.uuid4()}"
    if not (sid and token and sender):
        raise NotSent(
            "Twilio is not configured (TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _FROM_NUMBER)", retry=False
        )
    return _twilio_message({"to": to, "from_": sender, "body": body}, status_callback)


def send_whatsapp(
    *,
    to: str,
    sender: str,
    body: str = "",
    content_sid: str = "",
    content_variables: str = "",
    status_callback: str = "",
) -> str:
    """A WhatsApp message through Twilio's Messages API, from the dealership's WhatsApp sender:
    free text (`body`, within the customer's 24-hour window) or an approved template
    (`content_sid` with `content_variables` as JSON). The Twilio message SID."""
    sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
    if not (sid and token) and getattr(settings, "DEV_OUTBOX", False):
        return f"{DEV_OUTBOX_PREFIX}{uuid.uuid4()}"
    if not (sid and token):
        raise NotSent("Twilio is not configured (TWILIO_ACCOUNT_SID, _AUTH_TOKEN)", retry=False)
    if not sender:
        raise NotSent("no WhatsApp sender for this dealership", retry=False)
    kwargs = {"to": f"whatsapp:{to}", "from_": f"whatsapp:{sender}"}
    if content_sid:
        kwargs["content_sid"] = content_sid
        if content_variables:
            kwargs["content_variables"] = content_variables
    else:
        kwargs["body"] = body
    return _twilio_message(kwargs, status_callback)


def _twilio_message(kwargs: dict, status_callback: str) -> str:
    if status_callback:
        kwargs["status_callback"] = status_callback
    try:
        message = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN).messages.create(
            **kwargs
        )
    except TwilioRestException as exc:
        raise NotSent(
            f"Twilio {exc.status} {exc.code}: {exc.msg}"[:300], retry=_retryable_status(exc.status)
        ) from exc
    except requests.ConnectionError as exc:
        if isinstance(exc, requests.ConnectTimeout) or not isinstance(exc, requests.Timeout):
            raise NotSent(f"Twilio unreachable: {exc}"[:300], retry=True) from exc
        raise MaybeSent(str(exc)[:300]) from exc
    except requests.RequestException as exc:
        raise MaybeSent(str(exc)[:300]) from exc
    return message.sid
