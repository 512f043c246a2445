from django import template

from dashboards.definitions import LABELS
from dashboards.formatting import response_time

register = template.Library()


register.filter(response_time)


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
def split(text: str) -> list[str]:
    return text.split()
