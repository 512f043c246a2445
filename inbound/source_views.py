"""Lead sources in the app: how each is recognised, whether its leads are passive, and how
completely its messages are read (the fill-rate report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import manager_required
from accounts.selectors import MANAGING_ROLES, dealerships_for
from leads.models import InboundMessage, Source


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


# A portal that changes its layout shows up as a field that is suddenly missing: flag a drop of
# more than this many percentage points between the last day and the week before it.
DROP_POINTS = 20
MIN_LEADS_BEFORE = 5  # fewer leads in the week before: too few to compare with
MIN_RECENT = 2  # a single message of the last day says little about a layout
FIELDS = ("name", "email", "phone", "vehicle")
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "vehicle": gettext_lazy("Vehicle"),
}
_READ = Q(status__in=[InboundMessage.Status.PARSED, InboundMessage.Status.MERGED])


@dataclass
class Window:
    messages: int
    leads: int
    counts: dict[str, int]

    def share(self, field: str) -> int | None:
        """Percentage of the window's leads that hold ``field``; None without leads."""
        return round(100 * self.counts[field] / self.leads) if self.leads else None

    @property
    def read_share(self) -> int | None:
        return round(100 * self.leads / self.messages) if self.messages else None


@dataclass
class FillRate:
    source: Source
    recent: Window  # the last 24 hours
    before: Window  # the 7 days before them
    dropped: list[str]  # the fields (or "read") whose share fell by more than DROP_POINTS

    def cells(self) -> list[tuple[str, int | None, int | None, bool]]:
        """(field's name, share now, share before, dropped) for the template."""
        return [
            (FIELD_LABELS[f], self.recent.share(f), self.before.share(f), f in self.dropped)
            for f in FIELDS
        ]


def _drops(recent: Window, before: Window) -> list[str]:
    if before.leads < MIN_LEADS_BEFORE or recent.messages < MIN_RECENT:
        return []
    dropped = []
    if (before.read_share or 0) - (recent.read_share or 0) > DROP_POINTS:
        dropped.append("read")  # its messages stopped being read (quarantined instead)
    for field in FIELDS:
        now, then = recent.share(field), before.share(field)
        if now is not None and then is not None and then - now > DROP_POINTS:
            dropped.append(field)
    return dropped


def fill_rates(sources: list[Source], *, now: datetime | None = None) -> list[FillRate]:
    """Per source, over the last 24 hours and the 7 days before: messages, leads read from them,
    and how many of those leads hold a name, an e-mail, a phone, a vehicle. One aggregate query
    over the messages' stored parse results (JSON keys counted where not null)."""
    now = now or timezone.now()
    day_ago, week_before = now - timedelta(hours=24), now - timedelta(days=8)
    present = {
        "name": KT("parsed__customer__full_name"),
        "email": KT("parsed__customer__email"),
        "phone": KT("parsed__customer__phones__0__number"),
        "vehicle": Coalesce(KT("parsed__vehicle__make"), KT("parsed__vehicle__model")),
    }
    windows = {
        "recent": Q(received_at__gt=day_ago, received_at__lte=now),
        "before": Q(received_at__gt=week_before, received_at__lte=day_ago),
    }
    aggregates = {}
    for window, when in windows.items():
        aggregates[f"{window}_messages"] = Count("pk", filter=when)
        aggregates[f"{window}_leads"] = Count("pk", filter=when & _READ)
        for field, expression in present.items():
            aggregates[f"{window}_{field}"] = Count(expression, filter=when & _READ)
    rows = (
        InboundMessage.objects.filter(
            source__in=[s.pk for s in sources], received_at__gt=week_before, received_at__lte=now
        )
        .values("source")
        .annotate(**aggregates)
        .order_by()
    )
    by_source = {row["source"]: row for row in rows}
    result = []
    for source in sources:
        row = by_source.get(source.pk, {})
        recent, before = (
            Window(
                messages=row.get(f"{w}_messages", 0),
                leads=row.get(f"{w}_leads", 0),
                counts={f: row.get(f"{w}_{f}", 0) for f in FIELDS},
            )
            for w in windows
        )
        result.append(FillRate(source, recent, before, _drops(recent, before)))
    return result


@manager_required
def source_list(request: HttpRequest) -> HttpResponse:
    sources = list(
        Source.objects.filter(dealership__in=_managed(request)).select_related("dealership")
    )
    rates = [r for r in fill_rates(sources) if r.recent.messages or r.before.messages]
    return render(
        request,
        "inbound/sources.html",
        {"sources": sources, "fill_rates": rates, "drop_points": DROP_POINTS},
    )


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
