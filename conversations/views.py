"""The lead's conversation: its own page (and the lead page's panel, swapped by htmx), and a
person's reply. A lead the person may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from automation.consent import why_not_to_customer
from automation.errors import AutomationError
from automation.models import Channel
from conversations.forms import ReplyForm
from conversations.services import send_reply
from leads.models import Lead
from leads.selectors import visible_leads


def _lead(request: HttpRequest, pk: int) -> Lead:
    return get_object_or_404(
        visible_leads(request.user).select_related("customer", "dealership", "assigned_to"),
        pk=pk,
    )


def thread(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    template = "conversations/_panel.html" if request.htmx else "conversations/page.html"
    return render(request, template, {"lead": lead})


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    blocked = {value: why_not_to_customer(lead, value) for value in Channel.values}
    form = ReplyForm(request.POST, blocked=blocked)
    sent = False
    if form.is_valid():
        try:
            send_reply(
                lead=lead,
                channel=form.cleaned_data["channel"],
                text=form.cleaned_data["text"],
                subject=form.cleaned_data["subject"],
                by=request.user,
            )
        except AutomationError as exc:
            form.add_error(None, str(exc))
        else:
            sent = True
    if not request.htmx:
        if sent:
            messages.success(request, _("Reply queued; it is sent within seconds."))
        else:
            errors = " ".join(e for errs in form.errors.values() for e in errs)
            messages.error(request, errors or _("Write a message first."))
        return redirect("conversations:thread", pk=lead.pk)
    context = {"lead": lead, "reply_form": None if sent else form, "sent": sent}
    return render(request, "conversations/_panel.html", context)
