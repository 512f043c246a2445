"""Leads out: which events start a delivery, sending it (signed HTTP POST or e-mail) with retries
and backoff, re-sending by hand, the read-API tokens, and sales reported back by a DMS."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import jobs
from core.outgoing_mail import loop_headers
from dealers.models import Dealership
from integrations import payloads, signing
from integrations.models import (
    ApiToken,
    Delivery,
    DeliveryAttempt,
    Forwarding,
    SaleReport,
    hash_token,
)
from leads import services as lead_services
from leads.lifecycle import TRANSITIONS, Status
from leads.models import EventKind, Lead, LeadEvent

FORWARD_JOB = "integrations-forward"
# After the 1st, 2nd… failed try, wait this long; after the last, the delivery has failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# While one worker sends, the delivery is not due for the others.
LEASE = timedelta(minutes=2)
HTTP_TIMEOUT = 10
ANSWER_CHARS = 500

EVENT_KINDS = {
    Forwarding.Trigger.CREATED: {EventKind.CREATED},
    Forwarding.Trigger.ASSIGNED: {EventKind.ASSIGNED, EventKind.REASSIGNED},
    Forwarding.Trigger.STATUS_CHANGED: {EventKind.STATUS_CHANGED},
}
_TRIGGER_OF = {kind: trigger for trigger, kinds in EVENT_KINDS.items() for kind in kinds}


class TargetRefused(ValueError):
    """A forwarding target we will not send to (not http(s), or an internal address)."""


def check_target_url(url: str) -> None:
    """Refuse what is not http(s), and in production addresses inside our own network: an admin
    must not be able to make the server post to its own database or metadata service."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise TargetRefused("only http:// and https:// addresses can receive leads")
    if settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise TargetRefused(f"{parsed.hostname} cannot be resolved") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise TargetRefused(f"{parsed.hostname} is an internal address ({address})")


# -- which events start a delivery ----------------------------------------------------------------
def queue_forwards(*, events: list[LeadEvent]) -> int:
    """Deliveries for the events some enabled forwarding wants; one query for the forwardings of
    the batch, one for its leads, one insert. Returns how many were queued."""
    relevant = [e for e in events if e.kind in _TRIGGER_OF and e.pk is not None]
    if not relevant:
        return 0
    forwardings = list(
        Forwarding.objects.filter(
            is_enabled=True,
            dealership_id__in={e.dealership_id for e in relevant},
            trigger__in={_TRIGGER_OF[e.kind] for e in relevant},
        ).prefetch_related("sources")
    )
    if not forwardings:
        return 0
    leads = {
        row["pk"]: row
        for row in Lead.all_objects.filter(pk__in={e.lead_id for e in relevant}).values(
            "pk", "lead_type", "source_id"
        )
    }
    deliveries = [
        Delivery(forwarding=f, lead_id=e.lead_id, event=e)
        for e in relevant
        for f in forwardings
        if f.dealership_id == e.dealership_id
        and f.wants(
            event_kind=_TRIGGER_OF[e.kind],
            lead_type=leads[e.lead_id]["lead_type"],
            source_id=leads[e.lead_id]["source_id"],
            status_to=e.status_to,
        )
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        kick()
    return len(deliveries)


def kick() -> None:
    """Start the forwarding job after the commit (once for many deliveries)."""
    from integrations.tasks import send_due_deliveries

    transaction.on_commit(lambda: jobs.queue_once(send_due_deliveries, FORWARD_JOB))


# -- sending --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    ok: bool
    status_code: int | None
    text: str
    duration_ms: int


def due_delivery_ids(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            state__in=(Delivery.State.PENDING, Delivery.State.RETRYING), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("forwarding")
            .filter(
                pk=delivery_id,
                state__in=(Delivery.State.PENDING, Delivery.State.RETRYING),
                next_attempt_at__lte=now,
            )
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _lead_for(delivery: Delivery) -> Lead:
    return (
        Lead.all_objects.select_related(
            "dealership", "source", "customer", "vehicle", "trade_in", "assigned_to"
        )
        .prefetch_related("customer__phones")
        .get(pk=delivery.lead_id)
    )


def _send_http(
    forwarding: Forwarding, delivery: Delivery, body: bytes, content_type: str
) -> Answer:
    started = time.monotonic()
    try:
        check_target_url(forwarding.url)
        headers = {
            "Content-Type": content_type,
            "User-Agent": "DealerLMS-forwarding/1",
            "X-DealerLMS-Delivery": str(delivery.pk),
            "X-DealerLMS-Event": forwarding.trigger,
            **signing.signed_headers(forwarding.secret, body),
        }
        response = requests.post(
            forwarding.url, data=body, headers=headers, timeout=HTTP_TIMEOUT, allow_redirects=False
        )
    except (requests.RequestException, TargetRefused) as exc:
        return Answer(False, None, str(exc)[:ANSWER_CHARS], _ms(started))
    text = f"{response.status_code} {response.reason}: {response.text}"[:ANSWER_CHARS]
    return Answer(200 <= response.status_code < 300, response.status_code, text, _ms(started))


def _send_email(forwarding: Forwarding, lead: Lead, body: bytes, content_type: str) -> Answer:
    started = time.monotonic()
    extension = "xml" if forwarding.format == Forwarding.Format.ADF else "json"
    message = EmailMessage(
        subject=f"Lead {lead.pk} — {lead.dealership.name}",
        body=body.decode(),
        to=[forwarding.email],
        headers=loop_headers("lead-forwarding"),
    )
    message.attach(f"lead-{lead.pk}.{extension}", body, content_type.split(";")[0])
    try:
        message.send()
    except Exception as exc:
        return Answer(False, None, f"{type(exc).__name__}: {exc}"[:ANSWER_CHARS], _ms(started))
    return Answer(True, None, f"sent to {forwarding.email}", _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def deliver(*, delivery_id: int, by=None, now: datetime | None = None) -> Delivery | None:
    """One try of a due delivery. Returns None when it was not due (delivered, failed, not yet
    time, or another worker is sending it): safe to run twice."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    forwarding = delivery.forwarding
    lead = _lead_for(delivery)
    body, content_type = payloads.render(lead, forwarding.format)
    if forwarding.transport == Forwarding.Transport.HTTP:
        answer = _send_http(forwarding, delivery, body, content_type)
    else:
        answer = _send_email(forwarding, lead, body, content_type)
    finished = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            at=finished,
            by=by,
            ok=answer.ok,
            status_code=answer.status_code,
            answer=answer.text,
            duration_ms=answer.duration_ms,
        )
        delivery.last_answer = answer.text
        if answer.ok:
            delivery.state = Delivery.State.DELIVERED
            delivery.delivered_at = finished
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = Delivery.State.FAILED
        else:
            delivery.state = Delivery.State.RETRYING
            delivery.next_attempt_at = finished + BACKOFF[delivery.attempts - 1]
        delivery.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_answer"])
    return delivery


def send_again(*, delivery: Delivery) -> Delivery:
    """A person asks to send it again now (after a fix on the other side): a fresh series of
    tries, the log kept."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.state = Delivery.State.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        kick()
    return delivery


def send_test(*, forwarding: Forwarding, lead: Lead) -> Delivery:
    """Queue one lead by hand (the admin's "send this lead now"), outside the triggers."""
    with transaction.atomic():
        delivery = Delivery.objects.create(forwarding=forwarding, lead=lead)
        kick()
    return delivery


# -- tokens ---------------------------------------------------------------------------------------
def issue_token(
    *, dealership: Dealership, name: str, can_read_leads: bool, can_report_sales: bool, by=None
) -> tuple[ApiToken, str]:
    token = ApiToken(
        dealership=dealership,
        name=name,
        can_read_leads=can_read_leads,
        can_report_sales=can_report_sales,
        created_by=by,
    )
    secret = token.issue()
    token.save()
    return token, secret


def token_for(secret: str) -> ApiToken | None:
    """The live token with this secret (its hash is looked up; the secret itself is never stored)."""
    if not secret.startswith("dlms_"):
        return None
    token = (
        ApiToken.objects.select_related("dealership")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


# -- sales reported by the DMS --------------------------------------------------------------------
class SaleReportError(ValueError):
    """A sale report we cannot act on: says which field is missing or wrong."""


def _find_lead(*, dealership: Dealership, data: dict) -> Lead | None:
    leads = Lead.objects.filter(dealership=dealership)
    if data.get("lead_id"):
        try:
            return leads.filter(pk=int(data["lead_id"])).first()
        except (TypeError, ValueError) as exc:
            raise SaleReportError("lead_id must be a number") from exc
    if data.get("external_id"):
        return leads.filter(external_id=str(data["external_id"])).order_by("-received_at").first()
    who = Q()
    if data.get("email"):
        who |= Q(customer__email__iexact=str(data["email"]).strip())
    if data.get("phone"):
        who |= Q(customer__phones__number=str(data["phone"]).strip())
    if not who:
        raise SaleReportError("say which lead: lead_id, external_id, email or phone")
    candidates = leads.filter(who).distinct().order_by("-received_at")
    if data.get("vin"):
        by_vin = candidates.filter(vehicle__vin__iexact=str(data["vin"]).strip()).first()
        if by_vin is not None:
            return by_vin
    return candidates.filter(status__in=[s for s in TRANSITIONS if s != Status.SOLD]).first() or (
        candidates.first()
    )


@transaction.atomic
def report_sale(*, dealership: Dealership, data: dict, via: str, reported_by: str) -> SaleReport:
    """Close the matching lead as sold. A sale implies the customer was reached: a lead that was
    never contacted moves through "contacted" first (both steps on its timeline, noted as
    reported by the DMS). Reporting the same sale twice changes nothing the second time."""
    lead = _find_lead(dealership=dealership, data=data)
    report = SaleReport(dealership=dealership, via=via, reported_by=reported_by, data=data)
    if lead is None:
        report.outcome = SaleReport.Outcome.NO_LEAD
    elif lead.status == Status.SOLD:
        report.lead, report.outcome = lead, SaleReport.Outcome.ALREADY_SOLD
    else:
        note = f"Reported sold by the DMS ({reported_by})"
        if data.get("deal_number"):
            note += f", deal {data['deal_number']}"
        if Status.SOLD not in TRANSITIONS[lead.status]:
            lead = lead_services.change_status(lead=lead, to=Status.CONTACTED, note=note)
        lead = lead_services.change_status(lead=lead, to=Status.SOLD, note=note)
        report.lead, report.outcome = lead, SaleReport.Outcome.CLOSED
    report.save()
    return report
