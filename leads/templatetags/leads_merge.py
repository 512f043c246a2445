from django import template
from django.db.models import Q

from leads.models import Customer, Lead

register = template.Library()


@register.simple_tag
def possible_duplicate_customers(lead: Lead) -> list[Customer]:
    """Other customer records of the dealership with the same e-mail, phone or full name."""
    customer = lead.customer
    same = Q()
    if customer.email:
        same |= Q(email__iexact=customer.email)
    numbers = [p.number for p in customer.phones.all()]
    if numbers:
        same |= Q(phones__number__in=numbers)
    if customer.full_name:
        same |= Q(full_name__iexact=customer.full_name)
    if not same:
        return []
    return list(
        Customer.objects.filter(same, dealership_id=lead.dealership_id, erased_at__isnull=True)
        .exclude(pk=customer.pk)
        .distinct()[:5]
    )
