"""Imports started from the web run on the job queue (`cxkeeper.jobs`, decision 0039), in the
`cxkeeper worker` process that `cxkeeper serve` starts beside the web server; the page polls the
import's row for progress, and the Background work page shows the queue's job.

`start` and `resume` are the actions the import pages call: they check the permission, claim
the import (`import_jobs.claim`: one conditional update, so one run per import however often
the button is pressed and however many server processes there are) for the queue
(`import_jobs.QUEUE` as its runner) and queue the task `insights.import`, in one transaction —
the worker sees the job once the claim is committed. The task takes the import over from the
queue, under the worker's own runner name, and runs the pipeline with a heartbeat on the row.

When the worker dies mid-import (kill -9, a restart), the queue job's lease runs out and the
queue runs the task again: it resumes the import after its watermark, with the mapping it
started with (`import_jobs.claim(resume=True)` accepts a run whose process stopped). A file
that cannot be imported fails the import (the person may resume it) and the queue job with it,
without more attempts. Imports a web process of an earlier version was running, and imports
whose queue job ran out of attempts, are resumed by `adopt_orphans`, every few minutes
(the schedule `insights.recover`), with the learning runs whose process stopped
(`relearn.recover`). CLI imports are left to the person who ran them: `--resume JOB`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from cxkeeper import jobs as queue
from cxkeeper.insights import actions, heartbeats, import_jobs, pipeline, relearn
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.ingest import Mapping
from cxkeeper.insights.models import ImportJob

log = logging.getLogger(__name__)
TASK = "insights.import"


def _key(job: ImportJob) -> str:
    return f"{TASK}:{job.pk}"


def _mapping_of(job: ImportJob) -> dict | None:
    """The mapping the job started with, else its source's saved one."""
    return (job.options or {}).get("mapping") or job.source.mapping or None


def _in_background(job: ImportJob, mapping: dict | None = None) -> int:
    """Queue the import's run (one waiting or running queue job per import); returns its id."""
    return queue.enqueue_once(_key(job), TASK, import_job=job.pk)[0]


def start(job: ImportJob, mapping: dict | None = None, *, acting_user) -> bool:
    """Start a queued import in the background with `mapping` (a `Mapping.to_dict()`); False
    when it has already started."""
    actions.require_import(acting_user)
    with transaction.atomic():
        if not import_jobs.claim(job, resume=False, runner=import_jobs.QUEUE, mapping=mapping):
            return False
        _in_background(job, mapping)
    return True


def resume(job: ImportJob, *, acting_user) -> bool:
    """Continue a failed or interrupted import in the background, after its watermark, with
    the mapping it started with; False when it is neither (finished, or running somewhere)."""
    actions.require_import(acting_user)
    return _resume(job)


def _resume(job: ImportJob) -> bool:
    if queued_run(job):
        return False  # the queue will run (or is running) it
    with transaction.atomic():
        if not import_jobs.claim(job, resume=True, runner=import_jobs.QUEUE):
            return False
        _in_background(job)
    return True


def queued_run(job: ImportJob) -> bool:
    """Whether a queue job waits to run the import, or runs it."""
    from cxkeeper.jobs.models import ACTIVE, Job

    return Job.objects.filter(dedupe_key=_key(job), status__in=ACTIVE).exists()


def interrupted(job: ImportJob) -> bool:
    """Marked running, but its process has stopped giving signs of life, and the queue will
    not run it again by itself (it shows a Resume button)."""
    return import_jobs.is_interrupted(job) and not queued_run(job)


def adopt_orphans() -> list[int]:
    """Resume every import a web process or a worker was running when it stopped and that no
    queue job will run again; the claim makes sure only one process takes each. (Imports the
    CLI started are left to the person who ran it: `cxkeeper import feedback --resume JOB`.)
    Returns the import ids queued."""
    taken = []
    orphans = (ImportJob.objects.filter(import_jobs.interrupted()).exclude(runner__startswith="cli ")
               .select_related("source"))
    for job in orphans:
        if _resume(job):
            log.warning("import job %s: its process stopped; resumed after row %s", job.pk, job.rows_done)
            taken.append(job.pk)
    return taken


@queue.task(TASK, max_attempts=5, title="Import a file of feedback")
def run_import(import_job: int) -> None:
    """The queue's run of one import: take it over from the queue (or from a process that
    stopped), then read and store the file after its watermark."""
    job = ImportJob.objects.filter(pk=import_job).select_related("source").first()
    if job is None or job.status == JobStatus.DONE:
        return
    runner = heartbeats.runner_id("worker")
    if not (import_jobs.take_over_from_queue(job, runner) or import_jobs.claim(job, resume=True, runner=runner)):
        job.refresh_from_db()
        if job.status == JobStatus.DONE:
            return
        if job.status == JobStatus.RUNNING:
            raise queue.RunLater(heartbeats.every(), f"import {job.pk} is still running in {job.runner}")
        raise queue.GiveUp(f"Import {job.pk} is {job.get_status_display().lower()}; there is nothing to run.")
    if job.rows_done:
        log.warning("import job %s: resumed after row %s", job.pk, job.rows_done)
    mapping = _mapping_of(job)
    chosen = Mapping.from_dict(mapping, source="import form") if mapping else None

    def shown(current: ImportJob) -> None:
        queue.progress(done=current.rows_done, total=current.rows_total or None,
                       stage=f"Importing {current.filename}: row {current.rows_done:,} reached")

    queue.progress(done=job.rows_done, stage=f"Importing {job.filename}")
    try:
        finished = pipeline.run_import(job, chunk_rows=pipeline.DEFAULT_CHUNK, mapping=chosen, runner=runner,
                                       progress=shown)
    except import_jobs.JobTakenOver:
        log.warning("import job %s was taken over by another process; this run stops", job.pk)
        return
    if finished.status == JobStatus.FAILED:
        raise queue.GiveUp(finished.message or f"Import {job.pk} failed.")
    queue.progress(done=finished.rows_done, total=finished.rows_total or finished.rows_done, stage="Done")


@queue.task("insights.recover", max_attempts=1, title="Resume stopped imports and learning")
def recover_stopped_work() -> None:
    adopt_orphans()
    relearn.recover()


queue.schedule("insights.recover", every=timedelta(minutes=5))
