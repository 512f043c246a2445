"""Forms of the quarantine and source-label pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealership
from dealers.phones import to_e164
from leadparser import CANONICAL_FIELDS
from leads.models import LeadType, Source, SourceLabel


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Why discard it?"), max_length=500)


class RouteForm(forms.Form):
    dealership = forms.ModelChoiceField(label=_("Dealership"), queryset=Dealership.objects.none())

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships


class ByHandForm(forms.Form):
    """The lead a manager reads from a quarantined message."""

    dealership = forms.ModelChoiceField(label=_("Dealership"), queryset=Dealership.objects.none())
    full_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    lead_type = forms.ChoiceField(label=_("Type"), choices=LeadType.choices)
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.none(), required=False
    )
    make = forms.CharField(label=_("Make"), max_length=60, required=False)
    model = forms.CharField(label=_("Model"), max_length=80, required=False)
    comments = forms.CharField(
        label=_("Customer's message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        self.fields["source"].queryset = Source.objects.filter(dealership__in=dealerships)

    def clean(self) -> dict:
        data = super().clean()
        dealership = data.get("dealership")
        source = data.get("source")
        if dealership and source and source.dealership_id != dealership.pk:
            self.add_error("source", _("This source belongs to another dealership."))
        if dealership and data.get("phone"):
            number = to_e164(data["phone"], dealership.country)
            if number is None:
                self.add_error("phone", _("This is not a phone number we can read."))
            data["phone"] = number or ""
        if not (data.get("email") or data.get("phone")) and not self.errors:
            raise forms.ValidationError(_("Give an e-mail address or a phone number."))
        return data


class SourceLabelForm(forms.ModelForm):
    field = forms.ChoiceField(label=_("Means"), choices=[(f, f) for f in CANONICAL_FIELDS])

    class Meta:
        model = SourceLabel
        fields = ["label", "field"]

    def __init__(self, *args, source: Source, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        if self.source.labels.filter(label__iexact=label).exists():
            raise forms.ValidationError(_("This source already has that label."))
        return label


class MapKeyForm(forms.Form):
    """One unknown JSON key of a quarantined message, mapped to a field of the parser."""

    key = forms.CharField(label=_("Key"), max_length=120)
    field = forms.ChoiceField(label=_("Means"), choices=[(f, f) for f in CANONICAL_FIELDS])
    source = forms.ModelChoiceField(label=_("For the messages of"), queryset=Source.objects.none())

    def __init__(self, *args, sources, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


class GoogleAdsKeyForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        required=False,
        min_length=8,
        max_length=200,
        help_text=_("Leave empty to have a random key made."),
    )
