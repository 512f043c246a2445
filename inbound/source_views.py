"""Lead sources in the app: how each is recognised and whether its leads are passive."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import manager_required
from accounts.selectors import MANAGING_ROLES, dealerships_for
from leads.models import Source


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = [
            "dealership",
            "name",
            "kind",
            "sender_patterns",
            "tracking_phone",
            "is_passive",
            "is_enabled",
        ]
        labels = {
            "dealership": gettext_lazy("Dealership")
        }  # the model field has no translated name

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships


def _managed(request: HttpRequest):
    return dealerships_for(request.user, roles=MANAGING_ROLES)


@manager_required
def source_list(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.filter(dealership__in=_managed(request)).select_related("dealership")
    return render(request, "inbound/sources.html", {"sources": sources})


@manager_required
def source_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    dealerships = _managed(request)
    source = get_object_or_404(Source, pk=pk, dealership__in=dealerships) if pk else None
    form = SourceForm(request.POST or None, instance=source, dealerships=dealerships)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("settings:sources")
    return render(request, "inbound/source_form.html", {"form": form, "source": source})
