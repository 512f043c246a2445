"""The lead lifecycle: the statuses and which moves between them are allowed. One place only."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    CONTACTED = "contacted", _("Contacted")
    APPOINTMENT = "appointment", _("Appointment set")
    SHOWED = "showed", _("Showed")
    PROPOSAL = "proposal", _("Proposal")
    SOLD = "sold", _("Sold")
    LOST = "lost", _("Lost")
    UNREACHABLE = "unreachable", _("Unreachable")


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ASSIGNED,
        Status.CONTACTED,
        Status.APPOINTMENT,
        Status.SHOWED,
        Status.PROPOSAL,
    }
)
CLOSED_STATUSES = frozenset({Status.SOLD, Status.LOST, Status.UNREACHABLE})

# A closed lead may be reopened (re-activation by the BDC, a customer who calls back); a sale is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.ASSIGNED, Status.CONTACTED, Status.APPOINTMENT, Status.LOST, Status.UNREACHABLE}
    ),
    Status.ASSIGNED: frozenset(
        {Status.NEW, Status.CONTACTED, Status.APPOINTMENT, Status.LOST, Status.UNREACHABLE}
    ),
    Status.CONTACTED: frozenset(
        {Status.APPOINTMENT, Status.PROPOSAL, Status.SOLD, Status.LOST, Status.UNREACHABLE}
    ),
    Status.APPOINTMENT: frozenset(
        {Status.SHOWED, Status.CONTACTED, Status.PROPOSAL, Status.SOLD, Status.LOST}
    ),
    Status.SHOWED: frozenset({Status.APPOINTMENT, Status.PROPOSAL, Status.SOLD, Status.LOST}),
    Status.PROPOSAL: frozenset({Status.APPOINTMENT, Status.SOLD, Status.LOST}),
    Status.SOLD: frozenset(),
    Status.LOST: frozenset({Status.NEW, Status.ASSIGNED, Status.CONTACTED}),
    Status.UNREACHABLE: frozenset({Status.NEW, Status.ASSIGNED, Status.CONTACTED, Status.LOST}),
}


class LostReason(models.TextChoices):
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
    PRICE = "price", _("Price")
    NO_FINANCE = "no_finance", _("Financing refused")
    NOT_INTERESTED = "not_interested", _("No longer interested")
    VEHICLE_SOLD = "vehicle_sold", _("Vehicle already sold")
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam or test")
    OTHER = "other", _("Other")


class TransitionNotAllowed(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"A lead cannot move from '{current}' to '{target}'.")
        self.current, self.target = current, target


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise TransitionNotAllowed(current, target)
