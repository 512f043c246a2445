"""Building blocks for the automation tests: a template, a rule, a lead with a customer that may
be e-mailed and texted."""

from __future__ import annotations

from datetime import datetime, time

from automation.models import MessageTemplate, Rule
from dealers.models import Dealership
from leads import services
from leads.models import Lead
from tests.factories import CustomerFactory, CustomerPhoneFactory, LeadVehicleFactory


def template(dealership: Dealership, **texts: str) -> MessageTemplate:
    texts = texts or {
        "subject_en": "Hello {{ customer_name }}",
        "body_en": "Dear {{ customer_name }}, about the {{ vehicle|default:'car' }}. "
        "{{ salesperson|default:'' }}",
        "subject_nl": "Hallo {{ customer_name }}",
        "body_nl": "Beste {{ customer_name }}, over de {{ vehicle|default:'auto' }}. "
        "{{ salesperson|default:'' }}",
    }
    return MessageTemplate.objects.create(
        dealership=dealership, name=f"T{MessageTemplate.objects.count()}", **texts
    )


def rule(dealership: Dealership, **fields) -> Rule:
    fields.setdefault("template", template(dealership))
    fields.setdefault("trigger", "created")
    fields.setdefault("to_customer", True)
    fields.setdefault("channel", "email")
    # Always open unless a test says otherwise: timing tests set their own window.
    fields.setdefault("window_start", time(0))
    fields.setdefault("window_end", time(23, 59, 59))
    fields.setdefault("window_days", [])
    sources = fields.pop("sources", None)
    made = Rule.objects.create(dealership=dealership, name=f"R{Rule.objects.count()}", **fields)
    if sources:
        made.sources.set(sources)
    return made


def new_lead(
    dealership: Dealership, *, language: str = "en", received_at: datetime | None = None, **kwargs
) -> Lead:
    """A lead created through leads.services, so its 'created' event is announced."""
    customer = CustomerFactory(dealership=dealership, language=language)
    CustomerPhoneFactory(customer=customer)
    source = kwargs.pop("source", None)
    return services.create_lead(
        dealership=dealership,
        customer=customer,
        source=source,
        vehicle=LeadVehicleFactory.build(),
        received_at=received_at,
        **kwargs,
    )
