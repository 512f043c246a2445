from django import forms
from django.utils.translation import gettext_lazy as _

from leads.lifecycle import TRANSITIONS, LostReason
from leads.models import ContactChannel, ContactOutcome, Lead


class ContactAttemptForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    lost_reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *LostReason.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, lead: Lead, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[lead.status]
        self.fields["status"].choices = [
            (value, label)
            for value, label in Lead._meta.get_field("status").choices
            if value in allowed
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == "lost" and not data.get("lost_reason"):
            self.add_error("lost_reason", _("Say why the lead was lost."))
        return data


class AppointmentForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("test_drive", _("Test drive")), ("showroom", _("Showroom visit"))],
    )
    note = forms.CharField(label=_("Note"), required=False)


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why delete this lead?"), max_length=200)
