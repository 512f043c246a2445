"""Integrations in the demo: Doesburg forwards its new leads as ADF to the group's DMS by e-mail
(delivered, in the console outbox) and to a CRM that is down (failed tries with its answer, to
be sent again), and Lyon's DMS reports a sale back."""

from __future__ import annotations

from datetime import datetime, timedelta

from dealers.models import Dealership
from integrations.models import Delivery, DeliveryAttempt, Forwarding, SaleReport
from leads.lifecycle import Status
from leads.models import Lead


def build(*, dealerships: dict[str, Dealership], now: datetime) -> None:
    doesburg, lyon = dealerships["doesburg"], dealerships["lyon"]
    dms = Forwarding.objects.create(
        dealership=doesburg,
        name="DMS (ADF per e-mail)",
        format="adf",
        transport="email",
        email="leads@dms.ligierstore.example",
    )
    crm = Forwarding.objects.create(
        dealership=doesburg,
        name="Groeps-CRM",
        format="json",
        transport="http",
        url="https://crm.ligierstore.example/hooks/leads",
        trigger="assigned",
    )
    recent = list(Lead.objects.filter(dealership=doesburg).order_by("-received_at")[:8])
    for i, lead in enumerate(recent):
        sent = Delivery.objects.create(
            forwarding=dms,
            lead=lead,
            state=Delivery.State.DELIVERED,
            attempts=1,
            delivered_at=lead.received_at + timedelta(seconds=2),
            last_answer="sent to leads@dms.ligierstore.example",
        )
        DeliveryAttempt.objects.create(
            delivery=sent, at=sent.delivered_at, ok=True, answer=sent.last_answer, duration_ms=40
        )
        if i < 3:
            failed = Delivery.objects.create(
                forwarding=crm,
                lead=lead,
                state=Delivery.State.FAILED,
                attempts=6,
                next_attempt_at=now,
                last_answer="503 Service Unavailable: maintenance window",
            )
            DeliveryAttempt.objects.bulk_create(
                [
                    DeliveryAttempt(
                        delivery=failed,
                        at=lead.received_at + timedelta(minutes=m),
                        status_code=503,
                        answer=failed.last_answer,
                        duration_ms=120,
                    )
                    for m in (0, 1, 6, 36, 156, 516)
                ]
            )
    sold = Lead.objects.filter(dealership=lyon, status=Status.SOLD).first()
    if sold is not None:
        SaleReport.objects.create(
            dealership=lyon,
            via="api",
            reported_by="DMS Lyon",
            lead=sold,
            outcome=SaleReport.Outcome.ALREADY_SOLD,
            data={"lead_id": str(sold.pk), "deal_number": "V-2026-0412"},
            received_at=now - timedelta(days=1),
        )
