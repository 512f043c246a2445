"""POST /inbound/google-ads/<source id>/ — the webhook a dealership pastes into a Google Ads lead
form (Lead form extension → Webhook integration: this URL and the source's key).

Google posts one lead as JSON (``lead_id``, ``user_column_data``, ``google_key``, ``is_test``…)
and retries when it does not get a 200. The order of the checks: size (413), JSON (400), the
source's key compared in constant time (403, the same answer for an unknown source), enabled
(403), rate (429), the shape (400). Then the raw body is stored as an InboundMessage before
anything else and the answer is 200 at once; the worker parses it like every other message
(leadparser reads Google's shape), so it becomes a lead, a merge or a quarantine entry.

Test leads (``"is_test": true``, what "Send test data" in Google Ads posts) are kept, read at
once with the same parser, and marked *not a lead* with the reason "Google Ads test lead": no
customer, no lead, nobody is assigned, and the source's page shows what was read, so the admin
sees the connection works. Each test delivery is kept (Google sends the same test id each time).
"""

from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.text import db_safe
from inbound import ingest
from inbound.api import MAX_BODY_BYTES, _rate_limited
from leadparser import ParseError, parse_message
from leads.models import InboundMessage, Source

PROVIDER = "google_ads"
TEST_REASON = "Google Ads test lead (is_test): kept, not made into a lead, not routed"


@csrf_exempt
@login_not_required
@require_POST
def receive(request: HttpRequest, source_id: int) -> JsonResponse:
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"error": f"body larger than {MAX_BODY_BYTES} bytes"}, status=413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return JsonResponse({"error": f"not JSON: {exc}"}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"error": "expected a JSON object"}, status=400)
    source = Source.objects.select_related("dealership").filter(pk=source_id).first()
    if source is None or not source.google_ads_key_matches(data.get("google_key")):
        return JsonResponse({"error": "wrong google_key for this webhook URL"}, status=403)
    if not source.is_enabled:
        return JsonResponse({"error": "this source is disabled"}, status=403)
    retry_after = _rate_limited(source)
    if retry_after:
        response = JsonResponse({"error": "too many requests"}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    if not isinstance(data.get("user_column_data"), list):
        return JsonResponse(
            {"error": "no user_column_data: not a Google Ads lead form webhook"}, status=400
        )
    is_test = data.get("is_test") is True
    with transaction.atomic():
        message = ingest.store_message(
            channel="api",
            provider=PROVIDER,
            raw=body,
            dealership=source.dealership,
            source=source,
            message_id="" if is_test else _message_id(source, data.get("lead_id")),
            sender="Google Ads",
            subject="Google Ads test lead" if is_test else "Google Ads lead",
            enqueue=not is_test,
            dedup_basis=f"gads-test:{uuid.uuid4().hex}" if is_test else None,
        )
        if is_test:
            keep_test_lead(message)
    return JsonResponse({}, status=200)


def _message_id(source: Source, lead_id: object) -> str:
    """Google's lead id makes its retries one message (a retry carries the same lead_id)."""
    if not isinstance(lead_id, str | int) or not str(lead_id).strip():
        return ""
    digest = hashlib.sha256(str(lead_id).strip().encode()).hexdigest()[:32]
    return f"<google-ads-{source.pk}-{digest}@dealerlms>"


def keep_test_lead(message: InboundMessage) -> None:
    """Read the test lead now (same parser, same labels) and keep it as not a lead."""
    try:
        parsed = parse_message(
            bytes(message.raw),
            region=message.dealership.country or settings.DEALERLMS_DEFAULT_REGION,
            extra_labels=ingest.extra_labels_for(message.source),
            max_bytes=settings.DEALERLMS_MAX_INBOUND_BYTES,
        )
        reason = TEST_REASON
    except ParseError as exc:
        parsed, reason = None, f"{TEST_REASON}; it could not be read: {exc}"
    message.parsed = db_safe(parsed)
    message.status = InboundMessage.Status.NOT_A_LEAD
    message.failure_reason = reason
    message.parse_attempts += 1
    message.processed_at = timezone.now()
    message.save(
        update_fields=["parsed", "status", "failure_reason", "parse_attempts", "processed_at"]
    )
    ingest.log(message, ingest.Action.NOT_A_LEAD, note=reason)


def latest_test(source: Source) -> InboundMessage | None:
    """The last test lead Google sent for this source, for its settings page."""
    return (
        source.inbound_messages.filter(provider=PROVIDER, status=InboundMessage.Status.NOT_A_LEAD)
        .defer("raw")
        .order_by("-received_at")
        .first()
    )
