"""External sources: feedback that stays in a warehouse, whose rollups (and a small redacted
sample of verbatims) are synced into cxkeeper.

`ExternalCell` keeps, per source, exactly the cells the source added to the shared rollup
tables, so a re-sync or a removal subtracts exactly what was added (see `sync.py`)."""

from __future__ import annotations

from django.db import models

from cxkeeper.insights.models import RollupSums


class SyncStatus(models.TextChoices):
    NEVER = "never", "Not synced yet"
    RUNNING = "running", "Syncing"
    DONE = "done", "Synced"
    FAILED = "failed", "Last sync failed"


class ExternalSource(models.Model):
    """A feedback table in a warehouse engine, synced by day up to `watermark`."""

    name = models.CharField(max_length=120, unique=True)
    # An Ibis URL or `env:VARIABLE` naming the environment variable that holds it (keeps
    # passwords out of the database). Never shown on pages or in the API.
    engine = models.CharField(max_length=500)
    table = models.CharField(max_length=300)
    routes_table = models.CharField(max_length=300, blank=True,
                                    help_text="Table written by `route batch` (step and sentiment per id).")
    id_column = models.CharField(max_length=120, default="id")
    text_column = models.CharField(max_length=120, default="text")
    overlap_days = models.PositiveSmallIntegerField(default=2)
    sample_per_cell = models.PositiveSmallIntegerField(default=5)
    watermark = models.DateField(null=True, blank=True, help_text="Last day synced.")
    data_up_to = models.DateField(null=True, blank=True, help_text="Newest day with feedback in the table.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.NEVER)
    message = models.CharField(max_length=500, blank=True)
    rows = models.BigIntegerField(default=0, help_text="Feedback rows the synced cells count.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ExternalCell(RollupSums):
    """One step × day × channel × segment cell as the source added it to the shared rollups
    (`step_id` 0 = unrouted, `segment` "" = none, as in `FeedbackRollup`)."""

    source = models.ForeignKey(ExternalSource, on_delete=models.CASCADE, related_name="cells")
    step_id = models.BigIntegerField(default=0)
    day = models.DateField()
    channel = models.CharField(max_length=60)
    segment = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "step_id", "day", "channel", "segment"],
                                               name="external_cell_unique")]
        indexes = [models.Index(fields=["source", "day"])]


class ExternalSample(models.Model):
    """A redacted verbatim from the warehouse: at most `sample_per_cell` per step and day."""

    source = models.ForeignKey(ExternalSource, on_delete=models.CASCADE, related_name="samples")
    step_id = models.BigIntegerField(default=0)
    day = models.DateField()
    external_id = models.CharField(max_length=200)
    channel = models.CharField(max_length=60, blank=True)
    text = models.TextField()
    sentiment = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "external_id"]
        indexes = [models.Index(fields=["step_id", "day"]), models.Index(fields=["source", "day"])]
