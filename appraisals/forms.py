from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from appraisals.models import Appraisal, ChecklistAnswer, ChecklistItem, ItemKind, Result
from leads.models import LeadVehicle


class AmountField(forms.DecimalField):
    """A decimal typed the way the person's locale writes it: 12.500,50 in Dutch, 12 500,50 in
    French, 12,500.50 in English — grouping and spaces are dropped before Django reads it."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace("€", "").replace("$", "").replace("£", "")
            value = value.replace(formats.get_format("THOUSAND_SEPARATOR"), "")
        return super().to_python(value)


class TradeInForm(forms.ModelForm):
    """The car, for a lead that did not mention one."""

    class Meta:
        model = LeadVehicle
        fields = ["make", "model", "year", "mileage_km", "registration"]
        widgets = {
            "year": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1950, "max": 2100}),
            "mileage_km": forms.NumberInput(
                attrs={"inputmode": "numeric", "min": 0, "max": 2_000_000}
            ),
        }

    MAX_MILEAGE_KM = 2_000_000  # beyond any car's life: a typo (an extra zero or two)

    def clean_mileage_km(self):
        mileage = self.cleaned_data.get("mileage_km")
        if mileage is not None and mileage > self.MAX_MILEAGE_KM:
            raise forms.ValidationError(
                _("At most %(max)s km.") % {"max": f"{self.MAX_MILEAGE_KM:,}".replace(",", ".")}
            )
        return mileage

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("make") or data.get("model")):
            raise forms.ValidationError(_("Give at least the make or the model."))
        return data


class ChecklistForm(forms.Form):
    """One set of fields per answer: result (radio), value (number) and note."""

    def __init__(self, *args, answers: list[ChecklistAnswer], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers
        self.rows = []
        for answer in answers:
            prefix = f"a{answer.pk}"
            names = {}
            if answer.kind == ItemKind.CHECK:
                self.fields[f"{prefix}_result"] = forms.ChoiceField(
                    label=answer.label,
                    choices=Result.choices,
                    required=False,
                    widget=forms.RadioSelect,
                    initial=answer.result,
                )
                names["result"] = f"{prefix}_result"
            elif answer.kind == ItemKind.NUMBER:
                self.fields[f"{prefix}_value"] = AmountField(
                    label=answer.label, required=False, initial=answer.value
                )
                names["value"] = f"{prefix}_value"
            self.fields[f"{prefix}_note"] = forms.CharField(
                label=answer.label if answer.kind == ItemKind.TEXT else _("Note"),
                required=False,
                initial=answer.note,
                widget=forms.Textarea(attrs={"rows": 3 if answer.kind == ItemKind.TEXT else 1}),
            )
            names["note"] = f"{prefix}_note"
            self.rows.append((answer, {key: self[name] for key, name in names.items()}))

    def answer_data(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            answer.pk: {
                "result": data.get(f"a{answer.pk}_result", ""),
                "value": data.get(f"a{answer.pk}_value"),
                "note": data.get(f"a{answer.pk}_note", ""),
            }
            for answer in self.answers
        }


class OfferForm(forms.ModelForm):
    valuation = AmountField(label=_("Valuation"), required=False)
    offer = AmountField(label=_("Offer to the customer"), required=False)

    class Meta:
        model = Appraisal
        fields = ["valuation", "offer", "offer_valid_until", "remarks"]
        widgets = {
            "offer_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"valuation": _("What the car is worth to us. The customer never sees it.")}


class PhotoForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["label", "kind", "unit", "enabled"]
