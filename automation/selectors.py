"""Reads behind the automation pages, scoped to the dealerships a person manages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.selectors import MANAGING_ROLES, dealerships_for
from automation.models import (
    ActionState,
    MessageTemplate,
    Notification,
    OptOut,
    OutboundMessage,
    Rule,
    ScheduledAction,
)
from dealers.models import Dealership
from leads.models import Lead


def managed_dealerships(user: User) -> QuerySet[Dealership]:
    return dealerships_for(user, roles=MANAGING_ROLES)


def rules_for(user: User) -> QuerySet[Rule]:
    return (
        Rule.objects.filter(dealership__in=managed_dealerships(user))
        .select_related("dealership", "template")
        .annotate(pending=Count("actions", filter=Q(actions__state=ActionState.PENDING)))
    )


def templates_for(user: User) -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(dealership__in=managed_dealerships(user)).select_related(
        "dealership"
    )


def preview_leads(dealership: Dealership) -> QuerySet[Lead]:
    return Lead.objects.filter(dealership=dealership).select_related("customer")[:30]


def outbox(user: User) -> QuerySet[ScheduledAction]:
    return (
        ScheduledAction.objects.filter(lead__dealership__in=managed_dealerships(user))
        .select_related("rule", "lead__customer", "recipient_user")
        .prefetch_related("messages")
        .order_by("-due_at", "-id")
    )


def dev_outbox(user: User) -> QuerySet[OutboundMessage]:
    """What the development set-up kept instead of sending (automation.channels)."""
    from automation.channels import DEV_OUTBOX_PREFIX

    return (
        OutboundMessage.objects.filter(
            provider_id__startswith=DEV_OUTBOX_PREFIX,
            lead__dealership__in=managed_dealerships(user),
        )
        .select_related("lead__customer", "lead__dealership")
        .order_by("-created_at", "-id")
    )


def lead_messages(lead: Lead) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(lead=lead, is_test=False, user__isnull=True).order_by(
        "-created_at"
    )[:10]


def opt_outs_for(lead: Lead) -> list[OptOut]:
    addresses = [lead.customer.email.lower()] if lead.customer.email else []
    addresses += [p.number for p in lead.customer.phones.all()]
    return list(OptOut.objects.filter(address__in=addresses)) if addresses else []


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("lead__customer")
