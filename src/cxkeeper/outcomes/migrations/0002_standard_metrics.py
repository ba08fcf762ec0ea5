"""The insight engine's standard metrics as ready-made definitions, so targets can be set at once."""

from django.db import migrations

STANDARD = [
    ("nps", "NPS", "nps", "Net Promoter Score: % promoters (9–10) − % detractors (0–6)."),
    ("csat", "CSAT", "csat", "% of satisfaction answers in the top two of the scale."),
    ("ces", "Customer effort (CES)", "ces", "Mean effort score on 1–7, where 7 means very easy."),
    ("ces-easy", "% easy", "ces_easy", "% of effort answers of 5 or more."),
    ("sentiment", "Sentiment", "sentiment", "Mean sentiment of feedback texts, −1 to 1."),
    ("churn", "Churn", "churn_rate", "% of renewal decisions that were churn."),
    ("retention", "Retention", "retention_rate", "% of renewal decisions that renewed."),
    ("complaints", "Complaints", "complaint_share", "% of feedback that is a complaint."),
]
DIRECTION = {"churn_rate": "down", "complaint_share": "down"}


def add(apps, schema_editor):
    MetricDefinition = apps.get_model("outcomes", "MetricDefinition")
    for key, name, base, description in STANDARD:
        MetricDefinition.objects.get_or_create(
            key=key, defaults={"name": name, "base": base, "description": description,
                               "direction": DIRECTION.get(base, "up")})


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
