"""The queue on the workspace database, and the only code that writes its rows.

    queued ──claim──► running ──► done
      ▲                 │
      └── retry (backoff) / lease expired ──┘──► failed (after max_attempts, or `GiveUp`)

* `add` — a queued job, in the caller's transaction: others see it when that commits, and a
  rolled-back transaction queues nothing. A dedupe key keeps one waiting-or-running job per key.
* `claim` — a worker takes the oldest due job: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL,
  a conditional `UPDATE … WHERE status = 'queued'` on SQLite (whose writers take turns), so of
  two workers exactly one gets each job. The worker holds a lease (`lease_seconds()`), renewed
  by `renew` while the job runs; `requeue_expired` queues again a job whose worker died (kill -9,
  power cut) once its lease has run out — or fails it, when that was its last attempt.
* `finish` / `failed_run` — done; or queued again after `backoff(attempts)`, or failed with the
  error in one line. Each write names the run (worker and attempt), so a run whose lease was
  taken away writes nothing.
* `materialise_schedules` — a repeated task that is due becomes one queued job: its
  `ScheduleState.next_run_at` is moved on by a conditional update, and only the worker whose
  update succeeded queues the run, in the same transaction.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from cxkeeper.jobs.models import ACTIVE, Job, JobStatus, ScheduleState
from cxkeeper.jobs.registry import SCHEDULES, TASKS, Schedule

log = logging.getLogger(__name__)
MAX_BACKOFF = 3600.0


def lease_seconds() -> float:
    return float(getattr(settings, "CXKEEPER_JOBS_LEASE_SECONDS", 60))


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: base × 2^(attempts − 1), at most an hour."""
    base = float(getattr(settings, "CXKEEPER_JOBS_BACKOFF_SECONDS", 10))
    return min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1))


def worker_id(kind: str = "worker") -> str:
    return f"{kind} {socket.gethostname()}:{os.getpid()}"[:120]


def one_line(text: str, limit: int = 500) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def add(name: str, kwargs: dict, *, run_at: datetime | None = None, dedupe_key: str | None = None,
        max_attempts: int | None = None) -> tuple[int, bool]:
    """Queue `name`; (the job id, True) — or, when a job with `dedupe_key` is already waiting or
    running, (its id, False)."""
    now = timezone.now()
    fn = TASKS.get(name)
    attempts = max_attempts or getattr(fn, "max_attempts", 5)
    row = Job(task=name, kwargs=kwargs, run_at=run_at or now, created_at=now, max_attempts=attempts,
              dedupe_key=dedupe_key)
    if dedupe_key is None:
        row.save()
        return row.pk, True
    try:
        with transaction.atomic():
            row.save()
        return row.pk, True
    except IntegrityError:
        existing = Job.objects.filter(dedupe_key=dedupe_key, status__in=ACTIVE).values_list("pk", flat=True).first()
        if existing is None:  # it finished between the two statements: queue this one after all
            return add(name, kwargs, run_at=run_at, dedupe_key=dedupe_key, max_attempts=max_attempts)
        return existing, False


def claim(worker: str, *, now: datetime | None = None) -> Job | None:
    """The oldest due job, now running for `worker` with a fresh lease; None when none is due."""
    now = now or timezone.now()
    taken = {"status": JobStatus.RUNNING, "attempts": F("attempts") + 1, "worker": worker, "started_at": now,
             "heartbeat_at": now, "leased_until": now + timedelta(seconds=lease_seconds()), "finished_at": None}
    due = Job.objects.filter(status=JobStatus.QUEUED, run_at__lte=now).order_by("run_at", "id")
    if connection.vendor == "postgresql":
        with transaction.atomic():
            pk = due.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if pk is None:
                return None
            Job.objects.filter(pk=pk).update(**taken)
        return Job.objects.get(pk=pk)
    for pk in list(due.values_list("pk", flat=True)[:20]):
        if Job.objects.filter(pk=pk, status=JobStatus.QUEUED, run_at__lte=now).update(**taken):
            return Job.objects.get(pk=pk)
    return None


def _this_run(job: Job):
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker, attempts=job.attempts)


def renew(job: Job) -> bool:
    """Extend the run's lease (its worker is alive); False when the run was taken away."""
    now = timezone.now()
    return bool(_this_run(job).update(heartbeat_at=now, leased_until=now + timedelta(seconds=lease_seconds())))


def progress(job: Job, *, done: int | None = None, total: int | None = None, stage: str | None = None) -> None:
    values: dict = {}
    if done is not None:
        values["progress_done"] = int(done)
    if total is not None:
        values["progress_total"] = int(total)
    if stage is not None:
        values["stage"] = one_line(stage, 200)
    if values:
        _this_run(job).update(**values)


def finish(job: Job) -> bool:
    now = timezone.now()
    return bool(_this_run(job).update(status=JobStatus.DONE, finished_at=now, leased_until=None,
                                      heartbeat_at=now))


def failed_run(job: Job, error: str, *, give_up: bool = False) -> str:
    """The run raised `error`: queued again after the backoff, or failed for good (the last
    attempt, or `give_up`). Returns the status written ("" when the run was taken away)."""
    now = timezone.now()
    message = one_line(error)
    if give_up or job.attempts >= job.max_attempts:
        written = _this_run(job).update(status=JobStatus.FAILED, last_error=message, finished_at=now,
                                        leased_until=None)
        return JobStatus.FAILED if written else ""
    written = _this_run(job).update(status=JobStatus.QUEUED, last_error=message, leased_until=None,
                                    run_at=now + timedelta(seconds=backoff(job.attempts)))
    return JobStatus.QUEUED if written else ""


def later(job: Job, seconds: float) -> bool:
    """The task asked to run again later (`RunLater`): queued, this run not counted."""
    return bool(_this_run(job).update(status=JobStatus.QUEUED, attempts=F("attempts") - 1, leased_until=None,
                                      run_at=timezone.now() + timedelta(seconds=max(0.0, seconds))))


def release(job: Job) -> bool:
    """A stopping worker hands back a run it could not finish: queued at once, not counted."""
    return later(job, 0)


def requeue_expired(*, now: datetime | None = None) -> int:
    """Jobs whose worker stopped renewing their lease (it died): queued again, or failed if that
    was their last attempt. Each is one conditional update, so two workers cannot both move it."""
    now = now or timezone.now()
    moved = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, leased_until__lt=now):
        stale = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts,
                                   leased_until__lt=now)
        stopped = f"The worker running it stopped ({job.worker}) during attempt {job.attempts}."
        if job.attempts >= job.max_attempts:
            moved += stale.update(status=JobStatus.FAILED, last_error=one_line(stopped), finished_at=now,
                                  leased_until=None)
        else:
            moved += stale.update(status=JobStatus.QUEUED, last_error=one_line(stopped), leased_until=None,
                                  run_at=now)
    if moved:
        log.warning("%s job(s) whose worker stopped were queued again", moved)
    return moved


def prune(*, now: datetime | None = None) -> int:
    """Forget done jobs finished more than CXKEEPER_JOBS_KEEP_DAYS (30) days ago (failed ones
    stay until someone retries them, or for twice as long)."""
    now = now or timezone.now()
    days = float(getattr(settings, "CXKEEPER_JOBS_KEEP_DAYS", 30))
    done = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=now - timedelta(days=days))
    failed = Job.objects.filter(status=JobStatus.FAILED, finished_at__lt=now - timedelta(days=2 * days))
    return done.delete()[0] + failed.delete()[0]


def retry(job: Job) -> bool:
    """A failed job queued again now, with its attempts counted afresh (a person asked)."""
    return bool(Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, attempts=0, run_at=timezone.now(), finished_at=None, leased_until=None))


def next_slot(entry: Schedule, after: datetime) -> datetime:
    """The first time strictly after `after` the schedule is due (local time of day, weekday)."""
    if entry.at is None:
        return after + entry.every
    local = timezone.localtime(after)
    slot = local.replace(hour=entry.at.hour, minute=entry.at.minute, second=entry.at.second, microsecond=0)
    if entry.weekday is not None:
        slot += timedelta(days=(entry.weekday - slot.weekday()) % 7)
    step = entry.every if entry.every > timedelta(0) else timedelta(days=1)
    while slot <= local:
        slot += step
    return slot


def first_slot(entry: Schedule, now: datetime) -> datetime:
    """When a schedule seen for the first time is due: its next slot (for "every N": N from now)."""
    return next_slot(entry, now - timedelta(microseconds=1)) if entry.at is not None else now + entry.every


def materialise_schedules(*, now: datetime | None = None) -> list[int]:
    """Queue one job for each schedule due now; returns their ids. Safe with several workers:
    the move of `next_run_at` is conditional, and the job is queued in the same transaction."""
    now = now or timezone.now()
    queued = []
    for name, entry in list(SCHEDULES.items()):
        state = ScheduleState.objects.filter(name=name).first()
        if state is None:
            try:
                with transaction.atomic():
                    state = ScheduleState.objects.create(name=name, next_run_at=first_slot(entry, now))
            except IntegrityError:  # another worker created it a moment ago
                state = ScheduleState.objects.get(name=name)
        if state.next_run_at > now:
            continue
        with transaction.atomic():
            if not ScheduleState.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
                    next_run_at=next_slot(entry, now)):
                continue  # another worker queued this run
            pk, _ = add(entry.task_name, {}, run_at=now, dedupe_key=f"schedule:{name}")
            ScheduleState.objects.filter(pk=state.pk).update(last_job_id=pk)
        queued.append(pk)
    return queued
