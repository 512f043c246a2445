"""POST /api/v1/leads — the dealership's own website sends its form leads here.

Authenticated by the source's API token (Authorization: Bearer …), rate-limited per token. The
body is stored as an InboundMessage first, then goes through the same pipeline as e-mail
(inbound.ingest.process_message), synchronously so the website gets the lead id in the answer.
"""

from __future__ import annotations

import hashlib
import json
import time

import phonenumbers
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.text import db_text
from inbound import ad_test_leads, ingest
from leadparser.json_shapes import detect
from leads.models import InboundMessage, LeadType, Source, hash_api_token

MAX_BODY_BYTES = 256_000
# What a person types at most (a 20,000-character "name" is an error or an attack, not a name).
MAX_LENGTHS = {
    "customer.first_name": 80,
    "customer.last_name": 120,
    "customer.full_name": 200,
    "customer.name": 200,
    "customer.email": 254,
    "customer.postal_code": 16,
    "customer.city": 80,
    "comments": 5000,
    "subject": 200,
}
MAX_MILEAGE_KM = 2_000_000
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


@csrf_exempt
@login_not_required
@require_POST
def submit_lead(request: HttpRequest) -> JsonResponse:
    source = _source_for(request)
    if source is None:
        response = JsonResponse({"error": "missing or invalid API token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="dealerlms"'
        return response
    if not source.is_enabled:
        return JsonResponse({"error": "this source is disabled"}, status=403)
    retry_after = _rate_limited(source)
    if retry_after:
        response = JsonResponse({"error": "too many requests"}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"errors": {"body": f"larger than {MAX_BODY_BYTES} bytes"}}, status=413)
    if request.content_type in FORM_TYPES:
        # A server-side script posting its form as curl -d / http_build_query does: the same
        # fields, kept (and parsed) as the JSON object they are.
        body = json.dumps(_form_fields(request), ensure_ascii=False).encode()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        errors = {"body": f"not JSON: {exc}"}
        with transaction.atomic():
            _refuse(_store(source, body, {}), errors)  # kept, for the manager asking why
        return JsonResponse({"errors": errors}, status=400)
    shaped = detect(data)[0]
    foreign = shaped is not None
    if not isinstance(data, dict) and not foreign:
        return JsonResponse({"errors": {"body": "expected a JSON object"}}, status=400)
    region = source.dealership.country or settings.DEALERLMS_DEFAULT_REGION
    # Our contract is checked field by field for the website's visitor; a lead-ad or form-tool
    # payload (Facebook, Google, HubSpot, Typeform, a form's own keys) has no visitor to
    # correct it: the parser reads what it can, and what it cannot waits in the quarantine.
    errors = input_errors(data, region) if not foreign and _our_contract(data) else {}
    if shaped is not None and shaped.is_test:
        with transaction.atomic():
            ad_test_leads.store(source=source, raw=body, shape=shaped.shape, provider="website")
        return JsonResponse({"test_lead": True}, status=200)
    with transaction.atomic():
        message = _store(source, body, data)
        message = InboundMessage.objects.select_for_update().get(pk=message.pk)
        if message.status != InboundMessage.Status.RECEIVED:
            return _answer_for_known(message)
        if errors:
            _refuse(message, errors)
            return JsonResponse({"errors": errors}, status=400)
        outcome = ingest.process_message(message=message)
    if outcome.lead is not None:
        return JsonResponse({"lead_id": outcome.lead.pk}, status=201)
    if outcome.duplicate_of is not None:
        return JsonResponse(
            {"lead_id": outcome.duplicate_of.pk, "duplicate_of": outcome.duplicate_of.pk},
            status=200,
        )
    return JsonResponse({"errors": {"body": outcome.message.failure_reason}}, status=400)


def _store(source: Source, body: bytes, data: object) -> InboundMessage:
    return ingest.store_message(
        channel="api",
        provider="website",
        raw=body,
        dealership=source.dealership,
        source=source,
        message_id=_request_id(source, data) if isinstance(data, dict) else "",
        sender=source.name,
        subject=str(data.get("subject") or "")[:200] if isinstance(data, dict) else "",
        enqueue=False,
    )


def _form_fields(request: HttpRequest) -> dict:
    """A posted form as the JSON object it stands for: `customer[email]` (PHP's nesting) is
    customer.email, a repeated field a list."""
    data: dict = {}
    for key in request.POST:
        values = request.POST.getlist(key)
        value: object = values[0] if len(values) == 1 else values
        outer, bracket, inner = key.partition("[")
        if bracket and inner.endswith("]") and inner[:-1] and "[" not in inner:
            section = data.setdefault(outer, {})
            if isinstance(section, dict):
                section[inner[:-1]] = value
                continue
        data[key] = value
    return data


def _whole_number(value: object) -> int | None:
    """A year or a mileage as a website sends it: 2021, "2021", " 45000 "."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _our_contract(data: dict) -> bool:
    """The lead contract's own keys: a customer object, or e-mail/phone at the top."""
    return isinstance(data.get("customer"), dict) or bool({"email", "phone", "phones"} & set(data))


def input_errors(data: dict, region: str) -> dict[str, str]:
    """Field-by-field problems a website form should show its visitor. The parser is tolerant
    (an unreadable phone lands in `extra`); the API is strict, so the visitor can correct it."""
    errors: dict[str, str] = {}
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else data
    email = customer.get("email")
    if email not in (None, ""):
        try:
            validate_email(str(email).strip())
        except ValidationError:
            errors["customer.email"] = "not a valid e-mail address"
    phones = customer.get("phones")
    if phones is None and customer.get("phone") not in (None, ""):
        phones = [customer.get("phone")]
    if phones is not None and not isinstance(phones, list):
        errors["customer.phones"] = "expected a list of phone numbers"
        phones = []
    for i, entry in enumerate(phones or []):
        number = entry.get("number") if isinstance(entry, dict) else entry
        if not _phone_ok(number, region):
            errors[f"customer.phones[{i}].number"] = (
                f"not a phone number that can be read in {region}"
            )
    if not (email not in (None, "") or phones):
        errors["customer"] = "an e-mail address or a phone number is required"
    for path, limit in MAX_LENGTHS.items():
        section, _dot, name = path.rpartition(".")
        value = (customer if section == "customer" else data).get(name)
        if isinstance(value, str) and len(value) > limit:
            errors[path] = f"at most {limit} characters (this one has {len(value)})"
    lead_type = data.get("lead_type")
    if lead_type is not None and lead_type not in LeadType.values:
        errors["lead_type"] = "one of " + ", ".join(LeadType.values)
    for section in ("vehicle", "trade_in"):
        vehicle = data.get(section)
        if vehicle is None:
            continue
        if not isinstance(vehicle, dict):
            errors[section] = "expected an object"
            continue
        year = vehicle.get("year")
        if year not in (None, "") and not 1900 <= (_whole_number(year) or 0) <= 2100:
            errors[f"{section}.year"] = "a whole number between 1900 and 2100"
        mileage = vehicle.get("mileage_km")
        kilometres = _whole_number(mileage)
        if mileage not in (None, "") and (
            kilometres is None or not 0 <= kilometres <= MAX_MILEAGE_KM
        ):
            errors[f"{section}.mileage_km"] = (
                f"a whole number of kilometres, at most {MAX_MILEAGE_KM:,}"
            )
    return errors


def _phone_ok(number: object, region: str) -> bool:
    if not isinstance(number, str | int) or not str(number).strip():
        return False
    try:
        parsed = phonenumbers.parse(str(number), region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed)


def _source_for(request: HttpRequest) -> Source | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or len(token) < 20:
        return None
    hashed = hash_api_token(token)
    source = Source.objects.select_related("dealership").filter(api_token=hashed).first()
    if source is None or not constant_time_compare(source.api_token, hashed):
        return None
    return source


def _rate_limited(source: Source) -> int:
    """Seconds to wait when this token used up its minute, else 0 (Redis-backed counter)."""
    window = int(time.time() // 60)
    key = f"leads:api-rate:{source.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > settings.DEALERLMS_API_RATE_PER_MINUTE:
        return 60 - int(time.time()) % 60 or 1
    return 0


def _request_id(source: Source, data: dict) -> str:
    """The website's own id of the request makes a resubmission idempotent."""
    external = data.get("external_id") or data.get("id") or data.get("lead_id")
    if not isinstance(external, str | int) or not str(external).strip():
        return ""
    digest = hashlib.sha256(str(external).strip().encode()).hexdigest()[:32]
    return f"<api-{source.pk}-{digest}@dealerlms>"


def _refuse(message: InboundMessage, errors: dict[str, str]) -> None:
    """Kept (never deleted) but out of the managers' queue: the visitor corrects and resends."""
    reason = db_text("refused by the API: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    message.status = InboundMessage.Status.DISCARDED
    message.failure_reason = reason
    message.dedup_key = None  # the corrected request, with the same external_id, is a new one
    message.save(update_fields=["status", "failure_reason", "dedup_key"])
    ingest.log(message, ingest.Action.DISCARDED, note=reason)


def _answer_for_known(message: InboundMessage) -> JsonResponse:
    """The same request (same external_id) again: answer what the first one got."""
    lead = getattr(message, "lead", None)
    if lead is not None:
        return JsonResponse({"lead_id": lead.pk}, status=200)
    if message.merged_into_id:
        return JsonResponse(
            {"lead_id": message.merged_into_id, "duplicate_of": message.merged_into_id}
        )
    return JsonResponse(
        {"errors": {"body": message.failure_reason or "already received"}}, status=400
    )
