from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import CadenceStep, TaskKind
from leads.models import ContactOutcome


class TaskForm(forms.Form):
    # Its fields sit on the lead page beside the finish forms: ids of their own.
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "plan-%s")
        super().__init__(*args, **kwargs)

    kind = forms.ChoiceField(label=_("Next action"), choices=TaskKind.choices)
    due_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_due_at(self):
        due = self.cleaned_data["due_at"]
        now = timezone.now()
        if due < now - timedelta(days=1) or due > now + timedelta(days=366):
            raise forms.ValidationError(_("Choose a time between yesterday and a year from now."))
        return due


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "—"), *ContactOutcome.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, task, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"task{task.pk}-%s")
        super().__init__(*args, **kwargs)
        self.task = task
        if task.kind == TaskKind.APPOINTMENT:
            del self.fields["outcome"]

    def clean_outcome(self) -> str:
        outcome = self.cleaned_data.get("outcome", "")
        if self.task.kind != TaskKind.APPOINTMENT and not outcome:
            raise forms.ValidationError(_("Say how it went."))
        return outcome


class StepForm(forms.ModelForm):
    class Meta:
        model = CadenceStep
        fields = ["day", "kind"]

    def clean_day(self) -> int:
        day = self.cleaned_data["day"]
        if day > 90:
            raise forms.ValidationError(_("A cadence runs 90 days at most."))
        return day
