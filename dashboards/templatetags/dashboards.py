from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from dashboards.definitions import LABELS
from dashboards.formatting import response_time

register = template.Library()


register.filter(response_time)


@register.filter
def get_item(mapping, key):  # noqa: ANN001, ANN201
    return mapping.get(key)


@register.filter
def label(column: str) -> str:
    return LABELS.get(column, column)


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.simple_tag
def figure_cells(row, columns) -> SafeString:  # noqa: ANN001
    """A table row's figure cells. Written in Python, not as template tags: a dashboard has a
    couple of thousand cells, and the template language made rendering them cost more than
    all the dashboard's queries together (bench/dashboard_bench.py). Everything is escaped."""
    wanted = set(columns)
    on_target = format_html(
        ' <span class="on-target">✓<span class="visually-hidden"> {}</span></span>',
        gettext("on target"),
    )
    off_target = format_html(
        ' <span class="off-target">✗<span class="visually-hidden"> {}</span></span>',
        gettext("below target"),
    )
    labels = {column: str(LABELS.get(column, column)) for column in wanted}  # translated once
    return format_html_join(
        "",
        '<td data-label="{}"><a href="{}"{}>{}</a>{}{}</td>',
        (
            (
                labels[cell.column],
                cell.url,
                format_html(' data-count="{}"', cell.count) if cell.count is not None else "",
                cell.text,
                format_html(' <span class="n">({})</span>', localize(cell.count))
                if cell.percent is not None
                else "",
                (on_target if cell.on_target else off_target) if cell.target else "",
            )
            for cell in row.cells
            if cell.column in wanted
        ),
    )
