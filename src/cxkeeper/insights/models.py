"""Feedback, where it came from, how it was imported, and the rollups every figure reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cxkeeper.core.models import VersionedModel
from cxkeeper.insights.choices import JobStatus, RelearnStatus, RoutedBy, SourceKind


class FeedbackSource(VersionedModel):
    """An export or feed the organization already has: a survey, a helpdesk, app reviews, CRM."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    default_channel = models.CharField(max_length=60, blank=True)
    format = models.CharField(max_length=20, blank=True, help_text="csv, xlsx, jsonl, parquet, qualtrics, zendesk")
    mapping = models.JSONField(default=dict, blank=True, help_text="Saved column mapping for this source.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    """One import of one file. `rows_done` is the watermark: every data row up to it is
    committed (imported, skipped as duplicate or rejected), so a crashed job resumes after it."""

    source = models.ForeignKey(FeedbackSource, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(max_length=300)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=20)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    redactions = models.JSONField(default=dict, blank=True)
    # What the import changed beyond its own rows (import_jobs watchers): the watched state
    # before its first row while it runs, then {"changes": [{"what", "before", "after"}, …]}.
    effects = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Which process works on the job ("web host:pid" or "cli host:pid") and when it last said
    # so: with several server processes the database, not a process's memory, says whether a
    # running job is alive (insights.heartbeats) and who may take it over.
    runner = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.filename} → {self.source}"

    @property
    def summary(self) -> dict:
        return {"job": self.pk, "status": self.status, "imported": self.imported, "duplicates": self.duplicates,
                "rejected": self.rejected, "redactions": self.redactions, "rows_done": self.rows_done,
                "status_changes": self.status_changes}

    @property
    def status_changes(self) -> list[dict]:
        """Targets whose status the import moved, each {"what", "before", "after"} (after it finished)."""
        return list((self.effects or {}).get("changes", []))


class ImportRowError(models.Model):
    """A rejected row: the file, row, column, value and reason, for the downloadable report."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=200, blank=True)
    value = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["job", "row", "id"]


class Feedback(models.Model):
    """One piece of customer feedback, PII-redacted, routed to the journey step it is about."""

    source = models.ForeignKey(FeedbackSource, on_delete=models.PROTECT, related_name="feedback")
    external_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=60, db_index=True)
    customer_hash = models.CharField(max_length=64, blank=True, db_index=True,
                                     help_text="Keyed hash of the customer id: erasable, never reversible.")
    segment = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_max = models.PositiveSmallIntegerField(null=True, blank=True)
    ces = models.PositiveSmallIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=40, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    # PROTECT: a deleted step is announced and its feedback unrouted with its rollup cells
    # (actions.unroute_feedback_at_step); a silent SET NULL would leave the cells behind.
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="feedback")
    routing_confidence = models.FloatField(null=True, blank=True)
    routed_by = models.CharField(max_length=10, choices=RoutedBy.choices, blank=True, default=RoutedBy.NONE)
    sentiment = models.FloatField(null=True, blank=True)
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "feedback"
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="feedback_unique_per_source")]
        indexes = [models.Index(fields=["step", "received_at"]),
                   models.Index(fields=["routed_by", "routing_confidence"])]

    def __str__(self):
        return f"{self.source}: {self.external_id}"


class RollupSums(models.Model):
    """The additive partial sums of a rollup cell (see docs/insights-analytics.md)."""

    n = models.BigIntegerField(default=0)
    nps_n = models.BigIntegerField(default=0)
    promoters = models.BigIntegerField(default=0)
    detractors = models.BigIntegerField(default=0)
    csat_n = models.BigIntegerField(default=0)
    csat_top = models.BigIntegerField(default=0)
    ces_n = models.BigIntegerField(default=0)
    ces_sum = models.BigIntegerField(default=0)
    ces_sumsq = models.BigIntegerField(default=0)
    ces_easy = models.BigIntegerField(default=0)
    sentiment_n = models.BigIntegerField(default=0)
    sentiment_sum = models.FloatField(default=0)
    sentiment_sumsq = models.FloatField(default=0)
    negative_n = models.BigIntegerField(default=0)
    churn_n = models.BigIntegerField(default=0)
    renewal_n = models.BigIntegerField(default=0)
    complaint_n = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class FeedbackRollup(RollupSums):
    """Partial sums per step × day × channel × segment, maintained on every import, correction
    and erasure. Every figure on every page is computed from these, never from raw feedback.
    `step_id` 0 is "unrouted" and `segment` "" is "no segment", so the grain has no NULL keys."""

    step_id = models.BigIntegerField(default=0)
    day = models.DateField()
    channel = models.CharField(max_length=60)
    segment = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step_id", "day", "channel", "segment"],
                                               name="rollup_cell_unique")]
        indexes = [models.Index(fields=["day", "step_id"])]

    def __str__(self):
        return f"step {self.step_id} {self.day} {self.channel}/{self.segment}: n={self.n}"


class StepDayRollup(RollupSums):
    """The same sums per step × day only (channels and segments added up): what the heatmap,
    trends, team figures and friction read, so their cost depends on steps × days, not on
    how many channels and segments the feedback spreads over. Maintained with FeedbackRollup."""

    step_id = models.BigIntegerField(default=0)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step_id", "day"], name="step_day_rollup_unique")]
        indexes = [models.Index(fields=["day", "step_id"])]

    def __str__(self):
        return f"step {self.step_id} {self.day}: n={self.n}"


class StepMonthRollup(RollupSums):
    """The same sums per step × month × channel × segment (`month` is the 1st): the channel and
    segment splits of one step over months read a month's cells instead of its days', so the
    step page reads ~30× fewer fine cells for whole months and day cells only at the period's
    ragged ends. Maintained with FeedbackRollup (same upsert), same sentinel keys."""

    step_id = models.BigIntegerField(default=0)
    month = models.DateField()
    channel = models.CharField(max_length=60)
    segment = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step_id", "month", "channel", "segment"],
                                               name="step_month_rollup_unique")]

    def __str__(self):
        return f"step {self.step_id} {self.month:%Y-%m} {self.channel}/{self.segment}: n={self.n}"


class FieldRollup(models.Model):
    """Sums of a custom declared numeric field (`Feedback.metrics`) per step × day × field: n, Σx
    and Σx², for its mean with a t interval (see `analytics/fields.py`). Maintained with the
    other rollups on every import, correction and erasure; `step_id` 0 is "unrouted"."""

    step_id = models.BigIntegerField(default=0)
    day = models.DateField()
    field = models.CharField(max_length=100)
    n = models.BigIntegerField(default=0)
    value_sum = models.FloatField(default=0)
    value_sumsq = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step_id", "day", "field"], name="field_rollup_unique")]
        indexes = [models.Index(fields=["field", "day"])]

    def __str__(self):
        return f"step {self.step_id} {self.day} {self.field}: n={self.n}"


class RouterModel(models.Model):
    """A trained step router, stored in the database so every web worker uses the same one."""

    created_at = models.DateTimeField(auto_now_add=True)
    blob = models.BinaryField()
    n_examples = models.PositiveIntegerField()
    n_labels = models.PositiveIntegerField()
    n_corrections = models.PositiveIntegerField(default=0)
    threshold = models.FloatField()
    cv_accuracy = models.FloatField(null=True, blank=True)
    cv_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"


class SentimentModelRecord(models.Model):
    """Which sentiment model scores new feedback: VADER, or one learned from the organization's
    own scored text when it measured better on held-out feedback (both accuracies kept)."""

    created_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=20)  # "vader" or "learned"
    blob = models.BinaryField(null=True, blank=True)
    scale = models.CharField(max_length=10, default="nps")
    vader_accuracy = models.FloatField(null=True, blank=True)
    learned_accuracy = models.FloatField(null=True, blank=True)
    n_labelled = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-created_at", "-id"]


class RelearnRun(models.Model):
    """One background "learn from the corrections" run (see `insights.relearn`): requested by
    a correction, started after a short quiet period, it retrains the router and re-routes the
    stored items no person or rule placed. The review page reads the latest row to say
    "learning from your corrections…" and how the routed share moved."""

    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RelearnStatus.choices, default=RelearnStatus.WAITING)
    corrections = models.PositiveIntegerField(default=0, help_text="Corrections the router learned from.")
    rerouted = models.PositiveIntegerField(default=0, help_text="Stored items whose step changed.")
    routed_share_before = models.FloatField(null=True, blank=True)
    routed_share_after = models.FloatField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    # The process running it and its last sign of life: one run at a time across processes.
    runner = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
