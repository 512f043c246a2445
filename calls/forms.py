from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import CallSettings, TrackingNumber
from dealers.models import StockVehicle
from leads.models import Source


class CallSettingsForm(forms.ModelForm):
    class Meta:
        model = CallSettings
        fields = [
            "bridge_on_assignment",
            "ring_seconds",
            "retry_minutes",
            "tries_per_person",
            "record_calls",
            "consent_message",
        ]

    def clean_ring_seconds(self) -> int:
        value = self.cleaned_data["ring_seconds"]
        if not 5 <= value <= 60:
            raise forms.ValidationError(_("Ring between 5 and 60 seconds."))
        return value

    def clean_tries_per_person(self) -> int:
        value = self.cleaned_data["tries_per_person"]
        if not 1 <= value <= 5:
            raise forms.ValidationError(_("Between 1 and 5 calls."))
        return value


class TrackingNumberForm(forms.ModelForm):
    class Meta:
        model = TrackingNumber
        fields = ["source", "number", "stock_vehicle"]

    def __init__(self, *args, dealership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dealership = dealership
        self.fields["source"].queryset = Source.objects.filter(dealership=dealership)
        # A number printed in one vehicle's ad: its calls go to that vehicle's owner.
        self.fields["stock_vehicle"].queryset = StockVehicle.objects.filter(
            dealership=dealership
        ).order_by("make", "model")
        self.instance.dealership = dealership
