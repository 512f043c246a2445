"""The manager's lead list filters. Every filter lives in the query string, so a view can be shared."""

import re

import django_filters
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import dealerships_for
from leads.lifecycle import OPEN_STATUSES, Status
from leads.models import Lead, LeadType, Source


def _plate(field: str) -> Upper:
    """A registration as letters and digits only: "12-ABC-3", "12 abc 3" and "12ABC3" match."""
    return Upper(Replace(Replace(F(field), Value("-"), Value("")), Value(" "), Value("")))


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    dealership = django_filters.ModelChoiceFilter(label=_("Dealership"), queryset=None)
    source = django_filters.ModelChoiceFilter(label=_("Source"), queryset=None)
    source_kind = django_filters.ChoiceFilter(
        label=_("Source kind"), field_name="source__kind", choices=Source.Kind.choices
    )
    lead_type = django_filters.ChoiceFilter(label=_("Type"), choices=LeadType.choices)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices)
    assigned_to = django_filters.ModelChoiceFilter(
        label=_("Salesperson"), queryset=None, null_label=_("Unassigned")
    )
    received_from = django_filters.DateFilter(
        label=_("Received from"), field_name="received_at", lookup_expr="date__gte"
    )
    received_to = django_filters.DateFilter(
        label=_("Received until"), field_name="received_at", lookup_expr="date__lte"
    )
    is_passive = django_filters.BooleanFilter(label=_("Passive"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    unanswered = django_filters.BooleanFilter(
        label=_("Customer waiting for an answer"), method="filter_unanswered"
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        dealerships = dealerships_for(user)
        self.filters["dealership"].queryset = dealerships
        self.filters["source"].queryset = Source.objects.filter(dealership__in=dealerships)
        self.filters["assigned_to"].queryset = User.objects.filter(
            memberships__dealership__in=dealerships
        ).distinct()

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The header's search box: a name, an e-mail address, a phone number as people type
        it (06 1234 5678, +31 6…), a number plate with or without dashes, an external id."""
        value = value.strip()[:100]
        if not value:
            return queryset
        condition = (
            Q(customer__full_name__icontains=value)
            | Q(customer__email__icontains=value)
            | Q(external_id__iexact=value)
            | Q(vehicle__model__icontains=value)
        )
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6:  # national (leading 0) or international: the number's own digits
            condition |= Q(customer__phones__number__contains=digits.lstrip("0")[-9:])
        plate = re.sub(r"[^0-9A-Za-z]", "", value).upper()
        if 4 <= len(plate) <= 12:
            queryset = queryset.annotate(
                _plate_in=_plate("trade_in__registration"),
                _plate_of=_plate("vehicle__registration"),
            )
            condition |= Q(_plate_in=plate) | Q(_plate_of=plate)
        return queryset.filter(condition).distinct()

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(
            contact_deadline_at__lt=timezone.now(),
            first_attempt_at__isnull=True,
            status__in=[Status.NEW, Status.ASSIGNED],
        )
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_unanswered(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Open leads whose customer wrote and nobody answered yet (dashboards.definitions)."""
        if value is None:
            return queryset
        waiting = Q(customer_waiting_since__isnull=False, status__in=OPEN_STATUSES)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)
