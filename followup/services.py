"""A lead's next actions: the cadence of its stage creates them, a person finishes them (or they
are missed), and the next step follows; lead events start, move and end the stages."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from distribution.models import Routing
from followup.models import Cadence, Task, TaskKind
from leads import services as lead_services
from leads.lifecycle import CLOSED_STATUSES, Status
from leads.models import ContactChannel, EventKind, Lead, LeadEvent

State = Routing.State
CHANNEL_OF = {
    TaskKind.CALL: ContactChannel.PHONE,
    TaskKind.EMAIL: ContactChannel.EMAIL,
    TaskKind.SMS: ContactChannel.SMS,
    TaskKind.WHATSAPP: ContactChannel.WHATSAPP,
}
# Without a cadence of its own, a dealership's leads still get a few calls each stage.
DEFAULT_STEPS = {
    Cadence.Stage.NO_CONTACT: [(0, TaskKind.CALL), (1, TaskKind.CALL), (3, TaskKind.CALL)],
    Cadence.Stage.NO_APPOINTMENT: [(1, TaskKind.CALL), (4, TaskKind.CALL)],
}
# A cadence task still open this long after it was due counts as missed: the next step follows.
MISSED_AFTER = timedelta(hours=12)


Steps = tuple[Cadence | None, list[tuple[int, str, int | None]]]


def _steps(dealership_id: int, stage: str, memo: dict | None = None) -> Steps:
    """The stage's cadence and its steps; `memo` keeps them for the rest of a batch."""
    if memo is not None:
        if (dealership_id, stage) not in memo:
            memo[dealership_id, stage] = _steps(dealership_id, stage)
        return memo[dealership_id, stage]
    cadence = (
        Cadence.objects.filter(dealership_id=dealership_id, stage=stage)
        .prefetch_related("steps")
        .first()
    )
    if cadence is not None and cadence.steps.all():
        return cadence, [(s.day, s.kind, s.pk) for s in cadence.steps.all()]
    return cadence, [(day, kind, None) for day, kind in DEFAULT_STEPS[stage]]


def _cancel_open(lead: Lead, *, cadence_only: bool, kinds: set[str] | None = None) -> None:
    tasks = Task.objects.filter(lead=lead, state=Task.State.OPEN)
    if cadence_only:
        tasks = tasks.exclude(stage="")
    if kinds:
        tasks = tasks.filter(kind__in=kinds)
    tasks.update(state=Task.State.CANCELLED, finished_at=timezone.now())


def _create_day(
    lead: Lead, stage: str, start: datetime, after_day: int | None, memo: dict | None = None
) -> list[Task]:
    """The tasks of the first step day after `after_day` (None: the first day of the cadence)."""
    return Task.objects.bulk_create(_day_tasks(lead, stage, start, after_day, memo))


def _day_tasks(
    lead: Lead, stage: str, start: datetime, after_day: int | None, memo: dict | None = None
) -> list[Task]:
    """_create_day's tasks, not yet written."""
    _cadence, steps = _steps(lead.dealership_id, stage, memo)
    days = sorted({day for day, _kind, _pk in steps if after_day is None or day > after_day})
    if not days:
        return []
    day = days[0]
    return [
        Task(
            lead=lead,
            dealership_id=lead.dealership_id,
            assigned_to_id=lead.assigned_to_id,
            kind=kind,
            due_at=start + timedelta(days=day),
            step_id=pk,
            stage=stage,
        )
        for d, kind, pk in steps
        if d == day
    ]


def stage_start(lead: Lead, stage: str) -> datetime:
    """When the lead entered `stage`: its receipt, or its first contact."""
    if stage == Cadence.Stage.NO_APPOINTMENT and lead.first_contact_at:
        return lead.first_contact_at
    return lead.received_at


@transaction.atomic
def start_stage(*, lead: Lead, stage: str) -> list[Task]:
    return _begin_stage(lead, stage)


def _begin_stage(lead: Lead, stage: str, *, memo: dict | None = None) -> list[Task]:
    """start_stage in the caller's transaction."""
    _cancel_open(lead, cadence_only=True)
    return _create_day(lead, stage, stage_start(lead, stage), None, memo)


def _advance(task: Task) -> list[Task]:
    """After a cadence task is done or missed: the next step day, once the whole day is over;
    after the last step, the BDC takes the lead over when the cadence says so."""
    lead = task.lead
    if not task.stage or not lead.is_open:
        return []
    if Task.objects.filter(lead=lead, state=Task.State.OPEN, stage=task.stage).exists():
        return []
    day = (task.due_at - stage_start(lead, task.stage)).days
    created = _create_day(lead, task.stage, stage_start(lead, task.stage), day)
    if not created:
        cadence, _steps_ = _steps(lead.dealership_id, task.stage)
        if cadence is not None and cadence.hand_to_bdc:
            hand_to_bdc(lead=lead)
    return created


def hand_to_bdc(*, lead: Lead) -> None:
    """The cadence ran out without reaching its goal: the lead goes to the BDC queue."""
    if lead.is_passive or not lead.is_open:
        return
    Lead.all_objects.filter(pk=lead.pk).update(is_passive=True, contact_deadline_at=None)
    lead.is_passive = True
    with override(lead.dealership.language):
        note = _("The follow-up cadence ended without reaching its goal: moved to the BDC queue.")
    data = {"state": State.BDC_QUEUE, "by": "cadence"}
    if lead.assigned_to_id:
        lead_services.assign_lead(lead=lead, to=None, reason=note, data=data)
    else:
        lead_services.record_event(lead=lead, kind=EventKind.DISTRIBUTION, note=note, data=data)
    Routing.objects.update_or_create(
        lead=lead, defaults={"state": State.BDC_QUEUE, "moved_to_bdc_at": timezone.now()}
    )
    _cancel_open(lead, cadence_only=False)


@transaction.atomic
def finish_task(*, task: Task, by: User, outcome: str = "", note: str = "") -> Task:
    """Done: a contact task logs the attempt on the lead (so the figures count it) and the
    cadence moves on. Finishing a task twice changes nothing the second time."""
    task = Task.objects.select_for_update().select_related("lead").get(pk=task.pk)
    if task.state != Task.State.OPEN:
        return task
    task.state, task.finished_at, task.finished_by = Task.State.DONE, timezone.now(), by
    task.outcome = outcome
    task.save(update_fields=["state", "finished_at", "finished_by", "outcome"])
    if task.kind in CHANNEL_OF and outcome:
        task.lead = lead_services.log_contact_attempt(
            lead=task.lead, channel=CHANNEL_OF[task.kind], outcome=outcome, by=by, note=note
        )
    elif note:
        lead_services.add_note(lead=task.lead, text=note, by=by)
    _advance(task)
    return task


@transaction.atomic
def add_task(
    *, lead: Lead, kind: str, due_at: datetime, by: User, note: str = "", to: User | None = None
) -> Task:
    """A next action set by a person (a call-back the customer asked for)."""
    if timezone.is_naive(due_at):
        raise ValueError("A task's due time needs a time zone.")
    return Task.objects.create(
        lead=lead,
        dealership_id=lead.dealership_id,
        assigned_to=to or lead.assigned_to or by,
        kind=kind,
        due_at=due_at,
        note=note,
        created_by=by,
    )


def miss_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cadence tasks left open too long are missed; the next step follows. Safe to run twice."""
    now = now or timezone.now()
    ids = list(
        Task.objects.filter(state=Task.State.OPEN, due_at__lt=now - MISSED_AFTER)
        .exclude(stage="")
        .values_list("pk", flat=True)[:limit]
    )
    missed = 0
    for pk in ids:
        with transaction.atomic():
            task = (
                Task.objects.select_for_update(skip_locked=True)
                .select_related("lead")
                .filter(pk=pk, state=Task.State.OPEN)
                .first()
            )
            if task is None:
                continue
            task.state, task.finished_at = Task.State.MISSED, now
            task.save(update_fields=["state", "finished_at"])
            _advance(task)
            missed += 1
    return missed


def ensure_next_actions(*, limit: int = 500) -> int:
    """Open active leads without any open task (handed back from the BDC, imported with their
    history, or whose reaction got lost) get their stage's tasks: every open lead has a next
    action. Safe to run twice: a lead with an open task is left alone."""
    open_task = Task.objects.filter(lead=OuterRef("pk"), state=Task.State.OPEN)
    ids = list(
        Lead.objects.open()
        .filter(is_passive=False)
        .exclude(status=Status.APPOINTMENT)
        .filter(~Exists(open_task))
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            lead = Lead.objects.select_for_update(of=("self",)).filter(pk=pk).first()
            if lead is None or Task.objects.filter(lead=lead, state=Task.State.OPEN).exists():
                continue
            wanted = (
                Cadence.Stage.NO_APPOINTMENT if lead.first_contact_at else Cadence.Stage.NO_CONTACT
            )
            start_stage(lead=lead, stage=wanted)
    return len(ids)


# -- reacting to what happens to leads ------------------------------------------------------------
ASSIGNMENTS = {EventKind.ASSIGNED, EventKind.REASSIGNED, EventKind.UNASSIGNED}


def _on_assignments(events: list[LeadEvent]) -> None:
    """The leads' open tasks go along with them, to whom each lead's last assignment says (no
    read of the leads): one statement per assignee, not per lead. Tasks a later event of the
    batch creates take the lead's own assignee, so doing these first changes no outcome."""
    last = {event.lead_id: event.assignee_id for event in events}
    by_assignee: dict[int | None, list[int]] = {}
    for lead_id, assignee_id in last.items():
        by_assignee.setdefault(assignee_id, []).append(lead_id)
    for assignee_id, lead_ids in by_assignee.items():
        Task.objects.filter(lead_id__in=lead_ids, state=Task.State.OPEN).exclude(
            kind=TaskKind.APPOINTMENT
        ).update(assigned_to_id=assignee_id)


class _Batch:
    """The leads of one reaction, locked together (in id order, as routing locks them), their
    open tasks read once. The usual step — a lead with no cadence task open begins one — is
    kept and inserted with the batch's others at the end; any other change writes at once,
    after what is kept, and has the lead's open tasks read again when next needed."""

    def __init__(self, lead_ids: set[int]) -> None:
        self.leads = {
            lead.pk: lead
            for lead in Lead.all_objects.select_for_update(of=("self",))
            .filter(pk__in=lead_ids, deleted_at__isnull=True)
            .order_by("pk")
        }
        self.open: dict[int, list[str]] = {lead_id: [] for lead_id in lead_ids}
        for lead_id, stage in Task.objects.filter(
            lead_id__in=lead_ids, state=Task.State.OPEN
        ).values_list("lead_id", "stage"):
            self.open[lead_id].append(stage)
        self.stale: set[int] = set()
        self.kept: list[Task] = []
        self.memo: dict = {}  # the cadences, read once

    def open_stages(self, lead_id: int) -> list[str]:
        if lead_id in self.stale:
            self.stale.discard(lead_id)
            self.open[lead_id] = list(
                Task.objects.filter(lead_id=lead_id, state=Task.State.OPEN).values_list(
                    "stage", flat=True
                )
            )
        return self.open[lead_id]

    def write_now(self, lead_id: int) -> None:
        """Before a statement that changes tasks: what is kept goes first."""
        self.flush()
        self.stale.add(lead_id)

    def flush(self) -> None:
        if self.kept:
            Task.objects.bulk_create(self.kept)
            self.kept = []


def _on_event(event: LeadEvent, lead: Lead, batch: _Batch) -> None:
    kind = event.kind
    if not lead.is_open or lead.status in CLOSED_STATUSES:
        batch.write_now(lead.pk)
        _cancel_open(lead, cadence_only=False)
        return
    if kind == EventKind.APPOINTMENT_SET:
        batch.write_now(lead.pk)
        _cancel_open(lead, cadence_only=True)
        _cancel_open(lead, cadence_only=False, kinds={TaskKind.APPOINTMENT})
        Task.objects.create(
            lead=lead,
            dealership_id=lead.dealership_id,
            assigned_to_id=lead.assigned_to_id,
            kind=TaskKind.APPOINTMENT,
            due_at=lead.appointment_at,
            created_by_id=event.actor_id,
        )
        lead_id = lead.pk
        invite = _invite_task()
        transaction.on_commit(lambda: invite.delay(lead_id))
        return
    if lead.is_passive or lead.status == Status.APPOINTMENT:
        return
    contacted = lead.first_contact_at is not None
    wanted = Cadence.Stage.NO_APPOINTMENT if contacted else Cadence.Stage.NO_CONTACT
    open_stages = batch.open_stages(lead.pk)
    current = next((stage for stage in open_stages if stage), None)
    if current == wanted or not (contacted or not open_stages):
        return
    if current is None:  # nothing to cancel: kept for the batch's one insert
        tasks = _day_tasks(lead, wanted, stage_start(lead, wanted), None, batch.memo)
        batch.kept.extend(tasks)
        open_stages.extend(task.stage for task in tasks)
    else:
        batch.write_now(lead.pk)
        _begin_stage(lead, wanted, memo=batch.memo)


def _invite_task():
    from followup.tasks import send_appointment_invites

    return send_appointment_invites


@transaction.atomic
def react(*, event_ids: list[int]) -> int:
    """Bring the leads' tasks in line with these events, oldest first, in one transaction and a
    few statements for the whole batch (a burst of new or routed leads). Safe to run twice: each
    step looks at the lead's current tasks before it adds any."""
    events = list(LeadEvent.objects.filter(pk__in=event_ids).order_by("occurred_at", "id"))
    _on_assignments([event for event in events if event.kind in ASSIGNMENTS])
    others = [event for event in events if event.kind not in ASSIGNMENTS]
    if not others:
        return len(events)
    batch = _Batch({event.lead_id for event in others})
    for event in others:
        lead = batch.leads.get(event.lead_id)
        if lead is not None:
            _on_event(event, lead, batch)
        else:  # deleted (or merged into another lead): nothing left to do on it
            Task.objects.filter(lead_id=event.lead_id, state=Task.State.OPEN).update(
                state=Task.State.CANCELLED, finished_at=timezone.now()
            )
    batch.flush()
    return len(events)


REACTS_TO = {
    EventKind.CREATED,
    EventKind.ASSIGNED,
    EventKind.REASSIGNED,
    EventKind.UNASSIGNED,
    EventKind.STATUS_CHANGED,
    EventKind.CONTACT_ATTEMPT,
    EventKind.APPOINTMENT_SET,
    EventKind.DELETED,
}


def tasks_for_events(events: list[LeadEvent]) -> None:
    ids = [e.pk for e in events if e.kind in REACTS_TO and e.pk is not None]
    if ids:
        from followup.tasks import react_to_events

        transaction.on_commit(lambda: react_to_events.delay(ids))


def step_kinds() -> list[tuple[str, str]]:
    return TaskKind.choices
