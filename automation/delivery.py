"""Machine endpoints: Twilio's status callbacks and inbound SMS and WhatsApp messages (each request signed with
X-Twilio-Signature, checked with Twilio's RequestValidator and TWILIO_AUTH_TOKEN; unsigned or
wrongly signed requests get 403), anymail's tracking events, and the customer's unsubscribe
link (the signed token is the credential)."""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator

from automation import consent, dispatcher, links, replies, whatsapp
from automation.models import Channel, DeliveryStatus, OptOut, OutboundMessage

log = logging.getLogger(__name__)

TWILIO_STATUS = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,  # WhatsApp's read receipt
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}
EMAIL_STATUS = {
    "queued": DeliveryStatus.QUEUED,
    "deferred": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "opened": DeliveryStatus.DELIVERED,
    "clicked": DeliveryStatus.DELIVERED,
    "bounced": DeliveryStatus.BOUNCED,
    "rejected": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _twilio_signed(request: HttpRequest) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    params = {key: request.POST.get(key) for key in request.POST}
    return RequestValidator(token).validate(request.build_absolute_uri(), params, signature)


@csrf_exempt
@login_not_required
@require_POST
def twilio_status(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    if not _twilio_signed(request):
        return HttpResponseForbidden("Invalid or missing X-Twilio-Signature.")
    message = OutboundMessage.objects.filter(
        uid=uid, channel__in=[Channel.SMS, Channel.WHATSAPP]
    ).first()
    if message is None:
        return HttpResponse(status=204)  # not ours (any more): nothing to retry
    raw = request.POST.get("MessageStatus", "").lower()
    status = TWILIO_STATUS.get(raw)
    if status is None:
        return HttpResponse(status=204)
    detail = raw
    if request.POST.get("ErrorCode"):
        detail = f"{raw} (Twilio error {request.POST['ErrorCode'][:10]})"
    dispatcher.update_delivery(
        message=message,
        status=status,
        detail=detail,
        provider_id=request.POST.get("MessageSid", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@login_not_required
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """A message to one of our Twilio numbers: an SMS (From +31…) or, on the same webhook, a
    WhatsApp message (From whatsapp:+31…, To the dealership's WhatsApp sender)."""
    if not _twilio_signed(request):
        return HttpResponseForbidden("Invalid or missing X-Twilio-Signature.")
    sid = request.POST.get("MessageSid", "")[:64]
    sender = request.POST.get("From", "")[:48]
    body = request.POST.get("Body", "")[:5000]
    if sender.lower().startswith(whatsapp.PREFIX):
        return _whatsapp_inbound(request, sid=sid, body=body)
    sender = sender[:32]
    if not sid or not sender.startswith("+"):
        return HttpResponse("MessageSid and an E.164 From are required.", status=400)
    replies.receive_sms(sid=sid, from_number=sender, body=body)
    return HttpResponse(TWIML_EMPTY, content_type="text/xml")


def _whatsapp_inbound(request: HttpRequest, *, sid: str, body: str) -> HttpResponse:
    sender = whatsapp.number_of(request.POST.get("From", ""))
    to = whatsapp.number_of(request.POST.get("To", ""))
    if not sid or not E164.match(sender) or not E164.match(to):
        return HttpResponse("MessageSid and E.164 whatsapp: From and To are required.", status=400)
    media = []
    count = request.POST.get("NumMedia", "0")
    for i in range(min(int(count) if count.isdigit() else 0, 10)):
        url = request.POST.get(f"MediaUrl{i}", "")[:500]
        if url.startswith("https://"):
            media.append({"url": url, "type": request.POST.get(f"MediaContentType{i}", "")[:80]})
    replies.receive_whatsapp(
        sid=sid,
        from_number=sender,
        to_number=to,
        body=body,
        profile_name=request.POST.get("ProfileName", "")[:120],
        media=media,
    )
    return HttpResponse(TWIML_EMPTY, content_type="text/xml")


def on_email_tracking(*, event, esp_name: str) -> None:
    """anymail.signals.tracking: find our message by the provider's id, else by our uid in the
    metadata, and move its status on. Complaints and unsubscribes become opt-outs."""
    if event.event_type in ("complained", "unsubscribed") and event.recipient:
        consent.record_opt_out(
            channel=Channel.EMAIL, address=event.recipient, origin=OptOut.Origin.PROVIDER
        )
    status = EMAIL_STATUS.get(event.event_type)
    if status is None:
        return
    message = None
    if event.message_id:
        message = OutboundMessage.objects.filter(
            channel=Channel.EMAIL, provider_id=event.message_id
        ).first()
    uid = (event.metadata or {}).get("dealerlms_uid")
    if message is None and uid:
        try:
            message = OutboundMessage.objects.filter(uid=uuid.UUID(str(uid))).first()
        except ValueError:
            message = None
    if message is None:
        log.info("tracking event %s from %s for an unknown message", event.event_type, esp_name)
        return
    detail = event.event_type + (f": {event.description}" if event.description else "")
    dispatcher.update_delivery(
        message=message, status=status, detail=detail, provider_id=event.message_id or ""
    )


@csrf_exempt  # a one-click unsubscribe (RFC 8058) POSTs from the mail client, without a cookie
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = links.read_token(token)
    if found is None:
        raise Http404("This unsubscribe link is not valid.")
    channel, address = found
    done = False
    if request.method == "POST":
        consent.record_opt_out(channel=channel, address=address, origin=OptOut.Origin.LINK)
        done = True
    else:
        done = consent.opted_out(channel, address)
    return render(
        request, "automation/unsubscribe.html", {"address": address, "done": done, "token": token}
    )
