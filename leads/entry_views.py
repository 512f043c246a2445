"""The "New lead" page (with its duplicate warning and stock search, both htmx partials) and the
manager's showroom traffic log."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.permissions import manager_required
from accounts.selectors import MANAGING_ROLES, dealerships_for
from dealers.phones import to_e164
from leads import entry
from leads.entry_forms import ManualLeadForm
from leads.models import Lead
from leads.selectors import visible_leads


def new_lead(request: HttpRequest) -> HttpResponse:
    """Anyone who works for a dealership enters the leads that come to them in person or by phone."""
    dealerships = dealerships_for(request.user)
    form = ManualLeadForm(request.POST or None, dealerships=dealerships)
    if request.method == "POST" and form.is_valid():
        lead = entry.enter_lead(entry=form.entry(), by=request.user)
        messages.success(request, _("Lead %(id)s entered.") % {"id": lead.pk})
        # Routed to a colleague, a salesperson no longer sees it: back to their own inbox.
        if visible_leads(request.user).filter(pk=lead.pk).exists():
            return redirect("leads:detail", lead.pk)
        return redirect("home")
    return render(request, "leads/new.html", {"form": form})


def _dealership(request: HttpRequest):
    dealerships = dealerships_for(request.user)
    chosen = request.GET.get("dealership")
    if chosen and chosen.isdigit():
        return dealerships.filter(pk=int(chosen)).first()
    return dealerships.first() if len(dealerships) == 1 else None


def customer_matches(request: HttpRequest) -> HttpResponse:
    """Who the dealership already knows by this e-mail or phone, shown while the person types."""
    dealership = _dealership(request)
    customers = []
    if dealership is not None:
        phone = to_e164(request.GET.get("phone", ""), dealership.country) or ""
        customers = entry.matching_customers(
            dealership=dealership, email=request.GET.get("email", ""), phone=phone
        )
    return render(request, "leads/_customer_matches.html", {"customers": customers})


def stock_search(request: HttpRequest) -> HttpResponse:
    dealership = _dealership(request)
    vehicles = []
    if dealership is not None:
        vehicles = entry.search_stock(dealership=dealership, text=request.GET.get("q", "")[:80])
    return render(request, "leads/_stock_matches.html", {"vehicles": vehicles})


@manager_required
def showroom_log(request: HttpRequest) -> HttpResponse:
    """Walk-ins and showroom visits of one day, with who took them and where they stand."""
    dealerships = dealerships_for(request.user, roles=MANAGING_ROLES)
    day = parse_date(request.GET.get("day", "")) or timezone.localdate()
    zone = ZoneInfo(timezone.get_current_timezone_name())
    first = dealerships.first()
    if first is not None:
        zone = ZoneInfo(first.time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    visits = list(
        Lead.objects.filter(
            dealership__in=dealerships,
            received_at__gte=start,
            received_at__lt=start + timedelta(days=1),
            extra__entered_as__in=list(entry.EntryKind.in_person),
        )
        .select_related("customer", "assigned_to", "vehicle", "dealership")
        .order_by("received_at")
    )
    return render(
        request,
        "leads/showroom.html",
        {
            "visits": visits,
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "kinds": dict(entry.EntryKind.choices),
        },
    )
