"""Merging a duplicate lead or customer record from the lead page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import dealerships_for
from leads import merge, selectors
from leads.models import Customer
from leads.services import LeadError


@require_POST
def merge_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """The other lead (by its number) is a duplicate of this one. Both must be visible to the
    person; a salesperson merges only leads they hold."""
    visible = selectors.visible_leads(request.user)
    keep = get_object_or_404(visible, pk=pk)
    other = str(request.POST.get("other", "")).strip().lstrip("#")
    duplicate = visible.filter(pk=int(other)).first() if other.isdigit() else None
    if duplicate is None:
        messages.error(request, _("No lead with that number that you may see."))
        return redirect("leads:detail", keep.pk)
    if not _may_merge(request, keep, duplicate):
        messages.error(
            request, _("Only a manager or the salesperson holding both leads may merge them.")
        )
        return redirect("leads:detail", keep.pk)
    try:
        merge.merge_leads(keep=keep, merge=duplicate, by=request.user)
    except LeadError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Lead %(id)s merged into this one.") % {"id": duplicate.pk})
    return redirect("leads:detail", keep.pk)


def _may_merge(request: HttpRequest, keep, duplicate) -> bool:
    managed = dealerships_for(request.user, roles=[Role.MANAGER, Role.ADMIN])
    if managed.filter(pk=keep.dealership_id).exists():
        return True
    return keep.assigned_to_id == request.user.pk == duplicate.assigned_to_id


@require_POST
def merge_customer(request: HttpRequest, pk: int) -> HttpResponse:
    """Managers merge another customer record of the same person into this lead's customer."""
    keep_lead = get_object_or_404(selectors.visible_leads(request.user), pk=pk)
    managed = dealerships_for(request.user, roles=[Role.MANAGER, Role.ADMIN])
    if not managed.filter(pk=keep_lead.dealership_id).exists():
        messages.error(request, _("Only a manager may merge customer records."))
        return redirect("leads:detail", keep_lead.pk)
    other = str(request.POST.get("other_customer", "")).strip().lstrip("#")
    duplicate = (
        Customer.objects.filter(pk=int(other), dealership_id=keep_lead.dealership_id).first()
        if other.isdigit()
        else None
    )
    if duplicate is None:
        messages.error(request, _("No customer with that number at this dealership."))
        return redirect("leads:detail", keep_lead.pk)
    try:
        merge.merge_customers(keep=keep_lead.customer, merge=duplicate, by=request.user)
    except LeadError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Customer records merged."))
    return redirect("leads:detail", keep_lead.pk)
