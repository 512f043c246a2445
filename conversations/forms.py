from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from automation.models import Channel
from conversations.selectors import ReplyOptions


class ReplyForm(forms.Form):
    """A reply in a person's own words, by e-mail, SMS or WhatsApp; by WhatsApp outside the
    customer's 24-hour window, an approved template instead (the service checks it again)."""

    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices)
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Message"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    whatsapp_template = forms.TypedChoiceField(
        label=_("Approved WhatsApp template"),
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )

    prefix = "reply"  # the lead page has other forms with a "channel" field

    def __init__(self, *args, options: ReplyOptions, channel: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        self.blocked = options.blocked
        # A channel the customer may not get is offered no more (the reason is shown beside it).
        offered = [(v, label) for v, label in options.channels if not self.blocked.get(v)]
        self.fields["channel"].choices = offered or options.channels
        values = [v for v, _label in self.fields["channel"].choices]
        wanted = self.data.get(self.add_prefix("channel")) if self.is_bound else channel
        self.channel = wanted if wanted in values else (values[0] if values else "")
        self.fields["channel"].initial = self.channel
        self.fields["whatsapp_template"].choices = [
            (choice.template.pk, choice.label) for choice in options.whatsapp_templates
        ]
        # Choosing another channel shows that channel's fields (htmx asks the panel again).
        self.fields["channel"].widget.attrs.update(
            {
                "hx-get": reverse("conversations:thread", args=[options.lead.pk]),
                "hx-trigger": "change",
                "hx-target": "#conversation",
                "hx-swap": "outerHTML",
                "hx-include": f"#id_{self.add_prefix('text')}, #id_{self.add_prefix('subject')}",
            }
        )

    @property
    def template_only(self) -> bool:
        """WhatsApp outside the window: only an approved template may go."""
        return self.channel == Channel.WHATSAPP and not self.options.whatsapp_window_open

    @property
    def shows_subject(self) -> bool:
        return self.channel == Channel.EMAIL

    def clean(self) -> dict:
        data = super().clean()
        text = (data.get("text") or "").strip()
        chosen = data.get("whatsapp_template")
        if self.template_only:
            if text:
                self.add_error(
                    "text",
                    _(
                        "WhatsApp refuses free text more than 24 hours after the customer's last "
                        "message: choose an approved template."
                    ),
                )
            elif not chosen:
                self.add_error("whatsapp_template", _("Choose an approved template."))
            data["text"] = ""
        else:
            data["whatsapp_template"] = None
            if not text:
                self.add_error("text", _("Write a message first."))
        return data

    def chosen_template(self):
        pk = self.cleaned_data.get("whatsapp_template")
        return next(
            (c.template for c in self.options.whatsapp_templates if c.template.pk == pk), None
        )
