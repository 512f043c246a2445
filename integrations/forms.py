from __future__ import annotations

import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import Forwarding
from integrations.services import TargetRefused, check_target_url
from leads.lifecycle import Status
from leads.models import LeadType, Source

MAX_CSV_BYTES = 2_000_000
MAX_CSV_ROWS = 5_000


def _only_one(field: forms.ModelChoiceField, dealerships) -> None:
    """A manager of one dealership does not have to choose it."""
    if len(dealerships) == 1:
        field.initial = dealerships[0].pk


class ForwardingForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    lead_types = forms.MultipleChoiceField(
        label=_("Only these lead types"),
        choices=LeadType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every type."),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Only on a move to these statuses"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for “A lead's status changes”; none chosen: every status."),
    )

    class Meta:
        model = Forwarding
        fields = [
            "dealership",
            "name",
            "is_enabled",
            "trigger",
            "sources",
            "lead_types",
            "statuses",
            "format",
            "transport",
            "url",
            "email",
        ]
        widgets = {"sources": forms.CheckboxSelectMultiple}

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        _only_one(self.fields["dealership"], dealerships)
        self.fields["sources"].queryset = Source.objects.filter(
            dealership__in=dealerships
        ).select_related("dealership")
        self.fields["sources"].label_from_instance = lambda s: f"{s.name} ({s.dealership.name})"

    def clean(self) -> dict:
        data = super().clean()
        transport = data.get("transport")
        if transport == Forwarding.Transport.HTTP:
            if not data.get("url"):
                self.add_error("url", _("Say where to post the leads."))
            else:
                try:
                    check_target_url(data["url"])
                except TargetRefused as exc:
                    self.add_error("url", str(exc))
        if transport == Forwarding.Transport.EMAIL and not data.get("email"):
            self.add_error("email", _("Say where to e-mail the leads."))
        dealership = data.get("dealership")
        for source in data.get("sources") or []:
            if dealership and source.dealership_id != dealership.pk:
                self.add_error(
                    "sources",
                    _("%(source)s belongs to another dealership.") % {"source": source.name},
                )
        return data


class TokenForm(forms.Form):
    dealership = forms.ModelChoiceField(label=_("Dealership"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("Which system uses it."))
    can_read_leads = forms.BooleanField(label=_("May read leads"), required=False, initial=True)
    can_report_sales = forms.BooleanField(label=_("May report sales"), required=False)

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        _only_one(self.fields["dealership"], dealerships)

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("can_read_leads") or data.get("can_report_sales")):
            raise forms.ValidationError(_("Give the token at least one permission."))
        return data


SALE_COLUMNS = ("lead_id", "external_id", "email", "phone", "vin", "sold_at", "deal_number")


class SalesCsvForm(forms.Form):
    dealership = forms.ModelChoiceField(label=_("Dealership"), queryset=None)
    file = forms.FileField(
        label=_("CSV file from the DMS"),
        help_text=_(
            "One sale a row, with a header row naming some of: lead_id, external_id, email, "
            "phone, vin, sold_at, deal_number. Comma or semicolon separated, UTF-8."
        ),
    )

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        _only_one(self.fields["dealership"], dealerships)

    def clean_file(self) -> list[dict]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        header = {(name or "").strip().lower() for name in reader.fieldnames or []}
        if not header & set(SALE_COLUMNS):
            raise forms.ValidationError(
                _("No known column in the header row: use %(columns)s.")
                % {"columns": ", ".join(SALE_COLUMNS)}
            )
        rows = []
        for row in reader:
            clean = {
                (k or "").strip().lower(): (v or "").strip()[:200]
                for k, v in row.items()
                if k and (k or "").strip().lower() in SALE_COLUMNS
            }
            if any(clean.values()):
                rows.append({k: v for k, v in clean.items() if v})
            if len(rows) > MAX_CSV_ROWS:
                raise forms.ValidationError(_("More than 5,000 rows: split the file."))
        if not rows:
            raise forms.ValidationError(_("The file holds no sales."))
        return rows
