"""Reads of the queue, in the words people see: what each job is, how far it got, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from cxkeeper.jobs.models import Job, JobStatus
from cxkeeper.jobs.registry import load_tasks, title_of

RECENT = 100


@dataclass(frozen=True)
class JobRow:
    id: int
    task: str
    title: str
    status: str
    status_label: str
    state: str  # the status in a sentence: "Waiting to retry at 14:05 (attempt 2 of 5)"
    attempts: int
    max_attempts: int
    progress_done: int
    progress_total: int | None
    share_done: float | None  # 0..1 when the total is known
    stage: str
    last_error: str
    created_at: datetime
    run_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    can_retry: bool


def _state(job: Job, now: datetime) -> str:
    if job.status == JobStatus.QUEUED:
        if job.run_at > now and job.attempts:
            return (f"Waiting to try again at {timezone.localtime(job.run_at):%H:%M:%S} "
                    f"(attempt {job.attempts + 1} of {job.max_attempts})")
        if job.run_at > now:
            return f"Waiting until {timezone.localtime(job.run_at):%Y-%m-%d %H:%M}"
        return "Waiting for a worker"
    if job.status == JobStatus.RUNNING:
        return f"Running (attempt {job.attempts} of {job.max_attempts})"
    if job.status == JobStatus.DONE:
        return "Done" if job.attempts <= 1 else f"Done after {job.attempts} attempts"
    return f"Failed after {job.attempts} attempt{'s' if job.attempts != 1 else ''}"


def row(job: Job, now: datetime | None = None) -> JobRow:
    load_tasks()  # the titles of tasks declared in modules this process has not imported yet
    now = now or timezone.now()
    total = job.progress_total
    share = min(1.0, job.progress_done / total) if total else None
    return JobRow(id=job.pk, task=job.task, title=title_of(job.task), status=job.status,
                  status_label=job.get_status_display(), state=_state(job, now), attempts=job.attempts,
                  max_attempts=job.max_attempts, progress_done=job.progress_done, progress_total=total,
                  share_done=share, stage=job.stage, last_error=job.last_error, created_at=job.created_at,
                  run_at=job.run_at, started_at=job.started_at, finished_at=job.finished_at,
                  can_retry=job.status == JobStatus.FAILED)


def recent(*, status: str | None = None, limit: int = RECENT) -> list[JobRow]:
    """The newest jobs first (all of them waiting or running, then the latest finished ones)."""
    jobs = Job.objects.all()
    if status:
        jobs = jobs.filter(status=status)
    now = timezone.now()
    return [row(job, now) for job in jobs.order_by("-id")[:limit]]


def jobs_queryset(status: str | None = None):
    jobs = Job.objects.order_by("-id")
    return jobs.filter(status=status) if status else jobs


def counts() -> dict[str, int]:
    found = dict(Job.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: found.get(status, 0) for status in JobStatus.values}


def one(pk: int) -> Job | None:
    return Job.objects.filter(pk=pk).first()
