"""Dashboard milestones on the lead (first appointment set, first show, attempts until first
contact), filled for existing leads from their timelines."""

from django.db import migrations, models
from django.db.models import Count, Min, OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    LeadEvent = apps.get_model("leads", "LeadEvent")

    def first(condition):
        return Subquery(
            LeadEvent.objects.filter(condition, lead=OuterRef("pk"))
            .values("lead")
            .annotate(at=Min("occurred_at"))
            .values("at")[:1]
        )

    Lead._base_manager.update(
        appointment_set_at=first(Q(kind="appointment_set") | Q(status_to="appointment")),
        showed_at=first(
            Q(status_to="showed") | Q(status_from="appointment", status_to__in=["proposal", "sold"])
        ),
    )
    attempts = (
        LeadEvent.objects.filter(lead=OuterRef("pk"), kind="contact_attempt")
        .filter(Q(occurred_at__lte=OuterRef("first_contact_at")) | Q(lead__first_contact_at=None))
        .values("lead")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    Lead._base_manager.filter(first_attempt_at__isnull=False).update(
        attempts_until_contact=Subquery(attempts)
    )


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_ingestion")]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="appointment_set_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first appointment set"),
        ),
        migrations.AddField(
            model_name="lead",
            name="showed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first showed"),
        ),
        migrations.AddField(
            model_name="lead",
            name="attempts_until_contact",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="contact attempts until first contact"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
