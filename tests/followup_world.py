"""Who may use each follow-up URL, in the shape of the project's role walk."""

from datetime import timedelta

from django.utils import timezone

from followup.models import Cadence, CadenceStep, Task

EVERYONE = {"owner", "colleague", "bdc", "manager", "admin", "stranger"}
LEAD_SEERS = {"owner", "manager", "admin"}
MANAGERS = {"manager", "admin"}


def _task(world: dict) -> Task:
    return Task.objects.create(
        lead=world["lead"],
        dealership=world["dealership"],
        assigned_to=world["owner"],
        kind="call",
        due_at=timezone.now(),
    )


def _appointment(world: dict) -> int:
    lead = world["lead"]
    type(lead).all_objects.filter(pk=lead.pk).update(
        appointment_at=timezone.now() + timedelta(days=1)
    )
    return lead.pk


def _cadence(world: dict) -> Cadence:
    cadence, _ = Cadence.objects.get_or_create(dealership=world["dealership"], stage="no_contact")
    return cadence


def _step(world: dict) -> CadenceStep:
    return CadenceStep.objects.create(cadence=_cadence(world), day=1, kind="call")


FOLLOWUP_ACCESS = {
    "followup:today": (EVERYONE, None),
    "followup:task_add": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "followup:task_done": (LEAD_SEERS, lambda w: [_task(w).pk]),
    "followup:calendar": (EVERYONE, None),
    "followup:invite": (LEAD_SEERS, lambda w: [_appointment(w)]),
    "followup:behind": (MANAGERS | {"stranger"}, None),
    "followup:cadences": (MANAGERS | {"stranger"}, None),
    "followup:cadence_step_add": (MANAGERS, lambda w: [_cadence(w).pk]),
    "followup:cadence_step_delete": (MANAGERS, lambda w: [_step(w).pk]),
    "followup:cadence_bdc": (MANAGERS, lambda w: [_cadence(w).pk]),
}
