"""Settings → Integrations: forwarding rules with their delivery log, integration tokens, and
sales reported by CSV. Managers and admins, for the dealerships they manage."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import manager_required
from accounts.selectors import MANAGING_ROLES, dealerships_for
from integrations import services
from integrations.forms import ForwardingForm, SalesCsvForm, TokenForm
from integrations.models import ApiToken, Delivery, Forwarding, SaleReport
from leads.models import Lead

LOG_ROWS = 100


def _managed(request: HttpRequest):
    return dealerships_for(request.user, roles=MANAGING_ROLES)


@manager_required
def index(request: HttpRequest) -> HttpResponse:
    dealerships = _managed(request)
    forwardings = (
        Forwarding.objects.filter(dealership__in=dealerships)
        .select_related("dealership")
        .order_by("dealership__name", "name")
    )
    tokens = ApiToken.objects.filter(dealership__in=dealerships).select_related("dealership")
    reports = SaleReport.objects.filter(dealership__in=dealerships).select_related("lead")[:20]
    return render(
        request,
        "integrations/index.html",
        {"forwardings": forwardings, "tokens": tokens, "reports": reports},
    )


@manager_required
def forwarding_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    dealerships = _managed(request)
    forwarding = get_object_or_404(Forwarding, pk=pk, dealership__in=dealerships) if pk else None
    form = ForwardingForm(request.POST or None, instance=forwarding, dealerships=dealerships)
    if request.method == "POST" and form.is_valid():
        forwarding = form.save()
        messages.success(request, _("Saved."))
        return redirect("integrations:forwarding", forwarding.pk)
    return render(
        request, "integrations/forwarding_form.html", {"form": form, "forwarding": forwarding}
    )


@manager_required
def forwarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forwarding = get_object_or_404(
        Forwarding.objects.select_related("dealership"), pk=pk, dealership__in=_managed(request)
    )
    deliveries = (
        Delivery.objects.filter(forwarding=forwarding)
        .select_related("lead__customer")
        .prefetch_related("log")[:LOG_ROWS]
    )
    return render(
        request,
        "integrations/forwarding_detail.html",
        {"forwarding": forwarding, "deliveries": deliveries},
    )


@manager_required
@require_POST
def forwarding_send_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """Send one lead now through this forwarding (to test it, or to send a lead it missed)."""
    dealerships = _managed(request)
    forwarding = get_object_or_404(Forwarding, pk=pk, dealership__in=dealerships)
    lead = Lead.objects.filter(pk=request.POST.get("lead") or 0, dealership=forwarding.dealership)
    lead = lead.first() if str(request.POST.get("lead", "")).isdigit() else None
    if lead is None:
        messages.error(
            request,
            _("No lead with that number at %(dealership)s.")
            % {"dealership": forwarding.dealership.name},
        )
    else:
        services.send_test(forwarding=forwarding, lead=lead)
        messages.success(request, _("Lead %(id)s is being sent.") % {"id": lead.pk})
    return redirect("integrations:forwarding", forwarding.pk)


@manager_required
@require_POST
def delivery_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(
        Delivery.objects.select_related("forwarding"),
        pk=pk,
        forwarding__dealership__in=_managed(request),
    )
    services.send_again(delivery=delivery)
    delivery.refresh_from_db()
    if request.htmx:
        return render(request, "integrations/_delivery_row.html", {"d": delivery})
    messages.success(request, _("Queued to be sent again."))
    return redirect("integrations:forwarding", delivery.forwarding_id)


@manager_required
def token_new(request: HttpRequest) -> HttpResponse:
    dealerships = _managed(request)
    form = TokenForm(request.POST or None, dealerships=dealerships)
    if request.method == "POST" and form.is_valid():
        token, secret = services.issue_token(by=request.user, **form.cleaned_data)
        # The only time the token is shown: it is stored hashed.
        response = render(
            request, "integrations/token_made.html", {"token": token, "secret": secret}
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "integrations/token_form.html", {"form": form})


@manager_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, dealership__in=_managed(request))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("integrations:index")


@manager_required
def sales_upload(request: HttpRequest) -> HttpResponse:
    dealerships = _managed(request)
    form = SalesCsvForm(request.POST or None, request.FILES or None, dealerships=dealerships)
    results = []
    if request.method == "POST" and form.is_valid():
        dealership = form.cleaned_data["dealership"]
        who = request.user.get_full_name() or request.user.get_username()
        for number, row in enumerate(form.cleaned_data["file"], start=2):
            try:
                with transaction.atomic():
                    report = services.report_sale(
                        dealership=dealership, data=row, via="csv", reported_by=who
                    )
                results.append({"line": number, "row": row, "report": report})
            except services.SaleReportError as exc:
                results.append({"line": number, "row": row, "error": str(exc)})
    return render(request, "integrations/sales_upload.html", {"form": form, "results": results})
