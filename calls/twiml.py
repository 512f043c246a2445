"""TwiML documents, built with the twilio library's TwiML classes (never by string pasting), and
the spoken sentences in the listener's language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

# Twilio's <Say> voices per language; Belgian French where the dealership is in Belgium.
SAY_LANGUAGE = {"nl": "nl-NL", "fr": "fr-FR", "en": "en-GB"}


def say_language(language: str) -> str:
    return SAY_LANGUAGE.get((language or "en")[:2], "en-GB")


def whisper_text(*, language: str, source: str, vehicle: str, first_name: str) -> str:
    with translation.override(language):
        parts = [p for p in (source, vehicle, first_name) if p]
        intro = ", ".join(parts) if parts else _("A new lead")
        return intro + ". " + _("Press 1 to call now, 2 for later.")


def whisper(
    *, language: str, text: str, action: str, fallback: str, timeout: int = 8
) -> VoiceResponse:
    """The salesperson hears who it is about; one digit decides. No digit: the redirect asks
    `fallback`, which treats silence as 'later'."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=action, method="POST", timeout=timeout)
    gather.say(text, language=say_language(language))
    gather.pause(length=1)
    gather.say(text, language=say_language(language))
    response.append(gather)
    response.redirect(fallback, method="POST")
    return response


def connect_customer(
    *,
    language: str,
    customer_number: str,
    caller_id: str,
    action: str,
    customer_url: str,
    ring_seconds: int,
    record: bool,
    recording_callback: str,
) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(language):
        response.say(_("Connecting you with the customer."), language=say_language(language))
    options: dict = {
        "caller_id": caller_id,
        "action": action,
        "method": "POST",
        "timeout": ring_seconds,
    }
    if record:
        options.update(
            record="record-from-answer-dual",
            recording_status_callback=recording_callback,
            recording_status_callback_event="completed",
        )
    dial = Dial(**options)
    # Twilio's answering-machine detection on the customer's leg: the url request carries
    # AnsweredBy, so a voicemail is told apart from a person before anyone talks.
    dial.number(
        customer_number,
        url=customer_url,
        method="POST",
        machine_detection="Enable",
    )
    response.append(dial)
    return response


def say_and_hang_up(text: str, language: str) -> VoiceResponse:
    response = VoiceResponse()
    if text:
        response.say(text, language=say_language(language))
    response.hangup()
    return response


def say(text: str, language: str) -> VoiceResponse:
    response = VoiceResponse()
    if text:
        response.say(text, language=say_language(language))
    return response


def ring(
    *, number: str, caller_id: str, action: str, whisper_url: str, ring_seconds: int
) -> VoiceResponse:
    response = VoiceResponse()
    dial = Dial(caller_id=caller_id, action=action, method="POST", timeout=ring_seconds)
    dial.number(number, url=whisper_url, method="POST")
    response.append(dial)
    return response


def voicemail(*, language: str, action: str, recording_callback: str) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(language):
        text = _(
            "Nobody can take your call right now. Leave a message after the tone and we will "
            "call you back."
        )
    response.say(text, language=say_language(language))
    response.record(
        max_length=120,
        play_beep=True,
        action=action,
        method="POST",
        recording_status_callback=recording_callback,
        recording_status_callback_event="completed",
    )
    return response
