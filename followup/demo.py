"""Follow-up in the demo: Doesburg's cadence (call and SMS the first day, call on day 1, e-mail on
day 3, call on day 7, then the BDC), and every open demo lead's next action, some overdue, so
"Today", the lead pages and "Who is behind" have something to show."""

from __future__ import annotations

from datetime import datetime

from dealers.models import Dealership
from followup import services
from followup.models import Cadence, CadenceStep

DOESBURG_NO_CONTACT = [(0, "call"), (0, "sms"), (1, "call"), (3, "email"), (7, "call")]
DOESBURG_NO_APPOINTMENT = [(1, "call"), (4, "email"), (10, "call")]


def build(*, dealerships: dict[str, Dealership], now: datetime) -> None:
    doesburg = dealerships["doesburg"]
    first = Cadence.objects.create(dealership=doesburg, stage="no_contact", hand_to_bdc=True)
    second = Cadence.objects.create(dealership=doesburg, stage="no_appointment")
    CadenceStep.objects.bulk_create(
        [CadenceStep(cadence=first, day=d, kind=k) for d, k in DOESBURG_NO_CONTACT]
        + [CadenceStep(cadence=second, day=d, kind=k) for d, k in DOESBURG_NO_APPOINTMENT]
    )
    # The demo's leads were written with their history and announcements paused: the sweep the
    # beat runs gives each open lead its next action, as it would in production.
    services.ensure_next_actions(limit=10_000)
