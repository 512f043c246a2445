"""Website API tokens are kept as their SHA-256 only: the tokens already issued are hashed in
place (the websites keep using the token they have)."""

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    Source = apps.get_model("leads", "Source")
    for source in Source.objects.exclude(api_token="").only("pk", "api_token"):
        hashed = hashlib.sha256(source.api_token.encode()).hexdigest()
        Source.objects.filter(pk=source.pk).update(api_token=hashed)


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_inbound_envelope_sender")]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
