"""Imports started from the web run in a background thread of the web process, so the
embedded default needs no job server; the page polls the job row for progress. A job that
was running when the process stopped keeps its watermark and can be resumed.

`start` and `resume` are the actions the import pages call: they check the permission, claim
the job (`import_jobs.claim`: one thread per job, however often the button is pressed) and
start the thread. The job's states move only through `import_jobs`."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from cxkeeper.insights import actions, import_jobs, pipeline
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.ingest import Mapping
from cxkeeper.insights.models import ImportJob

log = logging.getLogger(__name__)
_running: dict[int, threading.Thread] = {}
_claiming = threading.Lock()  # "is a thread of this process on it?" and starting one, as one step


def _work(job_id: int, mapping: dict | None) -> None:
    close_old_connections()
    try:
        job = ImportJob.objects.get(pk=job_id)
        chosen = Mapping.from_dict(mapping, source="import form") if mapping else None
        pipeline.run_import(job, chunk_rows=pipeline.DEFAULT_CHUNK, mapping=chosen)
    except Exception as exc:  # the thread must record every failure, or the page would wait forever
        log.exception("import job %s failed", job_id)
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status != JobStatus.DONE:
            import_jobs.fail(job, f"The import stopped: {exc}")
    finally:
        _running.pop(job_id, None)
        connection.close()


def _in_background(job: ImportJob, mapping: dict | None) -> threading.Thread:
    thread = threading.Thread(target=_work, args=(job.pk, mapping), name=f"import-{job.pk}", daemon=True)
    _running[job.pk] = thread
    thread.start()
    return thread


def start(job: ImportJob, mapping: dict | None = None, *, acting_user) -> bool:
    """Start a queued import in the background with `mapping` (a `Mapping.to_dict()`); False
    when it has already started."""
    actions.require_import(acting_user)
    with _claiming:
        if not import_jobs.claim(job, resume=False):
            return False
        _in_background(job, mapping)
    return True


def resume(job: ImportJob, *, acting_user) -> bool:
    """Continue a failed or interrupted import in the background, after its watermark, with
    the source's saved mapping; False when it is neither (finished, or running here)."""
    actions.require_import(acting_user)
    with _claiming:
        job.refresh_from_db(fields=["status"])
        if not (job.status == JobStatus.FAILED or interrupted(job)) or not import_jobs.claim(job, resume=True):
            return False
        _in_background(job, job.source.mapping or None)
    return True


def is_running_here(job: ImportJob) -> bool:
    thread = _running.get(job.pk)
    return bool(thread and thread.is_alive())


def interrupted(job: ImportJob) -> bool:
    """Marked running but no thread of this process works on it: the process was stopped."""
    return job.status == JobStatus.RUNNING and not is_running_here(job)
