"""Today, the lead's next actions, the appointment calendar with invites, who is behind, and the
cadence settings."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import manager_required
from accounts.selectors import MANAGING_ROLES, dealerships_for
from followup import ics, selectors, services
from followup.forms import FinishForm, StepForm, TaskForm
from followup.models import Cadence, CadenceStep, Task
from leads.selectors import visible_leads


def _zone(request: HttpRequest) -> ZoneInfo:
    first = dealerships_for(request.user).first()
    return ZoneInfo(first.time_zone if first else timezone.get_current_timezone_name())


def today(request: HttpRequest) -> HttpResponse:
    context = selectors.today(request.user, zone=_zone(request))
    for key in ("overdue", "due_today"):
        context[key] = [(t, FinishForm(task=t)) for t in context[key]]
    return render(request, "followup/today.html", context)


def _panel(request: HttpRequest, lead, form: TaskForm | None = None, status: int = 200):
    tasks = list(lead.tasks.filter(state=Task.State.OPEN).select_related("assigned_to"))
    return render(
        request,
        "followup/_lead_panel.html",
        {
            "lead": lead,
            "rows": [(t, FinishForm(task=t)) for t in tasks],
            "task_form": form or TaskForm(),
        },
        status=status,
    )


@require_POST
def task_add(request: HttpRequest, lead_pk: int) -> HttpResponse:
    lead = get_object_or_404(visible_leads(request.user), pk=lead_pk)
    form = TaskForm(request.POST)
    if form.is_valid():
        services.add_task(lead=lead, by=request.user, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, _("Next action planned."))
            return redirect("leads:detail", lead.pk)
        return _panel(request, lead)
    if not request.htmx:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("leads:detail", lead.pk)
    # htmx swaps only successful answers: the panel comes back with the form's errors in it.
    return _panel(request, lead, form)


@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.select_related("lead"), pk=pk, lead__in=visible_leads(request.user)
    )
    form = FinishForm(request.POST, task=task)
    if form.is_valid():
        services.finish_task(task=task, by=request.user, **form.cleaned_data)
    elif not request.htmx:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    if request.htmx and request.POST.get("from") == "lead":
        return _panel(request, task.lead)
    if request.POST.get("from") == "lead":
        return redirect("leads:detail", task.lead_id)
    return redirect("followup:today")


def calendar(request: HttpRequest) -> HttpResponse:
    zone = _zone(request)
    first = parse_date(request.GET.get("from", "")) or timezone.now().astimezone(zone).date()
    first = first - timedelta(days=first.weekday())
    days: dict[date, list] = {first + timedelta(days=i): [] for i in range(7)}
    for lead in selectors.appointments(request.user, first_day=first, days=7, zone=zone):
        days[lead.appointment_at.astimezone(zone).date()].append(lead)
    return render(
        request,
        "followup/calendar.html",
        {
            "days": days,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "zone": zone,
        },
    )


def appointment_invite(request: HttpRequest, lead_pk: int) -> HttpResponse:
    lead = get_object_or_404(
        visible_leads(request.user)
        .filter(appointment_at__isnull=False)
        .select_related("dealership", "customer", "assigned_to", "vehicle"),
        pk=lead_pk,
    )
    response = HttpResponse(ics.appointment_ics(lead), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{lead.pk}.ics"'
    return response


@manager_required
def behind(request: HttpRequest) -> HttpResponse:
    managed = list(dealerships_for(request.user, roles=MANAGING_ROLES).values_list("pk", flat=True))
    return render(request, "followup/behind.html", {"rows": selectors.behind(managed)})


def _managed_cadences(request: HttpRequest):
    return Cadence.objects.filter(
        dealership__in=dealerships_for(request.user, roles=MANAGING_ROLES)
    )


@manager_required
def cadences(request: HttpRequest) -> HttpResponse:
    for dealership in dealerships_for(request.user, roles=MANAGING_ROLES):
        for stage in Cadence.Stage.values:
            Cadence.objects.get_or_create(dealership=dealership, stage=stage)
    rows = _managed_cadences(request).select_related("dealership").prefetch_related("steps")
    return render(request, "followup/cadences.html", {"cadences": rows, "step_form": StepForm()})


@manager_required
@require_POST
def cadence_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    cadence = get_object_or_404(_managed_cadences(request), pk=pk)
    form = StepForm(request.POST)
    if form.is_valid():
        step = form.save(commit=False)
        step.cadence = cadence
        step.save()
        messages.success(request, _("Step added."))
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("followup:cadences")


@manager_required
@require_POST
def cadence_step_delete(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(CadenceStep, pk=pk, cadence__in=_managed_cadences(request))
    step.delete()
    return redirect("followup:cadences")


@manager_required
@require_POST
def cadence_bdc(request: HttpRequest, pk: int) -> HttpResponse:
    cadence = get_object_or_404(_managed_cadences(request), pk=pk)
    cadence.hand_to_bdc = request.POST.get("hand_to_bdc") == "on"
    cadence.save(update_fields=["hand_to_bdc"])
    return redirect("followup:cadences")
