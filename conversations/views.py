"""The lead's conversation: its own page (and the lead page's panel, swapped by htmx), and a
person's reply. A lead the person may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from automation.errors import AutomationError
from conversations.forms import ReplyForm
from conversations.selectors import reply_options
from conversations.services import send_reply
from leads.models import Lead
from leads.selectors import visible_leads


def _lead(request: HttpRequest, pk: int) -> Lead:
    return get_object_or_404(
        visible_leads(request.user).select_related(
            "customer", "dealership", "assigned_to", "vehicle"
        ),
        pk=pk,
    )


def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread. `?channel=whatsapp` chooses the reply's channel (a WhatsApp task's link; the
    channel select asks again with htmx, keeping what was written)."""
    lead = _lead(request, pk)
    template = "conversations/_panel.html" if request.htmx else "conversations/page.html"
    channel = request.GET.get("reply-channel") or request.GET.get("channel") or ""
    form = None
    if channel:
        form = ReplyForm(
            options=reply_options(lead),
            channel=channel,
            initial={
                "text": request.GET.get("reply-text", "")[:5000],
                "subject": request.GET.get("reply-subject", "")[:200],
            },
        )
    return render(request, template, {"lead": lead, "reply_form": form})


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = ReplyForm(request.POST, options=reply_options(lead))
    sent = False
    if form.is_valid():
        try:
            send_reply(
                lead=lead,
                channel=form.cleaned_data["channel"],
                text=form.cleaned_data["text"],
                subject=form.cleaned_data["subject"],
                whatsapp_template=form.chosen_template(),
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
    if sent:  # a fresh form, on the channel just used
        form = ReplyForm(options=reply_options(lead), channel=form.cleaned_data["channel"])
    context = {"lead": lead, "reply_form": form, "sent": sent}
    return render(request, "conversations/_panel.html", context)
