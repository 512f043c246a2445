"""What is refused at the door of the e-mail provider webhooks (/anymail/…), before anymail parses
a byte: MIME nested or split beyond reason (the stdlib parser recurses per level and ran out of
stack inside anymail, with a 4.5 MB traceback a retry), a Mailgun signature that is old or
whose token was used before (a captured request replayed with a new body), and an Amazon SES
(SNS) message that Amazon SNS did not sign (core.sns; basic auth is checked by anymail after)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from core import sns

log = logging.getLogger(__name__)

MAX_MULTIPART_CONTAINERS = 100  # a real e-mail has a handful; nesting over ~900 overflows
MAX_PART_DELIMITERS = 5000  # 100,000 tiny parts cost 20 s of CPU to parse
SIGNATURE_MAX_AGE = 300  # Mailgun's guidance: five minutes
TOKEN_MEMORY = 15 * 60  # longer than the age limit: an old token is refused by its age anyway
_MULTIPART = re.compile(rb"content-type:\s*multipart/", re.IGNORECASE)


class WebhookGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path.startswith("/anymail/"):
            refusal = (
                too_fast(request)
                or too_large(request)
                or too_deep(request)
                or mailgun_replay(request)
                or sns_unsigned(request)
            )
            if refusal is not None:
                return refusal
        return self.get_response(request)


def too_fast(request: HttpRequest) -> HttpResponse | None:
    """Per sending address, a minute at a time (Redis counters): a provider's burst passes, a
    flood from one address is answered 429 and retried by a real provider later."""
    limit = settings.DEALERLMS_WEBHOOK_RATE_PER_MINUTE
    address = request.META.get("REMOTE_ADDR", "?")
    key = f"webhook-rate:{address}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except ValueError:
        return None
    except Exception as error:  # Redis restarting: let the delivery in rather than lose it
        log.warning("webhook rate limit not checked (%s)", type(error).__name__)
        return None
    if count <= limit:
        return None
    response = JsonResponse({"error": f"more than {limit} requests a minute"}, status=429)
    response["Retry-After"] = str(60 - int(time.time()) % 60)
    return response


def too_large(request: HttpRequest) -> HttpResponse | None:
    """Refused before the body is read: a 150 MB field must not reach memory."""
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    limit = settings.DEALERLMS_WEBHOOK_MAX_BYTES
    if size <= limit:
        return None
    log.warning("webhook %s refused: %d bytes (limit %d)", request.path, size, limit)
    return JsonResponse(
        {"error": f"request of {size} bytes, over the limit of {limit}"}, status=413
    )


def too_deep(request: HttpRequest) -> HttpResponse | None:
    body = request.body
    containers = len(_MULTIPART.findall(body))
    delimiters = body.count(b"\n--")
    if containers <= MAX_MULTIPART_CONTAINERS and delimiters <= MAX_PART_DELIMITERS:
        return None
    what = (
        f"{containers} multipart containers (limit {MAX_MULTIPART_CONTAINERS})"
        if containers > MAX_MULTIPART_CONTAINERS
        else f"{delimiters} part delimiters (limit {MAX_PART_DELIMITERS})"
    )
    log.warning("webhook %s refused: MIME with %s", request.path, what)
    _keep(request, f"refused at the webhook: MIME with {what}")
    return JsonResponse({"error": f"MIME nested or split too deeply: {what}"}, status=413)


def _keep(request: HttpRequest, reason: str) -> None:
    """What can be kept of a refused delivery: its body, for a person to look at."""
    from inbound import ingest
    from leads.models import InboundMessage

    try:
        message = ingest.store_message(
            channel="email",
            raw=request.body,
            dealership=None,
            provider=request.path[:30],
            enqueue=False,
        )
        InboundMessage.objects.filter(pk=message.pk).update(
            status=InboundMessage.Status.QUARANTINED, failure_reason=reason
        )
    except Exception:
        log.warning("webhook %s: the refused body could not be kept", request.path)


def _mailgun_signature(request: HttpRequest) -> tuple[str, str, str] | None:
    if "/mailgun/" not in request.path:
        return None
    if request.content_type == "application/json":
        try:
            signature = json.loads(request.body).get("signature") or {}
        except (ValueError, AttributeError):
            return None
    else:
        signature = request.POST
    parts = tuple(str(signature.get(k, "")) for k in ("timestamp", "token", "signature"))
    return parts if all(parts) else None


def mailgun_replay(request: HttpRequest) -> HttpResponse | None:
    """A correctly signed Mailgun request is accepted once, and only while fresh. (A wrongly
    signed one passes on to anymail, which refuses it; its token is not remembered, so nobody
    can burn a real request's token.)"""
    found = _mailgun_signature(request)
    key = (settings.ANYMAIL or {}).get("MAILGUN_WEBHOOK_SIGNING_KEY")
    if found is None or not key:
        return None
    timestamp, token, signature = found
    expected = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        age = float("inf")
    if age > SIGNATURE_MAX_AGE:
        log.warning("mailgun webhook refused: signature %d s old", int(min(age, 10**9)))
        return JsonResponse({"error": "signature older than five minutes"}, status=403)
    if not cache.add(f"mailgun-token:{token}", 1, timeout=TOKEN_MEMORY):
        log.warning("mailgun webhook refused: token used before")
        return JsonResponse({"error": "this signature was used before"}, status=403)
    return None


def sns_unsigned(request: HttpRequest) -> HttpResponse | None:
    """Amazon SES posts through SNS: refused (4xx, with the reason) unless SNS signed it. A
    certificate that cannot be fetched right now answers 503, and SNS delivers again."""
    if "/amazon_ses/" not in request.path:
        return None
    try:
        message = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "SNS body is not JSON"}, status=400)
    try:
        sns.verify(message)
    except sns.Refused as refusal:
        log.warning("amazon_ses webhook refused: %s", refusal)
        return JsonResponse({"error": str(refusal)}, status=403)
    except sns.CertificateUnavailable as error:
        log.warning("amazon_ses webhook: %s", error)
        return JsonResponse({"error": "signing certificate unavailable, retry"}, status=503)
    return None
