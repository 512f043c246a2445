from django import forms

from dealers.models import DealerGroup, Dealership, OpeningHours


class DealershipForm(forms.ModelForm):
    class Meta:
        model = Dealership
        fields = [
            "name",
            "country",
            "time_zone",
            "language",
            "inbound_address",
            "phone",
            "currency",
            "retention_months",
        ]


OpeningHoursFormSet = forms.inlineformset_factory(
    Dealership, OpeningHours, fields=["weekday", "opens", "closes"], extra=1, can_delete=True
)


class GroupSecurityForm(forms.ModelForm):
    """The dealer group's login policy, shown on each of its dealerships' settings pages."""

    class Meta:
        model = DealerGroup
        fields = ["require_two_factor"]
