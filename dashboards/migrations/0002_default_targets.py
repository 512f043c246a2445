"""The default targets, from dealer practice: own website 15% of leads to a sale, third-party
portals 13%, 36% of all leads to an appointment, online new-car leads 13%, online used-car leads
20%, phone leads 22%. Managers override them per dealership."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # (channel, condition, metric, value %)
    ("website", "", "sold", "15"),
    ("portal", "", "sold", "13"),
    ("", "", "appointment", "36"),
    ("online", "new", "sold", "13"),
    ("online", "used", "sold", "20"),
    ("phone", "", "sold", "22"),
]


def seed(apps, schema_editor):
    Target = apps.get_model("dashboards", "Target")
    for channel, condition, metric, value in DEFAULTS:
        Target.objects.get_or_create(
            dealership=None,
            source=None,
            channel=channel,
            lead_type="",
            condition=condition,
            metric=metric,
            defaults={"value": Decimal(value)},
        )


def unseed(apps, schema_editor):
    Target = apps.get_model("dashboards", "Target")
    for channel, condition, metric, _value in DEFAULTS:
        Target.objects.filter(
            dealership=None, source=None, channel=channel, lead_type="", condition=condition, metric=metric
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
