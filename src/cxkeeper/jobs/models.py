"""The queue's rows: one `Job` per piece of background work, one `ScheduleState` per
repeated task (when it is next due). Written only by `jobs.queue`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    task = models.CharField(max_length=100)  # the stable name given to @task
    kwargs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)  # runs started (a run a worker died in counts)
    max_attempts = models.PositiveIntegerField(default=5)
    run_at = models.DateTimeField()  # not before
    leased_until = models.DateTimeField(null=True, blank=True)  # a running job's worker renews it
    worker = models.CharField(max_length=120, blank=True)  # "worker host:pid" of the run
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=200, blank=True)  # in plain words: "Importing rows"
    last_error = models.CharField(max_length=500, blank=True)  # one line
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "run_at"], name="jobs_due")]
        constraints = [
            # At most one waiting or running job per dedupe key (e.g. one import run per import).
            models.UniqueConstraint(fields=["dedupe_key"], condition=Q(status__in=["queued", "running"]),
                                    name="jobs_one_active_per_key"),
        ]

    def __str__(self) -> str:
        from cxkeeper.jobs.registry import title_of

        return f"Background job {self.pk}: {title_of(self.task)}"


class ScheduleState(models.Model):
    """When a repeated task (`jobs.schedule`) is next due. Moving `next_run_at` on is one
    conditional update, and only the worker whose update succeeds queues the run."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at}"
