"""The queues: the manager's unassigned leads (reassign one or many), the leads a salesperson
may take, the BDC queue and its re-activation list, and the fairness page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import manager_required, role_required
from accounts.selectors import dealerships_for, is_manager
from distribution import queues, selectors
from distribution.errors import DistributionError
from distribution.forms import HandoffForm, ReassignForm
from leads.models import Lead

bdc_required = role_required(Role.BDC_AGENT, Role.MANAGER, Role.ADMIN)


@role_required(Role.SALESPERSON, Role.MANAGER, Role.ADMIN)
def queue(request: HttpRequest) -> HttpResponse:
    """Managers: every unassigned active lead, with checkboxes to give them out. Salespeople:
    the unassigned leads their rules let them take."""
    manager = is_manager(request.user)
    leads = (
        selectors.unassigned_queue(request.user) if manager else selectors.takeable(request.user)
    )
    page = Paginator(leads, 100).get_page(request.GET.get("page"))
    form = (
        ReassignForm(people=selectors.people_to_give_to(request.user), lead_ids=[])
        if manager
        else None
    )
    return render(
        request,
        "distribution/queue.html",
        {"page": page, "manager": manager, "form": form, "now": timezone.now()},
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@manager_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    """Give the ticked leads to one person. From the lead list the person is chosen on a
    second page; from the queue in the same form."""
    ids = [int(v) for v in request.POST.getlist("lead") if v.isdigit()]
    visible = list(
        Lead.objects.filter(pk__in=ids, dealership__in=selectors.managed(request.user))
        .select_related("customer", "assigned_to", "dealership")
        .order_by("received_at")
    )
    people = selectors.people_to_give_to(request.user)
    form = ReassignForm(request.POST, people=people, lead_ids=[lead.pk for lead in visible])
    if "to" not in request.POST:  # step one, from the lead list: choose the person
        form = ReassignForm(
            people=people, lead_ids=[lead.pk for lead in visible], initial={"lead": ids}
        )
        return render(
            request,
            "distribution/reassign.html",
            {"form": form, "leads": visible, "next": _safe_next(request, "")},
        )
    if not form.is_valid():
        if not visible:
            messages.error(request, _("Tick at least one lead."))
            return redirect(_safe_next(request, "distribution:queue"))
        return render(
            request,
            "distribution/reassign.html",
            {"form": form, "leads": visible, "next": _safe_next(request, "")},
            status=400,
        )
    done, errors = queues.reassign(
        lead_ids=form.cleaned_data["lead"], to=form.cleaned_data["to"], by=request.user
    )
    for error in errors:
        messages.error(request, error)
    if done:
        messages.success(
            request,
            ngettext("%(n)d lead reassigned.", "%(n)d leads reassigned.", len(done))
            % {"n": len(done)},
        )
    return redirect(_safe_next(request, "distribution:queue"))


@role_required(Role.SALESPERSON)
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    selling = dealerships_for(request.user, [Role.SALESPERSON])
    lead = get_object_or_404(Lead.objects.filter(dealership__in=selling), pk=pk)
    try:
        lead = queues.take_lead(lead_id=lead.pk, user=request.user)
    except DistributionError as exc:
        messages.error(request, str(exc))
        return redirect("distribution:queue")
    messages.success(request, _("The lead is yours."))
    return redirect("leads:detail", pk=lead.pk)


def _bdc_lead(request: HttpRequest, pk: int) -> Lead:
    """A lead of a dealership where the person works the BDC queue (or manages)."""
    mine = dealerships_for(request.user, selectors.BDC_ROLES)
    return get_object_or_404(Lead.objects.filter(dealership__in=mine), pk=pk)


def _handoff_people(request: HttpRequest):
    return selectors.salespeople_of(dealerships_for(request.user, selectors.BDC_ROLES))


@bdc_required
def bdc(request: HttpRequest) -> HttpResponse:
    """The BDC's day: passive leads to take, the ones they hold (hand them to sales once
    qualified), and lost leads due for re-activation."""
    mine = list(selectors.bdc_mine(request.user)[:200])
    people = _handoff_people(request)
    return render(
        request,
        "distribution/bdc.html",
        {
            "queue": selectors.bdc_queue(request.user)[:200],
            "mine": mine,
            "reactivation": selectors.reactivation_queue(request.user)[:200],
            "handoff": HandoffForm(people=people),
            "now": timezone.now(),
        },
    )


@bdc_required
@require_POST
def bdc_take(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _bdc_lead(request, pk)
    try:
        lead = queues.bdc_take(lead_id=lead.pk, user=request.user)
    except DistributionError as exc:
        messages.error(request, str(exc))
        return redirect("distribution:bdc")
    messages.success(request, _("The lead is yours."))
    return redirect("leads:detail", pk=lead.pk)


@bdc_required
@require_POST
def bdc_handoff(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _bdc_lead(request, pk)
    form = HandoffForm(request.POST, people=_handoff_people(request))
    if not form.is_valid():
        messages.error(request, _("Choose a salesperson of this dealership."))
        return redirect("distribution:bdc")
    try:
        lead = queues.hand_to_sales(lead_id=lead.pk, to=form.cleaned_data["to"], by=request.user)
    except DistributionError as exc:
        messages.error(request, str(exc))
        return redirect("distribution:bdc")
    if lead.assigned_to:
        messages.success(
            request, _("Handed to %(who)s as an active lead.") % {"who": lead.assigned_to}
        )
    else:
        messages.success(request, _("Active now; it waits in the unassigned queue."))
    return redirect("distribution:bdc")


@manager_required
def fairness(request: HttpRequest) -> HttpResponse:
    """Leads per salesperson per source over a period, against their weight, with the skips."""
    dealerships = list(selectors.managed(request.user))
    if not dealerships:
        raise PermissionDenied
    chosen = next(
        (d for d in dealerships if str(d.pk) == request.GET.get("dealership")), dealerships[0]
    )
    today = timezone.localdate()
    start = parse_date(request.GET.get("from") or "") or today - timedelta(days=30)
    end = parse_date(request.GET.get("until") or "") or today
    errors = []
    if end < start:
        errors.append(_("The period ends before it starts; showing the last 30 days."))
        start, end = today - timedelta(days=30), today
    tz = chosen.tz
    tables = selectors.fairness(
        chosen,
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )
    return render(
        request,
        "distribution/fairness.html",
        {
            "dealerships": dealerships,
            "chosen": chosen,
            "start": start,
            "end": end,
            "tables": tables,
            "errors": errors,
        },
    )
