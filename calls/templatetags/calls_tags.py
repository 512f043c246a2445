"""The calls panel that the lead page and the inbox include (leads' templates include ours; leads'
Python never imports calls)."""

from django import template

from calls import selectors, services

register = template.Library()


@register.simple_tag
def lead_calls(lead) -> dict:
    return {"calls": selectors.lead_calls(lead), "configured": services.is_configured()}


@register.simple_tag
def calls_on() -> bool:
    return services.is_configured()
