"""What every dashboard figure means. Written once here; every table, chart, target and drill-down
list uses these and nothing else.

Which leads: a figure counts the leads *received* in the chosen period (a cohort), in the state they
are in now. Deleted leads are never counted. All percentages are of the leads in the group
(the count behind each percentage is shown next to it).

- **Contacted**: the lead has a first contact (`Lead.first_contact_at` is set): a contact attempt
  with the outcome "reached", a move to the status contacted, or an appointment.
- **Appointment**: an appointment was set at least once (`Lead.appointment_set_at`, set the first
  time the lead moves to the status appointment), whatever happened afterwards.
- **Showed**: the customer came at least once (`Lead.showed_at`, set the first time the lead moves
  to showed, or straight from appointment to proposal or sold).
- **Sold**: the status is sold. **Lost**: the status is lost (unreachable is not lost).
- **Response time** (speed to lead): from receipt to the *first contact attempt* of any outcome
  (`first_attempt_at − received_at`); median and 90th percentile over the leads with an attempt.
  "Answered within 5 minutes / 1 hour" is the share of all leads whose first attempt came that fast.
- **Attempts until contact**: the contact attempts logged up to and including the one that reached
  the customer (`Lead.attempts_until_contact`), averaged over contacted leads.
- **Waiting**: the lead is open and nobody has tried to contact it yet.
- **Customers waiting for an answer** (counted now, whatever the period): open leads whose
  customer wrote (an SMS, an e-mail reply) and nobody answered yet — no message sent by a person,
  no call or visit logged since (`Lead.customer_waiting_since`); with the longest wait.
- **Online**: the lead came from a portal, the dealership's own website or the importer;
  **phone**: from a phone source; everything else (walk-in, lists, no source) is "other".
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from leads.lifecycle import OPEN_STATUSES, Status
from leads.models import Source

CONTACTED = Q(first_contact_at__isnull=False)
APPOINTMENT = Q(appointment_set_at__isnull=False)
SHOWED = Q(showed_at__isnull=False)
SOLD = Q(status=Status.SOLD)
LOST = Q(status=Status.LOST)
ATTEMPTED = Q(first_attempt_at__isnull=False)
WAITING = Q(status__in=OPEN_STATUSES, first_attempt_at__isnull=True)
UNANSWERED = Q(status__in=OPEN_STATUSES, customer_waiting_since__isnull=False)


def answered_within(minutes: int) -> Q:
    return Q(first_attempt_at__lte=F("received_at") + timedelta(minutes=minutes))


WITHIN_5_MIN = answered_within(5)
WITHIN_1_HOUR = answered_within(60)

# The funnel, in order: (key, label, condition). "leads" is every lead of the group.
FUNNEL: tuple[tuple[str, str, Q], ...] = (
    ("leads", _("Leads"), Q()),
    ("contacted", _("Contacted"), CONTACTED),
    ("appointment", _("Appointment"), APPOINTMENT),
    ("showed", _("Showed"), SHOWED),
    ("sold", _("Sold"), SOLD),
    ("lost", _("Lost"), LOST),
)
RESPONSE: tuple[tuple[str, str, Q], ...] = (
    ("within_5_min", _("Answered within 5 min"), WITHIN_5_MIN),
    ("within_1_hour", _("Answered within 1 hour"), WITHIN_1_HOUR),
    ("waiting", _("Waiting"), WAITING),
)
LABELS = {key: label for key, label, _q in FUNNEL + RESPONSE} | {
    "attempted": _("Attempted"),
    "p50": _("Median response"),
    "p90": _("90% answered within"),
    "attempts": _("Attempts until contact"),
}
# Every countable figure by key: a drill-down list shows exactly the leads of one of these.
FIGURES: dict[str, Q] = {key: q for key, _label, q in FUNNEL + RESPONSE} | {"attempted": ATTEMPTED}

# Channels: how source kinds group into online / phone / other.
ONLINE_KINDS = frozenset({Source.Kind.PORTAL, Source.Kind.WEBSITE, Source.Kind.IMPORTER})
PHONE_KINDS = frozenset({Source.Kind.PHONE})
CHANNELS: dict[str, tuple[str, Q]] = {
    "online": (_("Online"), Q(source__kind__in=ONLINE_KINDS)),
    "phone": (_("Phone"), Q(source__kind__in=PHONE_KINDS)),
    "other": (
        _("Other"),
        ~Q(source__kind__in=ONLINE_KINDS | PHONE_KINDS) | Q(source__isnull=True),
    ),
}


def channel_of(kind: str | None) -> str:
    if kind in ONLINE_KINDS:
        return "online"
    if kind in PHONE_KINDS:
        return "phone"
    return "other"
