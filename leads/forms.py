from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.phones import to_e164
from leads.lifecycle import TRANSITIONS, LostReason
from leads.models import ContactChannel, ContactOutcome, Lead, LeadType

# Lengths a person writes at most; the database fields are text, so the forms (and the API) keep
# a 200,000-character paste from becoming a lead's note.
NOTE_MAX = 2000
CHOOSE = ("", _("— choose —"))


class ContactAttemptForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    # No default outcome: a default "reached" logged every hurried tap as a contact.
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[CHOOSE, *ContactOutcome.choices])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    lost_reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *LostReason.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)

    def __init__(self, *args, lead: Lead, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the moves leads.lifecycle allows from here, and none chosen in advance: the
        # first allowed move ("New" for an assigned lead) was one tap from being made by mistake.
        allowed = TRANSITIONS[lead.status]
        self.has_moves = bool(allowed)
        self.fields["status"].choices = [CHOOSE] + [
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
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)

    # An appointment is agreed for the coming months, not for last year or the next decade.
    PAST_GRACE = timedelta(days=1)
    AHEAD = timedelta(days=365)

    def clean_at(self):
        at = self.cleaned_data["at"]
        now = timezone.now()
        moment = at if timezone.is_aware(at) else timezone.make_aware(at)
        if moment < now - self.PAST_GRACE:
            raise forms.ValidationError(_("An appointment cannot be in the past."))
        if moment > now + self.AHEAD:
            raise forms.ValidationError(_("An appointment can be at most a year ahead."))
        return at


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why delete this lead?"), max_length=200)


class LeadEditForm(forms.Form):
    """What a salesperson corrects on a lead; phones are read in the dealership's region."""

    first_name = forms.CharField(label=_("First name"), required=False, max_length=80)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=120)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Add a phone number"), required=False, max_length=40)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=16)
    city = forms.CharField(label=_("City"), required=False, max_length=80)
    language = forms.ChoiceField(
        label=_("Customer's language"),
        required=False,
        choices=[
            ("", "—"),
            ("nl", "Nederlands"),
            ("fr", "Français"),
            ("en", "English"),
            ("de", "Deutsch"),
        ],
    )
    lead_type = forms.ChoiceField(label=_("Type"), choices=LeadType.choices)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(i, "★" * i) for i in range(1, 6)],
    )

    def __init__(self, *args, lead: Lead, **kwargs) -> None:
        customer = lead.customer
        kwargs.setdefault(
            "initial",
            {
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "email": customer.email,
                "postal_code": customer.postal_code,
                "city": customer.city,
                "language": customer.language,
                "lead_type": lead.lead_type,
                "rating": lead.rating,
            },
        )
        super().__init__(*args, **kwargs)
        self.region = lead.dealership.country

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        number = to_e164(raw, self.region)
        if number is None:
            raise forms.ValidationError(_("This is not a phone number we can dial."))
        return number
