from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from dealers.models import Dealership


class PersonForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "language", "is_active"]


class NewPersonForm(PersonForm):
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, min_length=10
    )


class RolesForm(forms.Form):
    """One role choice per dealership the admin manages; empty means 'does not work there'."""

    def __init__(
        self, *args, dealerships: list[Dealership], current: dict[int, str], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dealerships = dealerships
        for dealership in dealerships:
            self.fields[f"role_{dealership.pk}"] = forms.ChoiceField(
                label=dealership.name,
                choices=[("", _("— not working here —")), *Role.choices],
                required=False,
                initial=current.get(dealership.pk, ""),
            )

    def roles(self) -> dict[Dealership, str]:
        return {d: self.cleaned_data[f"role_{d.pk}"] for d in self.dealerships}
