"""Phone numbers are stored in E.164; national numbers are read in the dealership's region."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_e164(value: str) -> None:
    if not value:
        return
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter the number in international form, e.g. +31612345678.")
        ) from exc
    if not phonenumbers.is_valid_number(number) or value != phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    ):
        raise ValidationError(_("Enter the number in international form, e.g. +31612345678."))


def to_e164(raw: str, region: str) -> str | None:
    """The E.164 form of `raw` read in `region`, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
