from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealership, StockVehicle
from dealers.phones import to_e164
from leads.entry import EntryKind, ManualLead
from leads.models import LeadType, Source


class ManualLeadForm(forms.Form):
    dealership = forms.ModelChoiceField(label=_("Dealership"), queryset=Dealership.objects.none())
    entered_as = forms.ChoiceField(
        label=_("How did the customer come?"),
        choices=EntryKind.choices,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    lead_type = forms.ChoiceField(label=_("Type"), choices=LeadType.choices)
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.none(),
        required=False,
        empty_label=_("— by how the customer came —"),
    )
    stock_vehicle = forms.ModelChoiceField(
        label=_("Vehicle from stock"),
        queryset=StockVehicle.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    vehicle_text = forms.CharField(
        label=_("Or the vehicle in words"),
        max_length=120,
        required=False,
        help_text=_("Make and model, e.g. Peugeot 208."),
    )
    comments = forms.CharField(
        label=_("What the customer asked"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    keep = forms.BooleanField(
        label=_("I keep this lead (otherwise the distribution rules choose)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        if len(dealerships) == 1:
            self.fields["dealership"].initial = dealerships[0].pk
        self.fields["source"].queryset = Source.objects.filter(
            dealership__in=dealerships, is_enabled=True
        ).select_related("dealership")
        self.fields["source"].label_from_instance = lambda s: (
            s.name if len(dealerships) == 1 else f"{s.name} ({s.dealership.name})"
        )
        self.fields["stock_vehicle"].queryset = StockVehicle.objects.filter(
            dealership__in=dealerships
        )

    def clean(self) -> dict:
        data = super().clean()
        dealership = data.get("dealership")
        if not (data.get("first_name") or data.get("last_name")):
            self.add_error("last_name", _("Give at least a first or a last name."))
        phone = (data.get("phone") or "").strip()
        if phone and dealership:
            number = to_e164(phone, dealership.country)
            if number is None:
                self.add_error("phone", _("This is not a phone number we can dial."))
            data["phone"] = number or ""
        if (
            not (data.get("email") or data.get("phone"))
            and data.get("entered_as") != EntryKind.WALK_IN
        ):
            self.add_error("phone", _("Give a phone number or an e-mail address to follow up."))
        for name in ("source", "stock_vehicle"):
            chosen = data.get(name)
            if chosen and dealership and chosen.dealership_id != dealership.pk:
                self.add_error(name, _("This belongs to another dealership."))
        return data

    def entry(self) -> ManualLead:
        data = self.cleaned_data
        return ManualLead(
            dealership=data["dealership"],
            entered_as=data["entered_as"],
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email=data["email"],
            phones=[data["phone"]] if data["phone"] else [],
            source=data["source"],
            lead_type=data["lead_type"],
            stock_vehicle=data["stock_vehicle"],
            vehicle_text=data["vehicle_text"],
            comments=data["comments"].strip(),
            keep=data["keep"],
        )
