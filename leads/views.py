from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leads import selectors, services
from leads.forms import ContactAttemptForm, NoteForm, StatusForm
from leads.lifecycle import TransitionNotAllowed


def lead_list(request: HttpRequest) -> HttpResponse:
    leads = selectors.lead_list(request.user)
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    return render(request, "leads/list.html", {"page": page})


def _visible_lead(request: HttpRequest, pk: int):  # noqa: ANN202
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
            "phones": lead.customer.phones.all(),
            "contact_form": ContactAttemptForm(),
            "note_form": NoteForm(),
            "status_form": StatusForm(lead=lead),
        },
    )


@require_POST
def log_contact(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    form = ContactAttemptForm(request.POST)
    if form.is_valid():
        services.log_contact_attempt(lead=lead, by=request.user, **form.cleaned_data)
        messages.success(request, _("Contact attempt logged."))
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
    else:
        messages.error(request, _("A note cannot be empty."))
    return redirect("leads:detail", pk=lead.pk)
