"""Forms of the distribution pages: a rule with its team, the dealership's distribution
settings, an absence, a reassignment."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Absence, User
from dealers.models import Dealership
from distribution.models import DistributionRule, DistributionSettings, TeamMember
from leads.models import Source

MATCH_FIELDS = [
    "activity",
    "source",
    "source_kind",
    "lead_type",
    "condition",
    "time_from",
    "time_until",
]
ACTION_FIELDS = [
    "strategy",
    "fallback",
    "contact_minutes",
    "deadline_clock",
    "on_deadline",
    "allow_take",
    "catch_up",
    "call_bridge",
]


class RuleForm(forms.ModelForm):
    class Meta:
        model = DistributionRule
        fields = ["name", "is_enabled", *MATCH_FIELDS, *ACTION_FIELDS]
        widgets = {
            "time_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "time_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, dealership: Dealership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.dealership = dealership
        self.fields["source"].queryset = Source.objects.filter(dealership=dealership)
        self.fields["source"].empty_label = _("any source")
        for name in ("source_kind", "lead_type", "condition"):
            self.fields[name].choices = [("", _("any")), *self.fields[name].choices[1:]]
        if self.instance.is_default:  # the defaults match everything of their kind
            for name in [*MATCH_FIELDS, "is_enabled"]:
                del self.fields[name]


class TeamForm(forms.Form):
    """One line per salesperson of the dealership: in the team or not, weight, cap."""

    def __init__(
        self, *args, sellers: list[User], members: dict[int, TeamMember], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sellers = sellers
        for user in sellers:
            member = members.get(user.pk)
            self.fields[f"in_{user.pk}"] = forms.BooleanField(
                label=str(user), required=False, initial=member is not None
            )
            self.fields[f"weight_{user.pk}"] = forms.IntegerField(
                label=_("weight"),
                min_value=1,
                max_value=100,
                initial=member.weight if member else 1,
                widget=forms.NumberInput(attrs={"aria-label": _("Weight of %s") % user}),
            )
            self.fields[f"cap_{user.pk}"] = forms.IntegerField(
                label=_("cap of open leads"),
                min_value=1,
                max_value=10_000,
                required=False,
                initial=member.max_open_leads if member else None,
                widget=forms.NumberInput(attrs={"aria-label": _("Cap of open leads of %s") % user}),
            )

    def rows(self) -> list[tuple]:
        return [
            (user, self[f"in_{user.pk}"], self[f"weight_{user.pk}"], self[f"cap_{user.pk}"])
            for user in self.sellers
        ]

    def team(self) -> list[tuple[User, int, int | None]]:
        data = self.cleaned_data
        return [
            (user, data[f"weight_{user.pk}"], data[f"cap_{user.pk}"])
            for user in self.sellers
            if data[f"in_{user.pk}"]
        ]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DistributionSettings
        fields = ["max_failed_attempts", "reactivation_days"]


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["user", "starts_at", "ends_at", "reason", "note"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        labels = {"user": _("Who")}

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("An absence must end after it starts."))
        if ends and ends < timezone.now():
            self.add_error("ends_at", _("This absence is over already."))
        return data


class ReassignForm(forms.Form):
    lead = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Leads"))
    to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Give to"),
        empty_label=_("— nobody: back to the unassigned queue —"),
    )

    def __init__(self, *args, people, lead_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = people
        self.fields["lead"].choices = [(pk, pk) for pk in lead_ids]
        self.fields["lead"].error_messages["required"] = _("Tick at least one lead.")


class HandoffForm(forms.Form):
    to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Hand to"),
        empty_label=_("— whoever the rules pick —"),
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = people
