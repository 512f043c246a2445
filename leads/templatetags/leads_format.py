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
