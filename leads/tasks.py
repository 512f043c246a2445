from celery import shared_task

from dealers.models import Dealership
from leads import inbound_files, retention


@shared_task
def erase_past_retention() -> int:
    """Beat: each dealership with a retention period erases what is past it."""
    ids = Dealership.objects.filter(retention_months__isnull=False).values_list("pk", flat=True)
    return sum(retention.erase_past_retention(dealership_id=pk)["customers"] for pk in ids)


@shared_task
def sweep_unreferenced_message_files() -> int:
    """Beat: raw message files whose row was never written (leads.inbound_files)."""
    return inbound_files.sweep_unreferenced()
