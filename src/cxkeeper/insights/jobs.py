"""Imports started from the web run in a background thread of a web process, so the
embedded default needs no job server; the page polls the job row for progress.

`start` and `resume` are the actions the import pages call: they check the permission, claim
the job (`import_jobs.claim`: one conditional update in the database, so one thread of one
process per job, however often the button is pressed and however many server processes run)
and start the thread. The job's states move only through `import_jobs`.

A job keeps a heartbeat while it runs (`insights.heartbeats`). When its process stops — a
restart, a crash, a worker the server replaced — the job keeps its watermark, and
`watch_orphans` (a thread in every server process) notices the silence and resumes the job in
one of the processes still running, after the watermark, with the mapping it started with.
The same watcher restarts learning from corrections whose process stopped (`relearn.recover`).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import close_old_connections, connection

from cxkeeper.insights import actions, heartbeats, import_jobs, pipeline, relearn
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.ingest import Mapping
from cxkeeper.insights.models import ImportJob

log = logging.getLogger(__name__)
_running: dict[int, threading.Thread] = {}
_claiming = threading.Lock()  # claiming a job and starting its thread, as one step in this process
_watching_in: int | None = None  # the process id whose watcher runs (a forked worker starts its own)


def web_runner() -> str:
    return heartbeats.runner_id("web")


def _work(job_id: int, mapping: dict | None, runner: str) -> None:
    close_old_connections()
    try:
        job = ImportJob.objects.get(pk=job_id)
        chosen = Mapping.from_dict(mapping, source="import form") if mapping else None
        pipeline.run_import(job, chunk_rows=pipeline.DEFAULT_CHUNK, mapping=chosen, runner=runner)
    except import_jobs.JobTakenOver:
        log.warning("import job %s was taken over by another process; this thread stops", job_id)
    except Exception as exc:  # the thread must record every failure, or the page would wait forever
        log.exception("import job %s failed", job_id)
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status != JobStatus.DONE and job.runner == runner:
            import_jobs.fail(job, f"The import stopped: {exc}")
    finally:
        _running.pop(job_id, None)
        connection.close()


def _in_background(job: ImportJob, mapping: dict | None) -> threading.Thread:
    thread = threading.Thread(target=_work, args=(job.pk, mapping, job.runner), name=f"import-{job.pk}",
                              daemon=True)
    _running[job.pk] = thread
    thread.start()
    return thread


def _mapping_of(job: ImportJob) -> dict | None:
    """The mapping the job started with, else its source's saved one."""
    return (job.options or {}).get("mapping") or job.source.mapping or None


def start(job: ImportJob, mapping: dict | None = None, *, acting_user) -> bool:
    """Start a queued import in the background with `mapping` (a `Mapping.to_dict()`); False
    when it has already started."""
    actions.require_import(acting_user)
    with _claiming:
        if not import_jobs.claim(job, resume=False, runner=web_runner(), mapping=mapping):
            return False
        _in_background(job, mapping)
    return True


def resume(job: ImportJob, *, acting_user) -> bool:
    """Continue a failed or interrupted import in the background, after its watermark, with
    the mapping it started with; False when it is neither (finished, or running somewhere)."""
    actions.require_import(acting_user)
    return _resume(job)


def _resume(job: ImportJob) -> bool:
    with _claiming:
        if not import_jobs.claim(job, resume=True, runner=web_runner()):
            return False
        _in_background(job, _mapping_of(job))
    return True


def is_running_here(job: ImportJob) -> bool:
    thread = _running.get(job.pk)
    return bool(thread and thread.is_alive())


def interrupted(job: ImportJob) -> bool:
    """Marked running, but its process has stopped giving signs of life."""
    return import_jobs.is_interrupted(job)


def adopt_orphans() -> list[int]:
    """Resume here every import a web process started whose process stopped; the claim makes
    sure only one process takes each. (Imports the CLI started are left to the person who ran
    it: `cxkeeper import feedback --resume JOB`.) Returns the job ids taken."""
    taken = []
    orphans = ImportJob.objects.filter(import_jobs.interrupted(), runner__startswith="web ").select_related("source")
    for job in orphans:
        if _resume(job):
            log.warning("import job %s: its process stopped; resumed after row %s", job.pk, job.rows_done)
            taken.append(job.pk)
    return taken


def watch_orphans() -> None:
    """Start, once per process, a thread that resumes stopped imports and learning (above).
    Started by `cxkeeper serve` in every server process."""
    global _watching_in
    with _claiming:
        if _watching_in == os.getpid():
            return
        _watching_in = os.getpid()
    threading.Thread(target=_watch, name="watch-orphans", daemon=True).start()


def _watch() -> None:
    while True:
        try:
            close_old_connections()
            adopt_orphans()
            relearn.recover()
        except Exception:  # the watcher must keep watching; the next round tries again
            log.exception("looking for background work whose process stopped failed")
        finally:
            connection.close()
        time.sleep(1.5 * heartbeats.every())  # a stopped job waits at most 7.5 beats
