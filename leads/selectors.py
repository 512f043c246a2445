"""Which leads a person may see, and the reads behind the lead pages."""

from django.db.models import Case, F, Q, QuerySet, Value, When

from accounts.models import Membership, Role, User
from leads.lifecycle import OPEN_STATUSES
from leads.models import Lead, LeadEvent

MANAGING = (Role.MANAGER, Role.ADMIN)


def visible_leads(user: User) -> QuerySet[Lead]:
    """A manager or admin sees their dealerships' leads; a BDC agent the passive and unassigned
    ones of theirs plus what they hold; a salesperson what is assigned to them."""
    if user.is_superuser:
        return Lead.objects.all()
    by_role: dict[str, list[int]] = {}
    for dealership_id, role in Membership.objects.filter(user=user).values_list(
        "dealership_id", "role"
    ):
        by_role.setdefault(role, []).append(dealership_id)
    condition = Q(assigned_to=user)
    managed = [d for role in MANAGING for d in by_role.get(role, [])]
    if managed:
        condition |= Q(dealership_id__in=managed)
    if by_role.get(Role.BDC_AGENT):
        condition |= Q(dealership_id__in=by_role[Role.BDC_AGENT], is_passive=True)
    if not by_role:
        return Lead.objects.none()
    return Lead.objects.filter(condition)


def lead_list(user: User) -> QuerySet[Lead]:
    return visible_leads(user).select_related(
        "customer", "source", "assigned_to", "vehicle", "trade_in", "dealership"
    )


def inbox(user: User) -> QuerySet[Lead]:
    """A salesperson's open leads, most urgent first: not yet contacted, by deadline, then the
    rest by their next appointment, then the newest."""
    return (
        lead_list(user)
        .filter(assigned_to=user, status__in=OPEN_STATUSES)
        .annotate(
            waiting=Case(When(first_attempt_at__isnull=True, then=Value(0)), default=Value(1))
        )
        .order_by(
            "waiting",
            F("contact_deadline_at").asc(nulls_last=True),
            F("appointment_at").asc(nulls_last=True),
            "-received_at",
        )
        .prefetch_related("customer__phones")
    )


def lead_timeline(lead: Lead) -> QuerySet[LeadEvent]:
    """The lead's events and those of the leads merged into it (leads.merge)."""
    lead_ids = [lead.pk, *lead.extra.get("merged_leads", [])]
    return (
        LeadEvent.objects.filter(lead_id__in=lead_ids)
        .select_related("actor", "assignee")
        .order_by("-occurred_at", "-id")
    )


def customer_other_leads(lead: Lead, user: User) -> QuerySet[Lead]:
    """The customer's other requests that `user` may see, newest first: a returning customer's
    new lead is linked to their earlier ones through the one customer record."""
    return (
        visible_leads(user)
        .filter(customer_id=lead.customer_id)
        .exclude(pk=lead.pk)
        .select_related("vehicle", "source", "assigned_to")
        .order_by("-received_at")
    )
