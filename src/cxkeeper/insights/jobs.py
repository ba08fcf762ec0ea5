"""Imports started from the web run in a background thread of the web process, so the
embedded default needs no job server; the page polls the job row for progress. A job that
was running when the process stopped keeps its watermark and can be resumed."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.ingest import Mapping
from cxkeeper.insights.models import ImportJob

log = logging.getLogger(__name__)
_running: dict[int, threading.Thread] = {}


def _work(job_id: int, mapping: dict | None) -> None:
    from cxkeeper.insights import actions, pipeline

    close_old_connections()
    try:
        job = ImportJob.objects.get(pk=job_id)
        chosen = Mapping.from_dict(mapping, source="import form") if mapping else None
        pipeline.run_import(job, chunk_rows=pipeline.DEFAULT_CHUNK, mapping=chosen)
    except Exception as exc:  # the thread must record every failure, or the page would wait forever
        log.exception("import job %s failed", job_id)
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None:
            actions.finish_job(job, status=JobStatus.FAILED, message=f"The import stopped: {exc}")
    finally:
        _running.pop(job_id, None)
        connection.close()


def start_in_background(job: ImportJob, mapping: dict | None = None) -> threading.Thread:
    thread = threading.Thread(target=_work, args=(job.pk, mapping), name=f"import-{job.pk}", daemon=True)
    _running[job.pk] = thread
    thread.start()
    return thread


def is_running_here(job: ImportJob) -> bool:
    thread = _running.get(job.pk)
    return bool(thread and thread.is_alive())


def interrupted(job: ImportJob) -> bool:
    """Marked running but no thread of this process works on it: the process was stopped."""
    return job.status == JobStatus.RUNNING and not is_running_here(job)
