"""{{ number|phone:dealership.country }}, {{ price|money:currency }},
{{ when|moment:dealership }} and {{ day|moment_date:dealership }} (see core.formatting)."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def phone(number: str, region: str = "") -> str:
    return formatting.phone(number, region)


@register.filter
def money(amount, currency: str = "EUR") -> str:
    return formatting.money(amount, currency)


@register.filter
def moment(value, dealership=None) -> str:
    return formatting.moment(value, dealership)


@register.filter
def moment_long(value, dealership=None) -> str:
    return formatting.moment(value, dealership, "DATETIME_FORMAT")


@register.filter
def moment_date(value, dealership=None) -> str:
    return formatting.moment(value, dealership, "SHORT_DATE_FORMAT")


@register.filter
def waited(since, now=None) -> str:
    """How long a customer has waited for an answer, short: '15 min', '2 h', '3 d'."""
    from django.utils import timezone
    from django.utils.translation import gettext

    if not since:
        return ""
    minutes = max(0, int(((now or timezone.now()) - since).total_seconds() // 60))
    if minutes < 60:
        return gettext("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return gettext("%(n)d h") % {"n": minutes // 60}
    return gettext("%(n)d d") % {"n": minutes // (24 * 60)}
