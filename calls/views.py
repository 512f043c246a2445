"""Twilio's webhooks (TwiML answers, signature checked on every request) and the pages: calls
with their ratings, click-to-call, call settings and tracking numbers, speed-to-lead."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from accounts.permissions import manager_required
from calls import selectors, services
from calls.forms import CallSettingsForm, TrackingNumberForm
from calls.models import Call, MarkedOutcome, Rating, TrackingNumber


def _signed(request: HttpRequest) -> bool:
    """Twilio signs the full URL it asked and the POSTed fields with the account's token."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    params = {key: request.POST.get(key) for key in request.POST}
    return RequestValidator(token).validate(request.build_absolute_uri(), params, signature)


def twilio_webhook(view: Callable[..., object]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @login_not_required
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _signed(request):
            return HttpResponseForbidden("Invalid or missing X-Twilio-Signature.")
        answer = view(request, *args, **kwargs)
        if answer is None:
            return HttpResponse(status=204)
        return HttpResponse(str(answer), content_type="text/xml")

    return wrapped


@twilio_webhook
def agent_answered(request: HttpRequest, pk: int):
    return services.agent_answered(call_id=pk, call_sid=request.POST.get("CallSid", ""))


@twilio_webhook
def agent_choice(request: HttpRequest, pk: int):
    return services.agent_choice(call_id=pk, digits=request.POST.get("Digits", ""))


@twilio_webhook
def customer_answered(request: HttpRequest, pk: int):
    return services.customer_answered(
        call_id=pk,
        answered_by=request.POST.get("AnsweredBy", ""),
        call_sid=request.POST.get("CallSid", ""),
    )


@twilio_webhook
def dial_done(request: HttpRequest, pk: int):
    return services.dial_done(
        call_id=pk,
        dial_status=request.POST.get("DialCallStatus", ""),
        duration=request.POST.get("DialCallDuration", ""),
    )


@twilio_webhook
def agent_status(request: HttpRequest, pk: int):
    services.agent_status(call_id=pk, status=request.POST.get("CallStatus", ""))


@twilio_webhook
def recording(request: HttpRequest, pk: int):
    services.recording_ready(
        call_id=pk,
        sid=request.POST.get("RecordingSid", ""),
        url=request.POST.get("RecordingUrl", ""),
        duration=request.POST.get("RecordingDuration", ""),
        status=request.POST.get("RecordingStatus", ""),
    )


@twilio_webhook
def inbound(request: HttpRequest):
    return services.inbound_call(
        to=request.POST.get("To", ""),
        caller=request.POST.get("From", ""),
        call_sid=request.POST.get("CallSid", ""),
    )


@twilio_webhook
def inbound_status(request: HttpRequest):
    services.inbound_status(
        call_sid=request.POST.get("CallSid", ""), status=request.POST.get("CallStatus", "")
    )


@twilio_webhook
def inbound_whisper(request: HttpRequest, pk: int):
    return services.inbound_whisper(call_id=pk)


@twilio_webhook
def inbound_next(request: HttpRequest, pk: int):
    return services.inbound_next(
        call_id=pk,
        dial_status=request.POST.get("DialCallStatus", ""),
        duration=request.POST.get("DialCallDuration", ""),
    )


@twilio_webhook
def voicemail_done(request: HttpRequest, pk: int):
    return services.voicemail_done(call_id=pk)


# --- pages -----------------------------------------------------------------------------------


def call_list(request: HttpRequest) -> HttpResponse:
    calls = selectors.calls_for(request.user)[:200]
    return render(
        request,
        "calls/list.html",
        {
            "calls": calls,
            "ratings": Rating.choices,
            "results": MarkedOutcome.choices,
            "configured": services.is_configured(),
        },
    )


@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("lead"), pk=pk)
    if not services.may_rate(request.user, call):
        raise PermissionDenied
    try:
        call = services.rate_call(
            call=call,
            by=request.user,
            rating=request.POST.get("rating", ""),
            marked_outcome=request.POST.get("marked_outcome", ""),
        )
    except services.CallError as exc:
        return HttpResponse(str(exc), status=400)
    if request.htmx:
        return render(
            request,
            "calls/_row.html",
            {"call": call, "ratings": Rating.choices, "results": MarkedOutcome.choices},
        )
    messages.success(request, _("Call rated."))
    return redirect(request.POST.get("next") or "calls:list")


@require_POST
def click_to_call(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(selectors.leads_callable_by(request.user), pk=pk)
    try:
        services.click_to_call(lead=lead, by=request.user)
    except services.CallError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your phone rings now; press 1 to call the customer."))
    return redirect("leads:detail", lead.pk)


@manager_required
def call_settings(request: HttpRequest) -> HttpResponse:
    dealership = selectors.dealership_for(request.user, request.GET.get("dealership"))
    if dealership is None:
        raise PermissionDenied
    options = services.settings_of(dealership)
    form = CallSettingsForm(request.POST or None, instance=options, prefix="s")
    number_form = TrackingNumberForm(dealership=dealership, prefix="n")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Call settings saved."))
        return redirect(f"{request.path}?dealership={dealership.pk}")
    return render(
        request,
        "calls/settings.html",
        {
            "dealership": dealership,
            "dealerships": selectors.managed(request.user),
            "form": form,
            "number_form": number_form,
            "numbers": dealership.tracking_numbers.select_related("source"),
            "missing": services.missing_configuration(),
            "inbound_url": services.hook("inbound"),
            "inbound_status_url": services.hook("inbound_status"),
        },
    )


@manager_required
@require_POST
def tracking_number_add(request: HttpRequest, pk: int) -> HttpResponse:
    dealership = selectors.dealership_for(request.user, str(pk))
    if dealership is None:
        raise PermissionDenied
    form = TrackingNumberForm(request.POST, dealership=dealership, prefix="n")
    if form.is_valid():
        form.save()
        messages.success(request, _("Tracking number added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(f"/calls/settings/?dealership={dealership.pk}")


@manager_required
@require_POST
def tracking_number_delete(request: HttpRequest, pk: int) -> HttpResponse:
    number = get_object_or_404(
        TrackingNumber, pk=pk, dealership__in=selectors.managed(request.user)
    )
    dealership_id = number.dealership_id
    number.delete()
    messages.success(request, _("Tracking number removed."))
    return redirect(f"/calls/settings/?dealership={dealership_id}")


@manager_required
def speed(request: HttpRequest) -> HttpResponse:
    dealership = selectors.dealership_for(request.user, request.GET.get("dealership"))
    if dealership is None:
        raise PermissionDenied
    days = selectors.days_param(request.GET.get("days"))
    return render(
        request,
        "calls/speed.html",
        {
            "dealership": dealership,
            "dealerships": selectors.managed(request.user),
            "days": days,
            "report": selectors.speed_report(dealership, days=days),
        },
    )
