"""POST /inbound/google-ads/<source id>/ — the webhook a dealership pastes into a Google Ads lead
form (Lead form extension → Webhook integration: this URL and the source's key).

Google posts one lead as JSON (``lead_id``, ``user_column_data``, ``google_key``, ``is_test``…)
and retries when it does not get a 200. The order of the checks: size (413), JSON (400), the
source's key compared in constant time (403, the same answer for an unknown source), enabled
(403), rate (429), the shape (400). Then the raw body is stored as an InboundMessage before
anything else and the answer is 200 at once; the worker parses it like every other message
(leadparser reads Google's shape), so it becomes a lead, a merge or a quarantine entry.

Test leads (``"is_test": true``, what "Send test data" in Google Ads posts) are kept but never
made into leads: see :mod:`inbound.ad_test_leads`.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from inbound import ad_test_leads, ingest
from inbound.api import MAX_BODY_BYTES, _rate_limited
from leads.models import Source

PROVIDER = "google_ads"


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
    with transaction.atomic():
        if data.get("is_test") is True:
            ad_test_leads.store(source=source, raw=body, shape="google_ads", provider=PROVIDER)
        else:
            ingest.store_message(
                channel="api",
                provider=PROVIDER,
                raw=body,
                dealership=source.dealership,
                source=source,
                message_id=_message_id(source, data.get("lead_id")),
                sender="Google Ads",
                subject="Google Ads lead",
            )
    return JsonResponse({}, status=200)


def _message_id(source: Source, lead_id: object) -> str:
    """Google's lead id makes its retries one message (a retry carries the same lead_id)."""
    if not isinstance(lead_id, str | int) or not str(lead_id).strip():
        return ""
    digest = hashlib.sha256(str(lead_id).strip().encode()).hexdigest()[:32]
    return f"<google-ads-{source.pk}-{digest}@dealerlms>"
