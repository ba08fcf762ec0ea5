"""Running one claimed job in this thread: the task's outcome written back to its row
(`queue.finish` / `failed_run` / `later`), and the job the thread is running known to
`jobs.progress`."""

from __future__ import annotations

import logging
import threading

from django.db import connection, transaction

from cxkeeper.jobs import queue
from cxkeeper.jobs.errors import GiveUp, RunLater
from cxkeeper.jobs.models import Job, JobStatus
from cxkeeper.jobs.registry import TASKS

log = logging.getLogger(__name__)
_current = threading.local()


def current() -> Job | None:
    return getattr(_current, "job", None)


def execute(job: Job) -> str:
    """Run the claimed `job`'s task; returns the status its row was left in."""
    fn = TASKS.get(job.task)
    if fn is None:
        return queue.failed_run(job, f"This version of cxkeeper has no task called “{job.task}”.", give_up=True)
    _current.job = job
    try:
        if connection.in_atomic_block:  # the caller's transaction (tests): a failing task rolls back only itself
            with transaction.atomic():
                fn(**job.kwargs)
        else:
            fn(**job.kwargs)
    except RunLater as wait:
        queue.later(job, wait.seconds)
        return JobStatus.QUEUED
    except GiveUp as exc:
        return queue.failed_run(job, str(exc) or "The task gave up.", give_up=True)
    except Exception as exc:  # every failure is written on the row: retried, or failed with its message
        log.exception("job %s (%s) failed on attempt %s", job.pk, job.task, job.attempts)
        return queue.failed_run(job, f"{type(exc).__name__}: {exc}")
    finally:
        _current.job = None
    return JobStatus.DONE if queue.finish(job) else ""
