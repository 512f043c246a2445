"""Dealership settings in the app: address for inbound leads, region, time zone, opening hours,
and the dealer group's login policy (two-factor login for everyone)."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import admin_required
from accounts.selectors import administers_group, dealerships_for, without_two_factor
from dealers.forms import DealershipForm, GroupSecurityForm, OpeningHoursFormSet


@admin_required
def dealership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dealership = get_object_or_404(
        dealerships_for(request.user, roles=[Role.ADMIN]).select_related("group"), pk=pk
    )
    group = dealership.group
    data = request.POST if request.method == "POST" else None
    form = DealershipForm(data, instance=dealership)
    hours = OpeningHoursFormSet(data, instance=dealership)
    # The group's policy: only someone who administers every dealership of the group sets it.
    group_form = (
        GroupSecurityForm(data, instance=group, prefix="group")
        if administers_group(request.user, group)
        else None
    )
    valid = (
        data is not None
        and form.is_valid()
        and hours.is_valid()
        and (group_form is None or group_form.is_valid())
    )
    if valid:
        with transaction.atomic():
            form.save()
            hours.save()
            if group_form is not None:
                group_form.save()
        messages.success(request, _("Saved."))
        return redirect("settings:index")
    return render(
        request,
        "dealers/dealership_form.html",
        {
            "form": form,
            "hours": hours,
            "dealership": dealership,
            "group": group,
            "group_form": group_form,
            "without_two_factor": without_two_factor(group).count(),
        },
    )
