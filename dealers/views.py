"""Dealership settings in the app: address for inbound leads, region, time zone, opening hours."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import admin_required
from accounts.selectors import dealerships_for
from dealers.forms import DealershipForm, OpeningHoursFormSet


@admin_required
def dealership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dealership = get_object_or_404(dealerships_for(request.user, roles=[Role.ADMIN]), pk=pk)
    data = request.POST if request.method == "POST" else None
    form = DealershipForm(data, instance=dealership)
    hours = OpeningHoursFormSet(data, instance=dealership)
    if data is not None and form.is_valid() and hours.is_valid():
        with transaction.atomic():
            form.save()
            hours.save()
        messages.success(request, _("Saved."))
        return redirect("settings:index")
    return render(
        request,
        "dealers/dealership_form.html",
        {"form": form, "hours": hours, "dealership": dealership},
    )
