"""Writes people make to the queue: retrying a failed job (keepers and admins)."""

from __future__ import annotations

from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.jobs import queue
from cxkeeper.jobs.models import Job, JobStatus
from cxkeeper.jobs.permissions import require_keeper


def retry(job: Job, *, acting_user) -> Job:
    """Queue a failed job again now, with all its attempts afresh (recorded in the history)."""
    require_keeper(acting_user, "retry background work")
    before = {"status": job.status, "attempts": job.attempts}
    if not queue.retry(job):
        job.refresh_from_db()
        raise InvalidInput({"status": f"Only a failed job can be retried; this one is "
                                      f"{job.get_status_display().lower()}."})
    job.refresh_from_db()
    record_change(job, ChangeAction.UPDATE, before, {"status": job.status, "attempts": job.attempts}, acting_user)
    return job


__all__ = ["JobStatus", "retry"]
