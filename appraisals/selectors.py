"""Who may reach which appraisal, photo and checklist. Whoever may see the lead may appraise it;
only the dealership's managers and admins configure its checklist. Everything else is a 404."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import MANAGING_ROLES, dealerships_for
from appraisals.models import Appraisal, AppraisalPhoto, ChecklistItem
from dealers.models import Dealership
from leads.selectors import visible_leads


def visible_appraisals(user: User) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(lead__in=visible_leads(user)).select_related(
        "lead__dealership", "lead__customer", "lead__trade_in", "appraised_by"
    )


def appraisal_page(user: User, pk: int) -> QuerySet[Appraisal]:
    return visible_appraisals(user).filter(pk=pk).prefetch_related("answers", "photos")


def visible_photos(user: User) -> QuerySet[AppraisalPhoto]:
    return AppraisalPhoto.objects.filter(appraisal__lead__in=visible_leads(user))


def managed_dealerships(user: User) -> QuerySet[Dealership]:
    return dealerships_for(user, MANAGING_ROLES)


def configurable_items(user: User) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(dealership__in=managed_dealerships(user))


def offer_for_customer(pk: int) -> Appraisal | None:
    """An offer as its customer sees it: only once made, never of a deleted lead."""
    return (
        Appraisal.objects.filter(
            pk=pk,
            status__in=[
                Appraisal.Status.OFFERED,
                Appraisal.Status.ACCEPTED,
                Appraisal.Status.DECLINED,
            ],
            lead__deleted_at__isnull=True,
            lead__customer__erased_at__isnull=True,
        )
        .select_related("lead__dealership", "lead__customer", "lead__trade_in")
        .prefetch_related("answers")
        .first()
    )
