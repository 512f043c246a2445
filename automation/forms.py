from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from automation import placeholders, whatsapp
from automation.models import (
    TEMPLATE_CHANNELS,
    Channel,
    MessageTemplate,
    NotificationKind,
    Rule,
    WhatsAppTemplate,
)
from automation.render import PLACEHOLDERS, TemplateProblem, check_source
from dealers.models import Dealership, OpeningHours
from leads.lifecycle import Status
from leads.models import LeadType, Source

LANGUAGE_FIELDS = ("subject_nl", "body_nl", "subject_fr", "body_fr", "subject_en", "body_en")


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["dealership", "name", *LANGUAGE_FIELDS]
        labels = {"dealership": _("Dealership")}  # the model field has no translated name
        widgets = {f: forms.Textarea(attrs={"rows": 6}) for f in LANGUAGE_FIELDS if "body" in f}

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        if self.instance.pk:
            self.fields["dealership"].disabled = True
        help_text = _(
            "Placeholders: %(names)s. A message whose placeholder has no value for a lead is "
            "not sent: wrap optional ones in {%% if vehicle %%}…{%% endif %%} or add "
            "|default:'…'."
        ) % {
            "names": ", ".join("{{ %s }}" % p for p in PLACEHOLDERS)  # noqa: UP031
        }
        for name in LANGUAGE_FIELDS:
            if name.startswith("body"):
                self.fields[name].help_text = help_text

    def clean(self) -> dict:
        data = super().clean()
        for name in LANGUAGE_FIELDS:
            strange = placeholders.unknown(data.get(name) or "")
            if strange:
                self.add_error(
                    name,
                    _("Unknown placeholder: %(names)s.")
                    % {"names": ", ".join("{{ %s }}" % n for n in strange)},  # noqa: UP031
                )
                continue
            try:
                check_source(data.get(name) or "")
            except TemplateProblem as exc:
                self.add_error(name, str(exc))
        if not any((data.get(f) or "").strip() for f in LANGUAGE_FIELDS if f.startswith("body")):
            raise forms.ValidationError(_("Write the text in at least one language."))
        return data


WEEKDAYS = OpeningHours.Weekday.choices
# A rule waits at most a year, in whichever unit it counts.
MAX_WAIT = {"minutes": 365 * 24 * 60, "hours": 365 * 24, "days": 365}


def staff_only(template: MessageTemplate) -> bool:
    """A template that links into the app ({{ lead_url }}) is for staff: a customer cannot
    open that link, and it shows them the internal address of their lead."""
    sources = [getattr(template, f) for f in LANGUAGE_FIELDS]
    return "lead_url" in placeholders.used(*sources)


class TemplateChoiceField(forms.ModelChoiceField):
    """Each template once, named with its dealership (two dealerships both have a
    "Confirmation"), staff-only ones marked so the page offers them to staff recipients only."""

    def label_from_instance(self, obj: MessageTemplate) -> str:
        label = f"{obj.name} — {obj.dealership}"
        if staff_only(obj):
            return "{} ({})".format(label, _("staff only"))
        return label


class TemplateSelect(forms.Select):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-dealership"] = instance.dealership_id
            if staff_only(instance):
                option["attrs"]["data-staff-only"] = "1"
        return option


class WhatsAppTemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WhatsAppTemplate) -> str:
        return f"{obj.name} ({obj.language}) — {obj.dealership}"


class SourceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Source) -> str:
        return f"{obj.name} — {obj.dealership}"


class RuleForm(forms.ModelForm):
    statuses = forms.MultipleChoiceField(
        label=_("Lead status is"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lead_types = forms.MultipleChoiceField(
        label=_("Lead type is"),
        choices=LeadType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source_kinds = forms.MultipleChoiceField(
        label=_("Source kind is"),
        choices=Source.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    window_days = forms.TypedMultipleChoiceField(
        label=_("Send on"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("In the dealership's time zone. None ticked: every day."),
    )

    class Meta:
        model = Rule
        fields = [
            "dealership",
            "name",
            "is_enabled",
            "trigger",
            "trigger_status",
            "offset_amount",
            "offset_unit",
            "direction",
            "statuses",
            "lead_types",
            "sources",
            "source_kinds",
            "condition",
            "min_rating",
            "activity",
            "to_customer",
            "to_salesperson",
            "to_managers",
            "channel",
            "template",
            "whatsapp_template",
            "window_start",
            "window_end",
            "window_days",
        ]
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "sources": forms.CheckboxSelectMultiple,
            "template": TemplateSelect,
        }
        field_classes = {
            "template": TemplateChoiceField,
            "sources": SourceChoiceField,
            "whatsapp_template": WhatsAppTemplateChoiceField,
        }
        labels = {
            "dealership": _("Dealership"),
            "template": _("Template"),
            "sources": _("Sources"),
            "whatsapp_template": _("Approved WhatsApp template"),
        }
        help_texts = {
            "template": _("For e-mail and SMS."),
            "whatsapp_template": _(
                "For WhatsApp, to the customer only: WhatsApp lets an automation send only a "
                "template it approved."
            ),
        }

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        if self.instance.pk:
            self.fields["dealership"].disabled = True
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            dealership__in=dealerships
        ).select_related("dealership")
        self.fields["sources"].queryset = Source.objects.filter(
            dealership__in=dealerships
        ).select_related("dealership")
        self.fields["whatsapp_template"].queryset = WhatsAppTemplate.objects.filter(
            dealership__in=dealerships, is_enabled=True
        ).select_related("dealership")
        self.fields["channel"].choices = Channel.choices

    def clean(self) -> dict:
        data = super().clean()
        dealership: Dealership | None = (
            data.get("dealership") or self.instance.dealership_id and self.instance.dealership
        )
        template = data.get("template")
        if data.get("channel") == Channel.WHATSAPP:
            # A WhatsApp rule sends its approved template only (Rule.clean asks for one).
            data["template"] = template = None
            chosen = data.get("whatsapp_template")
            if dealership and chosen and chosen.dealership_id != dealership.pk:
                self.add_error("whatsapp_template", _("Choose a template of this dealership."))
            if dealership and not whatsapp.is_on(dealership):
                self.add_error(
                    "channel",
                    _(
                        "WhatsApp is off for this dealership: an admin sets its WhatsApp sender "
                        "under Settings → Automations → WhatsApp."
                    ),
                )
        else:
            data["whatsapp_template"] = None
        if dealership and template and template.dealership_id != dealership.pk:
            self.add_error("template", _("Choose a template of this dealership."))
        foreign = [
            s for s in data.get("sources") or [] if dealership and s.dealership_id != dealership.pk
        ]
        if foreign:
            self.add_error("sources", _("Choose sources of this dealership."))
        if template and data.get("to_customer") and staff_only(template):
            self.add_error(
                "template",
                _("This template links into the app: send it to staff, not to the customer."),
            )
        unit, amount = data.get("offset_unit"), data.get("offset_amount")
        if unit in MAX_WAIT and amount is not None and amount > MAX_WAIT[unit]:
            self.add_error(
                "offset_amount",
                _("A rule waits at most a year (%(n)s %(unit)s).")
                % {"n": MAX_WAIT[unit], "unit": unit},
            )
        return data


class LeadMessageForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=MessageTemplate.objects.none())
    channel = forms.ChoiceField(label=_("Send by"), choices=TEMPLATE_CHANNELS)

    prefix = "message"  # the lead page has other forms with a "channel" field

    def __init__(self, *args, lead, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            dealership_id=lead.dealership_id
        )


class PreviewForm(forms.Form):
    lead = forms.TypedChoiceField(label=_("Preview with lead"), coerce=int, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[
            ("", _("the customer's")),
            ("nl", "Nederlands"),
            ("fr", "Français"),
            ("en", "English"),
        ],
        required=False,
    )
    channel = forms.ChoiceField(label=_("Test-send by"), choices=TEMPLATE_CHANNELS, required=False)

    def __init__(self, *args, leads, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [(lead.pk, f"#{lead.pk} {lead.customer}") for lead in leads]


class PreferencesForm(forms.Form):
    def __init__(self, *args, current, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = NotificationKind.choices
        for kind, label in self.kinds:
            pref = current[kind]
            self.fields[f"{kind}_enabled"] = forms.BooleanField(
                label=label, required=False, initial=pref.enabled
            )
            self.fields[f"{kind}_email"] = forms.BooleanField(
                label=_("by e-mail"), required=False, initial=pref.by_email
            )
            self.fields[f"{kind}_sms"] = forms.BooleanField(
                label=_("by SMS"), required=False, initial=pref.by_sms
            )

    def rows(self) -> list[tuple[str, object, object, object]]:
        return [
            (label, self[f"{kind}_enabled"], self[f"{kind}_email"], self[f"{kind}_sms"])
            for kind, label in self.kinds
        ]


class WhatsAppTemplateForm(forms.ModelForm):
    """A template approved for WhatsApp, as registered in Twilio (Content Template Builder):
    its content SID, language, approved text with {{1}}, {{2}}…, and which of our placeholders
    fills each variable."""

    variables = forms.CharField(label=_("Variables"), required=False)
    field_order = ["dealership", "name", "content_sid", "language", "body", "variables"]

    class Meta:
        model = WhatsAppTemplate
        fields = ["dealership", "name", "content_sid", "language", "body", "is_enabled"]
        labels = {"dealership": _("Dealership")}
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, dealerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealership"].queryset = dealerships
        self.fields["variables"].help_text = _(
            "The placeholder that fills each variable, in order, separated by commas: "
            "“customer_first_name, vehicle” fills {{1}} and {{2}}. Placeholders: %(names)s."
        ) % {"names": ", ".join(whatsapp.PLACEHOLDERS)}
        if self.instance.pk:
            self.fields["dealership"].disabled = True
            self.initial["variables"] = ", ".join(self.instance.variables)

    def clean_content_sid(self) -> str:
        return (self.cleaned_data.get("content_sid") or "").strip()

    def clean_variables(self) -> list[str]:
        raw = self.cleaned_data.get("variables") or ""
        return [name.strip().strip("{} ") for name in raw.split(",") if name.strip()]

    def clean(self) -> dict:
        data = super().clean()
        body, names = data.get("body"), data.get("variables")
        if body is not None and names is not None:
            problem = whatsapp.variables_problem(body, names)
            if problem:
                self.add_error("variables", problem)
        return data

    def save(self, commit: bool = True) -> WhatsAppTemplate:
        self.instance.variables = self.cleaned_data["variables"]
        return super().save(commit=commit)


class WhatsAppSenderForm(forms.ModelForm):
    class Meta:
        model = Dealership
        fields = ["whatsapp_number"]
