"""Pages for managers: the quarantine (messages that did not become a lead) and source labels."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbound import ad_test_leads, json_mapping, quarantine
from inbound.forms import (
    ByHandForm,
    DiscardForm,
    GoogleAdsKeyForm,
    MapKeyForm,
    RouteForm,
    SourceLabelForm,
)
from leads.models import InboundMessage, Source


def _managed(request: HttpRequest):
    dealerships = quarantine.managed_dealerships(request.user)
    if not dealerships.exists():
        raise PermissionDenied
    return dealerships


def _message(request: HttpRequest, pk: int) -> InboundMessage:
    _managed(request)
    return get_object_or_404(quarantine.visible_messages(request.user), pk=pk)


def quarantine_list(request: HttpRequest) -> HttpResponse:
    """The messages waiting for a person; with ?show=not_a_lead, those refused as no lead."""
    _managed(request)
    not_a_lead = request.GET.get("show") == "not_a_lead"
    messages_ = (
        quarantine.not_a_lead_messages(request.user)
        if not_a_lead
        else quarantine.waiting_messages(request.user)
    )
    page = Paginator(messages_, 50).get_page(request.GET.get("page"))
    return render(request, "inbound/quarantine_list.html", {"page": page, "not_a_lead": not_a_lead})


def quarantine_detail(
    request: HttpRequest, pk: int, by_hand_form: ByHandForm | None = None
) -> HttpResponse:
    message = _message(request, pk)
    dealerships = quarantine.managed_dealerships(request.user)
    headers = _headers(message)
    unknown = json_mapping.unknown_keys(message)
    sources = _mapping_sources(request, message)
    return render(
        request,
        "inbound/quarantine_detail.html",
        {
            "message": message,
            "headers": headers,
            # Bare documents (ADF, JSON from the API) have no text part: show the raw bytes.
            "raw_text": ""
            if (message.text or message.html)
            else message.raw_head(200_000).decode("utf-8", "replace"),
            "has_raw": bool(message.raw_file or message.raw),
            "log": message.log.select_related("actor"),
            "waiting": message.status in quarantine.ACTIONABLE,
            "not_a_lead": message.status == InboundMessage.Status.NOT_A_LEAD,
            "discard_form": DiscardForm(),
            "route_form": RouteForm(dealerships=dealerships),
            "by_hand_form": by_hand_form
            or ByHandForm(initial=quarantine.prefill(message), dealerships=dealerships),
            # One small form per unknown JSON key: map it, and the message is parsed again.
            "unknown_keys": [
                (
                    entry,
                    MapKeyForm(
                        initial={"key": entry["key"], "source": message.source_id},
                        sources=sources,
                        prefix=f"k{index}",
                    ),
                )
                for index, entry in enumerate(unknown)
            ]
            if sources.exists()
            else [],
            "unknown_without_source": bool(unknown) and not sources.exists(),
        },
    )


def _mapping_sources(request: HttpRequest, message: InboundMessage):
    """The sources a key of this message may be mapped for: its dealership's, if managed."""
    return Source.objects.filter(
        dealership=message.dealership_id,
        dealership__in=quarantine.managed_dealerships(request.user),
    )


def _headers(message: InboundMessage) -> list[tuple[str, str]]:
    """The message's headers, decoded for reading (shown escaped by the template)."""
    from email import message_from_bytes, policy

    head = message.raw_head(64_000).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        parsed = message_from_bytes(head + b"\n\n", policy=policy.default)
        return [(name, str(value)) for name, value in parsed.items()]
    except Exception:
        return [("", head.decode("utf-8", "replace"))]


def quarantine_raw(request: HttpRequest, pk: int) -> FileResponse:
    """The message exactly as it arrived, as a .eml download (streamed from its file when it is
    a large one); for a mail program, never shown in the browser."""
    message = _message(request, pk)
    response = FileResponse(
        message.open_raw(),
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def quarantine_reparse(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    try:
        quarantine.reparse(message=message, by=request.user)
    except quarantine.QuarantineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The message is being parsed again."))
    return redirect("inbound:quarantine_detail", pk=message.pk)


@require_POST
def quarantine_map_key(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    prefix = next((k.split("-")[0] for k in request.POST if k.endswith("-key")), None)
    form = MapKeyForm(request.POST, sources=_mapping_sources(request, message), prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Choose a key, what it means and the source."))
        return redirect("inbound:quarantine_detail", pk=message.pk)
    try:
        json_mapping.map_key(message=message, by=request.user, **form.cleaned_data)
    except quarantine.QuarantineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("“%(key)s” now means %(field)s. The message is being parsed again.")
            % {"key": form.cleaned_data["key"], "field": form.cleaned_data["field"]},
        )
    return redirect("inbound:quarantine_detail", pk=message.pk)


@require_POST
def quarantine_confirm_lead(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    try:
        quarantine.confirm_lead(message=message, by=request.user)
    except quarantine.QuarantineError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The message is being parsed again as a lead."))
    return redirect("inbound:quarantine_detail", pk=message.pk)


@require_POST
def quarantine_discard(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the message is discarded."))
        return redirect("inbound:quarantine_detail", pk=message.pk)
    try:
        quarantine.discard(message=message, by=request.user, reason=form.cleaned_data["reason"])
    except quarantine.QuarantineError as exc:
        messages.error(request, str(exc))
        return redirect("inbound:quarantine_detail", pk=message.pk)
    messages.success(request, _("Message discarded."))
    return redirect("inbound:quarantine")


@require_POST
def quarantine_route(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    form = RouteForm(request.POST, dealerships=quarantine.managed_dealerships(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose one of your dealerships."))
    else:
        try:
            quarantine.route(
                message=message, dealership=form.cleaned_data["dealership"], by=request.user
            )
        except quarantine.QuarantineError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The message is being parsed for this dealership."))
    return redirect("inbound:quarantine_detail", pk=message.pk)


@require_POST
def quarantine_create_lead(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    form = ByHandForm(request.POST, dealerships=quarantine.managed_dealerships(request.user))
    if not form.is_valid():
        return quarantine_detail(request, pk, by_hand_form=form)
    try:
        lead = quarantine.create_by_hand(message=message, by=request.user, **form.cleaned_data)
    except quarantine.QuarantineError as exc:
        messages.error(request, str(exc))
        return redirect("inbound:quarantine_detail", pk=message.pk)
    messages.success(request, _("Lead created."))
    return redirect("leads:detail", pk=lead.pk)


# --- sources: labels and API tokens ----------------------------------------------------------


def _source(request: HttpRequest, pk: int) -> Source:
    return get_object_or_404(Source.objects.filter(dealership__in=_managed(request)), pk=pk)


def source_labels(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    form = SourceLabelForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        form.instance.source = source
        form.instance.created_by = request.user
        form.save()
        messages.success(request, _("Label added. Re-parse the quarantined messages to use it."))
        return redirect("inbound:source_labels", pk=source.pk)
    return render(
        request,
        "inbound/source_labels.html",
        {
            "source": source,
            "labels": source.labels.all(),
            "form": form,
            "quarantined": source.inbound_messages.filter(
                status=InboundMessage.Status.QUARANTINED
            ).count(),
            "new_token": request.session.pop(f"source-token-{source.pk}", None),
            "google_ads_url": request.build_absolute_uri(
                reverse("inbound_google_ads", args=[source.pk])
            ),
            "google_ads_form": GoogleAdsKeyForm(),
            "new_google_ads_key": request.session.pop(f"source-google-ads-{source.pk}", None),
            "google_ads_test": ad_test_leads.latest(source),
        },
    )


@require_POST
def source_label_delete(request: HttpRequest, pk: int, label_pk: int) -> HttpResponse:
    source = _source(request, pk)
    get_object_or_404(source.labels, pk=label_pk).delete()
    messages.success(request, _("Label removed."))
    return redirect("inbound:source_labels", pk=source.pk)


@require_POST
def source_reparse(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    count = quarantine.reparse_source(source=source, by=request.user)
    messages.success(request, _("%(count)d messages are being parsed again.") % {"count": count})
    return redirect("inbound:source_labels", pk=source.pk)


@require_POST
def source_rotate_token(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    token = source.rotate_api_token()
    source.save(update_fields=["api_token"])
    # Shown once, on the next page view, then gone from the session.
    request.session[f"source-token-{source.pk}"] = token
    return redirect("inbound:source_labels", pk=source.pk)


@require_POST
def source_google_ads_key(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    form = GoogleAdsKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("key", [])))
        return redirect("inbound:source_labels", pk=source.pk)
    key = source.set_google_ads_key(form.cleaned_data["key"] or None)
    source.save(update_fields=["google_ads_key"])
    # Shown once, on the next page view, then gone from the session (as the API token).
    request.session[f"source-google-ads-{source.pk}"] = key
    return redirect("inbound:source_labels", pk=source.pk)
