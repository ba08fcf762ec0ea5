"""The insight engine's standard metrics as ready-made definitions, so targets can be set at once."""

from django.db import migrations

from cxkeeper.outcomes.standard_metrics import STANDARD, direction_of


def add(apps, schema_editor):
    MetricDefinition = apps.get_model("outcomes", "MetricDefinition")
    for key, name, base, description in STANDARD:
        MetricDefinition.objects.get_or_create(
            key=key, defaults={"name": name, "base": base, "description": description,
                               "direction": direction_of(base)})


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
