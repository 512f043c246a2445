from django import forms
from django.utils.translation import gettext_lazy as _

from automation.models import Channel


class ReplyForm(forms.Form):
    """A reply in a person's own words, by e-mail or SMS."""

    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices)
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    prefix = "reply"  # the lead page has other forms with a "channel" field

    def __init__(self, *args, blocked: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.blocked = blocked or {}
        # A channel the customer may not get is offered no more (the reason is shown beside it).
        open_channels = [(v, label) for v, label in Channel.choices if not self.blocked.get(v)]
        self.fields["channel"].choices = open_channels or Channel.choices
