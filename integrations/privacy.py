"""Where the integrations app's models hold a customer's personal data (see leads.privacy)."""

from integrations.models import ApiToken, Delivery, DeliveryAttempt, Forwarding, SaleReport
from leads.privacy import How, holds_none, register

register(
    Delivery,
    rows=lambda p: Delivery.objects.filter(lead__customer__in=p.customer_ids),
    fields={"last_answer": How.SCRUB},
    why="the receiving system's answer may echo the lead",
)
register(
    DeliveryAttempt,
    rows=lambda p: DeliveryAttempt.objects.filter(delivery__lead__customer__in=p.customer_ids),
    fields={"answer": How.SCRUB},
    why="the receiving system's answer may echo the lead",
)
register(
    SaleReport,
    rows=lambda p: SaleReport.objects.filter(lead__customer__in=p.customer_ids),
    fields={"data": How.SCRUB, "reported_by": How.SCRUB},
    why="the DMS reports the buyer's name and address",
)
holds_none(Forwarding, "where the dealership forwards leads")
holds_none(ApiToken, "hashes of other systems' tokens")
