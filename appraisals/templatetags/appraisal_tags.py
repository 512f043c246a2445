from decimal import Decimal

from django import template

from accounts.models import User
from appraisals.formatting import money as format_money
from appraisals.models import Appraisal
from appraisals.selectors import managed_dealerships
from leads.models import Lead

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "EUR") -> str:
    """{{ appraisal.offer|money:appraisal.currency }} — the amount in the active locale."""
    return format_money(amount, currency)


@register.simple_tag
def lead_appraisal(lead: Lead) -> Appraisal | None:
    """The lead's appraisal, if one was started (for the lead page panel)."""
    return Appraisal.objects.filter(lead=lead).first()


@register.simple_tag
def configures_checklist(user: User, lead: Lead) -> bool:
    """Whether `user` may configure the inspection checklist of the lead's dealership."""
    return managed_dealerships(user).filter(pk=lead.dealership_id).exists()
