"""The dashboard's filters (period, dealership, team, salesperson) and the drill-down's group."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from accounts.selectors import dealerships_for, is_manager
from dashboards.definitions import CHANNELS, FIGURES, LABELS
from dashboards.models import Target
from dashboards.selectors import Period
from dealers.models import Condition, Dealership
from leads.models import LeadType, Source

PRESETS = (
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("month", _("This month")),
    ("last_month", _("Last month")),
    ("365d", _("Last 12 months")),
)
DEFAULT_PRESET = "30d"
MAX_DAYS = 3 * 366


def preset_dates(preset: str, today: date) -> tuple[date, date]:
    """(first day, last day) of a preset, both included."""
    if preset == "month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    days = int(preset.removesuffix("d"))
    return today - timedelta(days=days - 1), today


class DashboardFilter(forms.Form):
    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput({"type": "date"})
    )
    dealership = forms.ModelChoiceField(
        label=_("Dealership"),
        queryset=Dealership.objects.none(),
        required=False,
        empty_label=_("All my dealerships"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("All teams"),
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Everyone"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["dealership"].queryset = dealerships_for(user)
        self.fields["team"].queryset = Team.objects.filter(
            dealership__in=dealerships_for(user)
        ).select_related("dealership")
        # Only a manager picks a colleague; the others see their own leads whatever they pick.
        self.fields["salesperson"].queryset = (
            User.objects.filter(memberships__dealership__in=dealerships_for(user)).distinct()
            if is_manager(user)
            else User.objects.filter(pk=user.pk)
        )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        dealership = data.get("dealership")
        team = data.get("team")
        if team and dealership and team.dealership_id != dealership.pk:
            raise forms.ValidationError(_("That team works at another dealership."))
        dealership = dealership or (team.dealership if team else None)
        tz = dealership.tz if dealership else timezone.get_current_timezone()
        start, end = data.get("start"), data.get("end")
        if data.get("preset") or not (start or end):
            start, end = preset_dates(
                data.get("preset") or DEFAULT_PRESET, timezone.now().astimezone(tz).date()
            )
        elif not (start and end):
            raise forms.ValidationError(_("Give both a first and a last day, or choose a period."))
        if end < start:
            raise forms.ValidationError(_("The last day comes before the first day."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["start"], data["end"], data["tz"] = start, end, tz
        # Show the days a preset stands for in the date fields.
        self.data = self.data.copy()
        self.data["start"], self.data["end"] = start.isoformat(), end.isoformat()
        self.data.pop("preset", None)
        data["period"] = Period(_midnight(start, tz), _midnight(end + timedelta(days=1), tz))
        return data

    def dealership_ids(self) -> list[int]:
        if not hasattr(self, "_dealership_ids"):
            chosen = self.cleaned_data.get("dealership") or (
                self.cleaned_data["team"].dealership if self.cleaned_data.get("team") else None
            )
            self._dealership_ids = (
                [chosen.pk]
                if chosen
                else list(self.fields["dealership"].queryset.values_list("pk", flat=True))
            )
        return self._dealership_ids

    def salesperson_id(self) -> int | None:
        chosen = self.cleaned_data.get("salesperson")
        return chosen.pk if chosen else None

    def team_id(self) -> int | None:
        chosen = self.cleaned_data.get("team")
        return chosen.pk if chosen else None

    def scope(self) -> dict:
        """The keyword arguments of dashboards.selectors.scoped_leads for these filters."""
        return {
            "dealership_ids": self.dealership_ids(),
            "salesperson_id": self.salesperson_id(),
            "team_id": self.team_id(),
        }

    def query(self, **changes: object) -> dict[str, str]:
        """These filters as query parameters (fixed dates), for links to drill-downs and exports."""
        data = self.cleaned_data
        params = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
        if data.get("dealership"):
            params["dealership"] = str(data["dealership"].pk)
        if data.get("team"):
            params["team"] = str(data["team"].pk)
        if data.get("salesperson"):
            params["salesperson"] = str(data["salesperson"].pk)
        params.update({k: str(v) for k, v in changes.items()})
        return params


def _midnight(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


NONE = "none"


def _group_condition(dimension: str, value: str) -> Q:
    """The leads of one row of a table: the same grouping the table's query used."""
    if dimension == "source":
        return Q(source__isnull=True) if value == NONE else Q(source_id=int(value))
    if dimension == "kind":
        if value == NONE:
            return Q(source__isnull=True)
        if value not in Source.Kind.values:
            raise ValueError(value)
        return Q(source__kind=value)
    if dimension == "seller":
        return Q(assigned_to__isnull=True) if value == NONE else Q(assigned_to_id=int(value))
    if dimension == "passive":
        return Q(is_passive={"1": True, "0": False}[value])
    if dimension == "condition":
        if value == NONE:
            return Q(vehicle__isnull=True) | Q(vehicle__condition="")
        if value not in Condition.values:
            raise ValueError(value)
        return Q(vehicle__condition=value)
    if dimension == "channel":
        return CHANNELS[value][1]
    if dimension == "lead_type":
        if value not in LeadType.values:
            raise ValueError(value)
        return Q(lead_type=value)
    raise ValueError(dimension)


DIMENSIONS = ("source", "kind", "seller", "passive", "condition", "channel", "lead_type")


class DrillDownFilter(DashboardFilter):
    figure = forms.ChoiceField(choices=[(k, k) for k in FIGURES], initial="leads", required=False)

    def clean(self) -> dict:
        data = super().clean()
        group = Q()
        for dimension in DIMENSIONS:
            value = self.data.get(dimension)
            if value is None:
                continue
            try:
                group &= _group_condition(dimension, value)
            except (ValueError, KeyError):
                raise forms.ValidationError(
                    _("Unknown %(dimension)s: %(value)s"),
                    params={"dimension": dimension, "value": value},
                ) from None
        data["group"] = group
        data["figure"] = data.get("figure") or "leads"
        return data

    def describe(self) -> list[str]:
        """The figure and the group, in words, for the heading of the list."""
        words = [str(LABELS[self.cleaned_data["figure"]])]
        if self.cleaned_data.get("team"):
            words.append(str(self.cleaned_data["team"]))
        names = {
            "kind": dict(Source.Kind.choices),
            "condition": dict(Condition.choices),
            "channel": {key: label for key, (label, _q) in CHANNELS.items()},
            "lead_type": dict(LeadType.choices),
            "passive": {"1": _("Passive"), "0": _("Active")},
        }
        for dimension in DIMENSIONS:
            value = self.data.get(dimension)
            if value is None:
                continue
            if value == NONE:
                words.append(_("none: %(what)s") % {"what": dimension.replace("_", " ")})
            elif dimension == "source":
                source = Source.objects.filter(
                    pk=value, dealership_id__in=self.dealership_ids()
                ).first()
                words.append(str(source or value))
            elif dimension == "seller":
                seller = self.fields["salesperson"].queryset.filter(pk=value).first()
                words.append(str(seller or value))
            else:
                words.append(str(names[dimension].get(value, value)))
        return words


class TargetForm(forms.ModelForm):
    """A dealership's own target; the same scope as an existing one replaces its value."""

    class Meta:
        model = Target
        fields = ["channel", "source", "lead_type", "condition", "metric", "value"]

    def __init__(self, *args, dealership: Dealership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dealership = dealership
        self.instance.dealership = dealership
        self.fields["source"].queryset = Source.objects.filter(dealership=dealership)

    def save(self, commit: bool = True) -> tuple[Target, bool]:
        data = self.cleaned_data
        target, created = Target.objects.update_or_create(
            dealership=self.dealership,
            channel=data["channel"],
            source=data["source"],
            lead_type=data["lead_type"],
            condition=data["condition"],
            metric=data["metric"],
            defaults={"value": data["value"]},
        )
        return target, created
