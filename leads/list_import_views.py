"""Import a passive list from CSV: upload, map the columns and see each row's fate, import."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.permissions import role_required
from accounts.selectors import dealerships_for
from leads import list_import
from leads.entry import EntryKind, default_source
from leads.models import Source

IMPORTERS = (Role.MANAGER, Role.ADMIN, Role.BDC_AGENT)
PREVIEW_ROWS = 50


class UploadForm(forms.Form):
    dealership = forms.ModelChoiceField(label=gettext_lazy("Dealership"), queryset=None)
    source = forms.ModelChoiceField(
        label=gettext_lazy("List source"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— Lists —"),
    )
    file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        if len(dealerships) == 1:
            self.fields["dealership"].initial = dealerships[0].pk
        self.fields["source"].queryset = Source.objects.filter(
            dealership__in=dealerships, kind=Source.Kind.LIST
        )

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > list_import.MAX_BYTES:
                raise forms.ValidationError(_("The file is larger than 2 MB."))
            data["raw"], data["filename"] = upload.read(), upload.name
        elif data.get("content"):
            try:
                data["raw"] = base64.b64decode(data["content"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise forms.ValidationError(_("Upload the file again.")) from exc
        else:
            raise forms.ValidationError(_("Choose a CSV file."))
        source, dealership = data.get("source"), data.get("dealership")
        if source and dealership and source.dealership_id != dealership.pk:
            self.add_error("source", _("This belongs to another dealership."))
        return data


def _mapping(request: HttpRequest, header: list[str]) -> dict[int, str]:
    if "stage" not in request.POST or request.POST.get("stage") == "upload":
        return list_import.guess_mapping(header)
    chosen = {}
    for index in range(len(header)):
        value = request.POST.get(f"column_{index}", "")
        if value in list_import.FIELDS and value not in chosen.values():
            chosen[index] = value
    return chosen


@role_required(*IMPORTERS)
def import_list(request: HttpRequest) -> HttpResponse:
    dealerships = dealerships_for(request.user, roles=IMPORTERS)
    form = UploadForm(request.POST or None, request.FILES or None, dealerships=dealerships)
    context: dict = {"form": form, "fields": list_import.FIELDS}
    if request.method != "POST" or not form.is_valid():
        return render(request, "leads/import_list.html", context)
    data = form.cleaned_data
    try:
        header, rows = list_import.read_csv(data["raw"])
    except list_import.ListFileError as exc:
        form.add_error("file", str(exc))
        return render(request, "leads/import_list.html", context)
    mapping = _mapping(request, header)
    context.update(
        header=header,
        columns=[(i, name, mapping.get(i, "")) for i, name in enumerate(header)],
        content=base64.b64encode(data["raw"]).decode(),
        filename=data["filename"],
    )
    if request.POST.get("stage") == "import":
        source = data["source"] or default_source(
            dealership=data["dealership"], entered_as=EntryKind.LIST
        )
        result = list_import.import_rows(
            dealership=data["dealership"],
            source=source,
            rows=rows,
            mapping=mapping,
            by=request.user,
            filename=data["filename"],
        )
        context.update(result=result, problems=[r for r in result.rows if r.status != "new"])
        return render(request, "leads/import_list_done.html", context)
    checked = list_import.check_rows(dealership=data["dealership"], rows=rows, mapping=mapping)
    counts = {s: sum(r.status == s for r in checked) for s in ("new", "duplicate", "error")}
    context.update(preview=checked[:PREVIEW_ROWS], counts=counts, total=len(checked))
    return render(request, "leads/import_list.html", context)
