from celery import shared_task

from followup import services


@shared_task
def react_to_events(event_ids: list[int]) -> int:
    return services.react(event_ids=event_ids)


@shared_task
def miss_overdue_tasks() -> int:
    return services.miss_overdue()


@shared_task
def send_appointment_invites(lead_id: int) -> int:
    from followup import ics

    return len(ics.send_invites(lead_id=lead_id))
