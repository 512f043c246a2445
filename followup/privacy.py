"""Where the follow-up app's models hold a customer's personal data (see leads.privacy)."""

from followup.models import Cadence, CadenceStep, Task
from leads.privacy import How, holds_none, register

register(
    Task,
    rows=lambda p: Task.objects.filter(lead__customer__in=p.customer_ids),
    fields={"note": How.BLANK},
    why="a task's note is free text about the customer",
)
holds_none(Cadence, "the dealership's follow-up process")
holds_none(CadenceStep, "the dealership's follow-up process")
