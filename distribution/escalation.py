"""Speed to lead: a lead whose first-contact deadline passed without a contact attempt is
escalated as its rule says — the managers alerted (an ESCALATED event; automation notifies the
people in data["notify_user_ids"]) and/or the lead moved to the next person (routing.decide,
the people tried before excluded)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Role
from accounts.selectors import people_at
from dealers.models import Dealership
from distribution.models import OnDeadline, Routing, Strategy
from distribution.plan import Plan
from distribution.routing import UNCONTACTED, apply, context_of, decide, lock_one
from leads import services as lead_services
from leads.models import EventKind, Lead

State = Routing.State


def managers_of(dealership: Dealership) -> list[int]:
    """Whom an escalation alerts: the dealership's managers, else its admins."""
    return list(people_at(dealership, [Role.MANAGER]).values_list("pk", flat=True)) or list(
        people_at(dealership, [Role.ADMIN]).values_list("pk", flat=True)
    )


def overdue_lead_ids(now: datetime, limit: int = 500) -> list[int]:
    return list(
        Lead.objects.filter(
            contact_deadline_at__lte=now,
            first_attempt_at__isnull=True,
            status__in=UNCONTACTED,
        )
        .exclude(
            Q(routing__escalated_deadline_at__isnull=False)
            & Q(routing__escalated_deadline_at__gte=F("contact_deadline_at"))
        )
        .order_by("contact_deadline_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def escalate_lead(*, lead_id: int, now: datetime | None = None) -> list[str]:
    """The lead's first-contact deadline passed with no attempt: alert the managers and/or move
    it to the next person, as its rule says. A deadline is escalated once, however often this
    runs; the next person's new deadline can be escalated in its turn."""
    now = now or timezone.now()
    lead = lock_one(lead_id)
    if (
        lead is None
        or lead.contact_deadline_at is None
        or lead.contact_deadline_at > now
        or lead.first_attempt_at is not None
        or lead.status not in UNCONTACTED
    ):
        return []
    routing, _created = Routing.objects.get_or_create(
        lead=lead, defaults={"state": State.ASSIGNED if lead.assigned_to_id else State.WAITING}
    )
    deadline = lead.contact_deadline_at
    if routing.escalated_deadline_at is not None and routing.escalated_deadline_at >= deadline:
        return []
    routing.escalated_deadline_at = deadline
    routing.save(update_fields=["escalated_deadline_at"])
    context = context_of(lead)
    rule = routing.rule or context.rule_for(lead, now)
    done: list[str] = []
    queue_only = rule.strategy in (Strategy.MANUAL, Strategy.BDC_QUEUE) or lead.is_passive
    if rule.on_deadline in (OnDeadline.NEXT, OnDeadline.BOTH) and not queue_only:
        exclude = set(routing.tried_user_ids)
        if lead.assigned_to_id:
            exclude.add(lead.assigned_to_id)
        plan = Plan(now)
        decision = decide(context, lead, rule, exclude, plan)
        if decision.user is not None:
            with override(lead.dealership.language):
                prefix = _("First-contact deadline passed: moved to the next person")
            apply(
                context,
                plan,
                lead,
                rule,
                decision,
                routing,
                prefix=prefix,
                extra={"escalation": True, "deadline": deadline.isoformat()},
            )
            plan.write()
            done.append("moved")
    if rule.on_deadline in (OnDeadline.ALERT, OnDeadline.BOTH) or not done:
        with override(lead.dealership.language):
            if done:
                reason = _("First-contact deadline passed; the lead moved to the next person.")
            elif rule.on_deadline == OnDeadline.ALERT:
                reason = _("First-contact deadline passed without a contact attempt.")
            else:
                reason = _("First-contact deadline passed and nobody else is available.")
        lead_services.record_event(
            lead=lead,
            kind=EventKind.ESCALATED,
            occurred_at=now,
            assignee=lead.assigned_to if not done else None,
            note=reason,
            data={
                "notify_user_ids": managers_of(lead.dealership),
                "reason": reason,
                "deadline": deadline.isoformat(),
                "rule_id": rule.pk,
                "assignee_id": Lead.all_objects.values_list("assigned_to_id", flat=True).get(
                    pk=lead.pk
                ),
            },
        )
        done.append("alerted")
    return done


def escalate_overdue(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(bool(escalate_lead(lead_id=pk, now=now)) for pk in overdue_lead_ids(now))
