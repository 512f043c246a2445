from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import MANAGING_ROLES, dealerships_for
from leads import audit, export, privacy, selectors, services
from leads.filters import LeadFilter
from leads.forms import (
    AppointmentForm,
    ContactAttemptForm,
    DeleteForm,
    LeadEditForm,
    NoteForm,
    StatusForm,
)
from leads.lifecycle import TransitionNotAllowed


def lead_list(request: HttpRequest) -> HttpResponse:
    """Every lead the person may see, filtered by the query string; `?format=csv` exports it."""
    lead_filter = LeadFilter(
        request.GET, queryset=selectors.lead_list(request.user), user=request.user
    )
    leads = lead_filter.qs
    if request.GET.get("format") == "csv":
        lead_type = request.GET.get("lead_type") or None
        audit.record_export(
            user=request.user, export="leads", query=request.GET, rows=leads.count()
        )
        response = StreamingHttpResponse(
            export.rows(
                leads.prefetch_related("customer__phones").iterator(chunk_size=500),
                lead_type,
                export.header(lead_type),
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="leads-{lead_type or "all"}.csv"'
        return response
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "leads/list.html",
        {"page": page, "filter": lead_filter, "query": query.urlencode()},
    )


def export_log(request: HttpRequest) -> HttpResponse:
    """Every CSV export taken in the dealerships the person manages."""
    if not dealerships_for(request.user, MANAGING_ROLES).exists():
        raise PermissionDenied
    page = Paginator(audit.exports_seen_by(request.user), 50).get_page(request.GET.get("page"))
    for record in page:
        record.name = audit.export_name(record.export)
    return render(request, "leads/export_log.html", {"page": page})


def inbox(request: HttpRequest) -> HttpResponse:
    """My leads, most urgent first. htmx polls the list part; a new lead raises a signal."""
    leads = list(selectors.inbox(request.user)[:200])
    newest = max((lead.pk for lead in leads), default=0)
    seen = int(request.GET.get("seen") or newest)
    context = {"leads": leads, "now": timezone.now(), "newest": newest, "has_new": newest > seen}
    if request.htmx:
        return render(request, "leads/_inbox_rows.html", context)
    return render(request, "leads/inbox.html", context)


def _visible_lead(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.visible_leads(request.user), pk=pk)


def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(
        selectors.lead_list(request.user).select_related("trade_in", "inbound_message"), pk=pk
    )
    return render(
        request,
        "leads/detail.html",
        {
            "lead": lead,
            "timeline": selectors.lead_timeline(lead),
            "other_leads": selectors.customer_other_leads(lead, request.user),
            "phones": lead.customer.phones.all(),
            "contact_form": ContactAttemptForm(),
            "note_form": NoteForm(),
            "status_form": StatusForm(lead=lead),
            "appointment_form": AppointmentForm(),
            "delete_form": DeleteForm(),
            "can_erase": dealerships_for(request.user, MANAGING_ROLES)
            .filter(pk=lead.dealership_id)
            .exists(),
        },
    )


@require_POST
def log_contact(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = ContactAttemptForm(request.POST)
    if form.is_valid():
        services.log_contact_attempt(lead=lead, by=request.user, **form.cleaned_data)
        messages.success(request, _("Contact attempt logged."))
    elif "note" in form.errors:
        messages.error(request, " ".join(form.errors["note"]))
    else:
        messages.error(request, _("Choose a channel and an outcome."))
    return redirect("leads:detail", pk=lead.pk)


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = StatusForm(request.POST, lead=lead)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("leads:detail", pk=lead.pk)
    try:
        services.change_status(
            lead=lead,
            to=form.cleaned_data["status"],
            by=request.user,
            lost_reason=form.cleaned_data["lost_reason"],
            note=form.cleaned_data["note"],
        )
    except (TransitionNotAllowed, services.LeadError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status updated."))
    return redirect("leads:detail", pk=lead.pk)


@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_note(lead=lead, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, _("Note added."))
    elif form.data.get("text", "").strip():
        messages.error(request, " ".join(form.errors["text"]))
    else:
        messages.error(request, _("A note cannot be empty."))
    return redirect("leads:detail", pk=lead.pk)


@require_POST
def set_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = AppointmentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(e for errs in form.errors.values() for e in errs)
            or _("Give the appointment a date and time."),
        )
        return redirect("leads:detail", pk=lead.pk)
    # The form's naive time is the dealership's local time, wherever the salesperson is.
    at = form.cleaned_data["at"]
    if timezone.is_naive(at):
        at = timezone.make_aware(at, lead.dealership.tz)
    else:
        at = at.replace(tzinfo=None).replace(tzinfo=lead.dealership.tz)
    try:
        services.set_appointment(
            lead=lead,
            at=at,
            by=request.user,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
    except (TransitionNotAllowed, services.LeadError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Appointment set."))
    return redirect("leads:detail", pk=lead.pk)


@require_POST
def delete_lead(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the lead is deleted."))
        return redirect("leads:detail", pk=lead.pk)
    try:
        services.soft_delete(lead=lead, by=request.user, reason=form.cleaned_data["reason"])
    except services.LeadError as exc:
        messages.error(request, str(exc))
        return redirect("leads:detail", pk=lead.pk)
    messages.success(request, _("Lead deleted. It stays in the audit trail."))
    return redirect("home")


@require_POST
def erase_customer(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    if not dealerships_for(request.user, MANAGING_ROLES).filter(pk=lead.dealership_id).exists():
        return HttpResponseForbidden(_("Only a manager can erase a customer's personal data."))
    services.erase_customer(customer=lead.customer, by=request.user)
    messages.success(request, _("The customer's personal data was erased."))
    return redirect("leads:detail", pk=lead.pk)


def _managed_lead(request: HttpRequest, pk: int):
    """The lead, when the person manages its dealership: personal data is a manager's matter."""
    lead = _visible_lead(request, pk)
    if not dealerships_for(request.user, MANAGING_ROLES).filter(pk=lead.dealership_id).exists():
        raise PermissionDenied
    return lead


def personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Right of access: everything held about the lead's customer (and their other records in
    the dealer group), readable and printable."""
    lead = _managed_lead(request, pk)
    person = privacy.person_of(lead.customer)
    return render(
        request,
        "leads/personal_data.html",
        {
            "lead": lead,
            "person": person,
            "sections": privacy.readable_records(person, lead.dealership),
        },
    )


def personal_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    """Right of access, machine-readable: the same records as JSON, every field."""
    lead = _managed_lead(request, pk)
    response = HttpResponse(
        privacy.access_json(privacy.person_of(lead.customer)),
        content_type="application/json; charset=utf-8",
    )
    name = f"personal-data-customer-{lead.customer_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def edit_lead(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = LeadEditForm(request.POST or None, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        phone = data.pop("phone")
        services.update_lead(lead=lead, by=request.user, phone=phone or None, **data)
        messages.success(request, _("Lead updated."))
        return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/edit.html", {"lead": lead, "form": form})
