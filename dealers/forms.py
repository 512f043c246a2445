from django import forms

from dealers.models import Dealership, OpeningHours


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
