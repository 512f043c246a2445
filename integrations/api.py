"""The read API for other systems (GET leads and their events), the DMS's sale report (POST), and
the OpenAPI document that describes both. Authenticated by an integration token
(Authorization: Bearer dlms_…), scoped to one dealership."""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from integrations import openapi, payloads, services
from integrations.models import ApiToken
from leads.models import Lead

PAGE_SIZE = 50
MAX_BODY_BYTES = 64_000


def _token(request: HttpRequest) -> ApiToken | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return services.token_for(secret.strip()) if scheme.lower() == "bearer" else None


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"error": "missing or invalid integration token"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="dealerlms"'
    return response


def _lead_queryset(token: ApiToken):
    return (
        Lead.objects.filter(dealership=token.dealership)
        .select_related("dealership", "source", "customer", "vehicle", "trade_in", "assigned_to")
        .prefetch_related("customer__phones")
    )


def _lead_out(lead: Lead) -> dict:
    return {
        "id": lead.pk,
        "status": lead.status,
        "updated_at": lead.updated_at.isoformat(),
        "lead": payloads.lead_contract(lead),
    }


@login_not_required
@require_GET
def lead_list(request: HttpRequest) -> JsonResponse:
    """Leads changed since `updated_since` (ISO 8601), oldest change first, a page at a time:
    follow `next` until it is null."""
    token = _token(request)
    if token is None or not token.can_read_leads:
        return _unauthorized() if token is None else _forbidden("read leads")
    leads = _lead_queryset(token).order_by("updated_at", "pk")
    since_text = request.GET.get("updated_since")
    if since_text:
        since = parse_datetime(since_text)
        if since is None or since.tzinfo is None:
            return JsonResponse(
                {"errors": {"updated_since": "an ISO 8601 date-time with its offset"}}, status=400
            )
        leads = leads.filter(updated_at__gt=since)
    after = request.GET.get("after")
    if after:
        try:
            moment_text, _, pk_text = after.rpartition("_")
            moment, after_pk = datetime.fromisoformat(moment_text), int(pk_text)
        except ValueError:
            return JsonResponse({"errors": {"after": "use the `next` link as given"}}, status=400)
        leads = leads.filter(updated_at__gte=moment).exclude(updated_at=moment, pk__lte=after_pk)
    page = list(leads[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    next_url = None
    if more:
        last = page[-1]
        query = request.GET.copy()
        query["after"] = f"{last.updated_at.isoformat()}_{last.pk}"
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return JsonResponse({"results": [_lead_out(lead) for lead in page], "next": next_url})


@login_not_required
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> JsonResponse:
    token = _token(request)
    if token is None or not token.can_read_leads:
        return _unauthorized() if token is None else _forbidden("read leads")
    lead = _lead_queryset(token).filter(pk=pk).first()
    if lead is None:
        return JsonResponse({"error": "no such lead"}, status=404)
    events = [
        {
            "kind": e.kind,
            "occurred_at": e.occurred_at.isoformat(),
            "status_from": e.status_from or None,
            "status_to": e.status_to or None,
            "channel": e.channel or None,
            "outcome": e.outcome or None,
        }
        for e in lead.events.all()
    ]
    return JsonResponse({**_lead_out(lead), "events": events})


def _forbidden(what: str) -> JsonResponse:
    return JsonResponse({"error": f"this token may not {what}"}, status=403)


@csrf_exempt
@login_not_required
@require_POST
def report_sale(request: HttpRequest) -> JsonResponse:
    """The DMS says a vehicle was sold: the matching lead is closed as sold."""
    token = _token(request)
    if token is None or not token.can_report_sales:
        return _unauthorized() if token is None else _forbidden("report sales")
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"errors": {"body": f"larger than {MAX_BODY_BYTES} bytes"}}, status=413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        return JsonResponse({"errors": {"body": f"not JSON: {exc}"}}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"errors": {"body": "expected a JSON object"}}, status=400)
    data = {k: str(v)[:200] for k, v in data.items() if k in openapi.SALE_FIELDS and v is not None}
    try:
        report = services.report_sale(
            dealership=token.dealership, data=data, via="api", reported_by=token.name
        )
    except services.SaleReportError as exc:
        return JsonResponse({"errors": {"body": str(exc)}}, status=400)
    if report.lead is None:
        return JsonResponse({"outcome": report.outcome, "error": "no matching lead"}, status=404)
    return JsonResponse({"outcome": report.outcome, "lead_id": report.lead_id}, status=200)


@login_not_required
@require_GET
def openapi_document(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.document(request.build_absolute_uri("/")))
