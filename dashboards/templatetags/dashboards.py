from functools import lru_cache
from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from dashboards.definitions import LABELS
from dashboards.formatting import response_time

register = template.Library()


register.filter(response_time)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def label(column: str) -> str:
    return LABELS.get(column, column)


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@lru_cache(maxsize=64)
def _words(language: str, columns: tuple[str, ...]) -> tuple[dict[str, str], str, str]:
    """The columns' labels and the target marks, escaped, in `language` (the active one): the
    same for every row of a table, so translated once, not a thousand times a page."""
    labels = {column: escape(str(LABELS.get(column, column))) for column in columns}
    on_target = (
        ' <span class="on-target">✓<span class="visually-hidden"> '
        f"{escape(gettext('on target'))}</span></span>"
    )
    off_target = (
        ' <span class="off-target">✗<span class="visually-hidden"> '
        f"{escape(gettext('below target'))}</span></span>"
    )
    return labels, on_target, off_target


@register.simple_tag
def figure_cells(row, columns) -> SafeString:
    """A table row's figure cells. Written in Python, not as template tags: a dashboard has a
    couple of thousand cells, and the template language made rendering them cost more than
    all the dashboard's queries together (bench/dashboard_bench.py). Plain string formatting with
    the standard library's escape (what django.utils.html.escape does, without the lazy-string
    wrapper around every call), since format_html per cell was still half of the page's render
    time. Everything that is not our own markup is escaped."""
    labels, on_target, off_target = _words(get_language(), tuple(columns))
    html = []
    for cell in row.cells:
        if cell.column not in labels:
            continue
        count = "" if cell.count is None else f' data-count="{cell.count}"'
        share = (
            ""
            if cell.percent is None
            else f' <span class="n">({escape(localize(cell.count))})</span>'
        )
        mark = (on_target if cell.on_target else off_target) if cell.target else ""
        html.append(
            f'<td data-label="{labels[cell.column]}"><a href="{escape(cell.url)}"{count}>'
            f"{escape(cell.text)}</a>{share}{mark}</td>"
        )
    return mark_safe("".join(html))  # noqa: S308 — every value above is escaped
