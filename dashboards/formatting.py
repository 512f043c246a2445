"""Response times in the unit a manager reads them in, in the active language's number format."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def response_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("%(n)s min") % {"n": number_format(round(seconds / 60, 1), 1)}
    if seconds < 48 * 3600:
        return _("%(n)s h") % {"n": number_format(round(seconds / 3600, 1), 1)}
    return _("%(n)s d") % {"n": number_format(round(seconds / 86400, 1), 1)}
