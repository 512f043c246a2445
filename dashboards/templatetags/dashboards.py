from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from dashboards.definitions import LABELS

register = template.Library()


@register.filter
def response_time(seconds: float | None) -> str:
    """A response time in the unit a manager reads it in, with localised decimals."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("%(n)s min") % {"n": floatformat(seconds / 60, 1)}
    if seconds < 48 * 3600:
        return _("%(n)s h") % {"n": floatformat(seconds / 3600, 1)}
    return _("%(n)s d") % {"n": floatformat(seconds / 86400, 1)}


@register.filter
def cells_for(row, columns):  # noqa: ANN001, ANN201
    wanted = set(columns)
    return [cell for cell in row.cells if cell.column in wanted]


@register.filter
def get_item(mapping, key):  # noqa: ANN001, ANN201
    return mapping.get(key)


@register.filter
def label(column: str) -> str:
    return LABELS.get(column, column)


@register.filter
def delta(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return current - previous


@register.filter
def split(text: str) -> list[str]:
    return text.split()
