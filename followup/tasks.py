from celery import shared_task

from followup import services


@shared_task
def react_to_events(event_ids: list[int]) -> int:
    return services.react(event_ids=event_ids)


@shared_task
def keep_next_actions() -> int:
    """Beat: missed cadence tasks bring their next step; leads without a next action get one."""
    return services.miss_overdue() + services.ensure_next_actions()


@shared_task
def send_appointment_invites(lead_id: int) -> int:
    from followup import ics

    return len(ics.send_invites(lead_id=lead_id))
