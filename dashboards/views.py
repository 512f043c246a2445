"""Dashboard, drill-down and targets pages. Thin: filters in, report or list out."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import MANAGING_ROLES, dealerships_for
from core import csvsafe
from dashboards import charts
from dashboards.definitions import FIGURES
from dashboards.forms import PRESETS, DashboardFilter, DrillDownFilter, TargetForm
from dashboards.models import Target
from dashboards.report import Dashboard, Table
from dashboards.selectors import drill_down, received_in, scoped_leads
from leads import audit


def _filters(request: HttpRequest, form_class=DashboardFilter):
    if not dealerships_for(request.user).exists():
        raise PermissionDenied
    return form_class(request.GET, user=request.user)  # bound even when empty: defaults apply


def dashboard(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    if not filters.is_valid():
        return render(request, "dashboards/dashboard.html", {"filters": filters}, status=400)

    base = f"{reverse('dashboards:leads')}?{urlencode(filters.query())}"

    def drill_url(**params: object) -> str:
        # A row's own start/end (a week, the previous period) replace the page's.
        if "start" in params:
            return f"{reverse('dashboards:leads')}?{urlencode(filters.query(**params))}"
        return f"{base}&{urlencode(params)}" if params else base

    report = Dashboard(request.user, filters, drill_url).build()
    if request.GET.get("format") == "csv":
        table = report.tables.get(request.GET.get("table", ""))
        if table is None:
            return HttpResponse(_("Unknown table."), status=400, content_type="text/plain")
        audit.record_export(
            user=request.user,
            export=f"dashboard:{table.key}",
            query=request.GET,
            rows=len(table.rows),
        )
        return _csv(table, filters)
    export = {key: f"?{urlencode(filters.query(format='csv', table=key))}" for key in report.tables}
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "filters": filters,
            "report": report,
            "export": export,
            "funnel": charts.funnel(report.tables["total"].rows[0]),
            "trend": charts.trend(report.tables["week"].rows),
            "can_edit_targets": dealerships_for(request.user, MANAGING_ROLES).exists(),
            "presets": [
                (key, label, f"?{urlencode({**_kept(filters), 'preset': key})}")
                for key, label in PRESETS
            ],
        },
    )


def _kept(filters: DashboardFilter) -> dict[str, str]:
    """The dealership, team and salesperson filters, for preset links that change only the
    period."""
    return {k: v for k, v in filters.query().items() if k in ("dealership", "team", "salesperson")}


def _csv(table: Table, filters: DashboardFilter) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    start, end = filters.cleaned_data["start"], filters.cleaned_data["end"]
    response["Content-Disposition"] = f'attachment; filename="{table.key}-{start}-{end}.csv"'
    response.write(csvsafe.BOM)
    writer = csv.writer(response)
    header = [str(table.title)]
    for column, label in zip(table.columns, table.headers, strict=True):
        header += (
            [str(label), f"{label} %"] if column in FIGURES and column != "leads" else [str(label)]
        )
    writer.writerow(csvsafe.row(header))
    for row in table.rows:
        line = [csvsafe.cell(str(row.label))]  # a source or a person's name, typed by someone
        for cell in row.cells:
            if cell.column not in table.columns:
                continue
            if cell.seconds is not None or cell.column in ("p50", "p90"):
                line.append("" if cell.seconds is None else round(cell.seconds, 1))
            elif cell.column == "attempts":
                line.append("" if cell.average is None else round(cell.average, 2))
            elif cell.column == "leads":
                line.append(cell.count)
            else:
                line += [cell.count, "" if cell.percent is None else round(cell.percent, 1)]
        writer.writerow(line)
    return response


def drill_down_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, DrillDownFilter)
    if not filters.is_valid():
        return render(request, "dashboards/leads.html", {"filters": filters}, status=400)
    data = filters.cleaned_data
    leads = drill_down(
        received_in(
            scoped_leads(request.user, **filters.scope()),
            data["period"],
        ),
        data["figure"],
        data["group"],
    )
    leads = leads.select_related("customer", "source", "assigned_to", "vehicle").order_by(
        "-received_at", "-pk"
    )
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboards/leads.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "described": filters.describe(),
        },
    )


def _managed(request: HttpRequest):
    managed = dealerships_for(request.user, MANAGING_ROLES)
    if not managed.exists():
        raise PermissionDenied
    return managed


def targets(request: HttpRequest) -> HttpResponse:
    managed = _managed(request)
    dealership = get_object_or_404(managed, pk=request.GET.get("dealership") or managed.first().pk)
    form = TargetForm(request.POST or None, dealership=dealership)
    if request.method == "POST":
        if form.is_valid():
            _target, created = form.save()
            messages.success(request, _("Target added.") if created else _("Target updated."))
            return redirect(f"{reverse('dashboards:targets')}?dealership={dealership.pk}")
        messages.error(request, _("The target was not saved: see the errors below."))
    own = Target.objects.filter(dealership=dealership).select_related("source")
    overridden = {t.scope() for t in own}
    defaults = [
        (t, t.scope() in overridden) for t in Target.objects.filter(dealership__isnull=True)
    ]
    return render(
        request,
        "dashboards/targets.html",
        {
            "dealership": dealership,
            "dealerships": managed,
            "own": own,
            "defaults": defaults,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def delete_target(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, ~Q(dealership=None), pk=pk, dealership__in=_managed(request))
    dealership_id = target.dealership_id
    target.delete()
    messages.success(request, _("Target removed: the default applies again."))
    return redirect(f"{reverse('dashboards:targets')}?dealership={dealership_id}")
