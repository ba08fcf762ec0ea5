"""An import job's states, and the only code that writes them.

    queued ──start──► running ──finish──► done
                       │   ▲
                     fail  resume (after the watermark)
                       ▼   │
                      failed

* `create` — a queued job for one file (its SHA-256 pins the content).
* `claim` — the job queue (or the CLI) is about to work on the job: queued → running (start), or
  failed / running-but-interrupted → running (resume). A conditional update naming the
  claiming process (`runner`), so two clicks — or two server processes — never start two
  threads on one job.
* `mark_running` — the pipeline begins (or continues) reading the file: running, and the
  first start time; refused while another live process runs the job.
* `record_chunk` — one chunk of rows stored in one transaction together with the job's
  counters and watermark `rows_done` (every data row up to it is committed): a crash loses
  at most the chunk in flight, and a resume continues after the watermark. The chunk is
  refused (`JobTakenOver`) if another process has taken the job over.

A running job is alive while its runner's heartbeat is fresh (`insights.heartbeats`: the
pipeline beats every 10 s); one silent for a minute was interrupted (its process stopped)
and may be resumed — by a person, or by the job queue (`jobs.run_import`, `jobs.adopt_orphans`).
* `finish` / `fail` — done with its summary, or failed with a message naming the file and
  what is wrong; a failed job can be resumed.

What an import changes beyond its own figures: higher layers register a *watcher*
(`register_watcher`, from their AppConfig.ready(); outcomes watches its targets' statuses).
The first `mark_running` stores each watcher's snapshot on the job (`effects["before"]`, so
a resumed job still compares with the state before its first row); `finish` asks each watcher
what changed since and stores it (`effects["changes"]`, each {"what", "before", "after"}),
and the summary says it in words: "NPS at the organization ≥ −15: on track → at risk".

Pipeline, background runner (`jobs`), views, API and CLI call these; none of them saves an
`ImportJob` itself. Permissions are checked by the callers' actions (`pipeline.start_import`,
`pipeline.resume_import`, `jobs.start`, `jobs.resume`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cxkeeper.insights import actions, heartbeats, import_limits
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.models import FeedbackSource, ImportJob, ImportRowError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Watcher:
    """Something a higher layer wants an import's summary to report. `snapshot()` returns
    JSON-able state; `changes(before)` the changes since that snapshot, each a dict with
    "what", "before" and "after" in plain words (and optionally "url")."""

    snapshot: Callable[[], object]
    changes: Callable[[object], list[dict]]


_WATCHERS: dict[str, Watcher] = {}


def register_watcher(name: str, *, snapshot: Callable[[], object], changes: Callable[[object], list[dict]]) -> None:
    """Called from a higher layer's AppConfig.ready() (insights cannot import it)."""
    _WATCHERS[name] = Watcher(snapshot, changes)


def _snapshots() -> dict:
    taken = {}
    for name, watcher in _WATCHERS.items():
        try:
            taken[name] = watcher.snapshot()
        except Exception:  # a watcher must never stop an import; the summary then says nothing of it
            log.exception("import watcher %s failed to take its snapshot", name)
    return taken


def _changes(before: dict) -> list[dict]:
    found: list[dict] = []
    for name, watcher in _WATCHERS.items():
        if name not in before:
            continue
        try:
            found += watcher.changes(before[name])
        except Exception:
            log.exception("import watcher %s failed to compare", name)
    return found


def watch() -> dict:
    """Every watcher's snapshot now: call before storing anything, then `changes_since` after.
    Imports without a job (an API batch) report with these what file imports keep on the job."""
    return _snapshots()


def changes_since(before: dict) -> list[dict]:
    """What the watchers see changed since `watch()` took `before`: [{"what", "before", "after", "url"}]."""
    return _changes(before)


def store_batch(source: FeedbackSource, rows: list) -> tuple[actions.BatchResult, list[dict]]:
    """Store an import without a job (an API batch) and say which target statuses it moved,
    as a file import keeps them on its job: (what was stored, the changes)."""
    before = watch() if rows else {}
    stored = actions.ingest_feedback_batch(source, rows)
    return stored, (changes_since(before) if stored.imported else [])  # nothing stored: nothing moved


def change_text(change: dict) -> str:
    """One change in plain words: "NPS at the organization ≥ −15: on track → at risk"."""
    return f"{change['what']}: {change['before']} → {change['after']}"


#: state → the states a job may move to from it (done is final).
MOVES: dict[str, tuple[str, ...]] = {
    JobStatus.QUEUED: (JobStatus.RUNNING, JobStatus.FAILED),
    JobStatus.RUNNING: (JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED),
    JobStatus.FAILED: (JobStatus.RUNNING, JobStatus.FAILED),
    JobStatus.DONE: (),
}


class JobStateError(ValueError):
    """A move the job's state does not allow (e.g. running a finished import again)."""


class JobTakenOver(JobStateError):
    """Another process took the job over (this one was silent too long): stop, store nothing."""


def _move(job: ImportJob, to: str) -> None:
    if to not in MOVES[job.status]:
        raise JobStateError(f"Import job {job.pk} is {job.get_status_display().lower()}; it cannot become {to}.")
    job.status = to


def create(path: Path, *, source: FeedbackSource, sha256: str, format: str | None = None,
           mapping_file: str | Path | None = None, filename: str | None = None, created_by=None) -> ImportJob:
    """A queued job for the file at `path` (`filename` is the name shown, default the path's)."""
    return ImportJob.objects.create(
        source=source, filename=(filename or path.name)[:300], file_sha256=sha256, format=format or "",
        options={"path": str(path.resolve()), "mapping_file": str(mapping_file) if mapping_file else ""},
        created_by=created_by, status=JobStatus.QUEUED,
    )


def interrupted() -> Q:
    """Jobs marked running whose process stopped (no heartbeat for `heartbeats.stale_after()`)."""
    return Q(status=JobStatus.RUNNING) & heartbeats.stale()


def is_interrupted(job: ImportJob) -> bool:
    return job.status == JobStatus.RUNNING and (not heartbeats.alive(job.heartbeat_at)
                                                or heartbeats.stopped_here(job.runner))


def _stopped(job: ImportJob) -> Q:
    """Running, silent — or named after a process of this machine that is gone."""
    current = ImportJob.objects.filter(pk=job.pk).values_list("runner", flat=True).first() or ""
    found = interrupted()
    if heartbeats.stopped_here(current):
        found |= Q(status=JobStatus.RUNNING, runner=current)
    return found


def claim(job: ImportJob, *, resume: bool, runner: str | None = None, mapping: dict | None = None) -> bool:
    """Running, for `runner` (default: this process) about to take the job: from queued
    (`resume=False`), or from failed or an interrupted run (`resume=True`). One conditional
    update, so of two claims — two clicks, two processes — one wins. `mapping` (a
    `Mapping.to_dict()`) is kept with the job, so whoever resumes it reads the file the same
    way. False, and nothing changes, when the job is in none of those states any more."""
    allowed = Q(status=JobStatus.FAILED) | _stopped(job) if resume else Q(status=JobStatus.QUEUED)
    values = {"status": JobStatus.RUNNING, "runner": runner or heartbeats.runner_id("cli"),
              "heartbeat_at": timezone.now()}
    if mapping is not None:
        values["options"] = {**(job.options or {}), "mapping": mapping}
    claimed = ImportJob.objects.filter(allowed, pk=job.pk).update(**values)
    job.refresh_from_db(fields=["status", "runner", "heartbeat_at", "options"])
    return bool(claimed)


#: The runner of an import claimed for the job queue, until a worker takes it over.
QUEUE = "queue"


def take_over_from_queue(job: ImportJob, runner: str) -> bool:
    """A queue worker takes over the import `start`/`resume` claimed for the queue: one
    conditional update, so of two workers one wins. False when the queue no longer holds it."""
    taken = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, runner=QUEUE).update(
        runner=runner, heartbeat_at=timezone.now())
    job.refresh_from_db(fields=["status", "runner", "heartbeat_at", "options"])
    return bool(taken)


def mark_running(job: ImportJob, runner: str | None = None) -> ImportJob:
    """The pipeline starts, or continues after the watermark, reading the job's file, in
    `runner` (default: this process). Refused while another process's heartbeat is fresh."""
    runner = runner or heartbeats.runner_id("cli")
    mine = (Q(status__in=[JobStatus.QUEUED, JobStatus.FAILED]) | Q(status=JobStatus.RUNNING, runner=runner)
            | _stopped(job))
    if not ImportJob.objects.filter(mine, pk=job.pk).update(runner=runner, heartbeat_at=timezone.now()):
        job.refresh_from_db()
        if job.status == JobStatus.RUNNING:
            raise JobStateError(f"Import job {job.pk} is running in another process ({job.runner}); "
                                "it can be resumed once that process stops.")
    job.refresh_from_db(fields=["runner", "heartbeat_at"])
    _move(job, JobStatus.RUNNING)
    if job.started_at is None or "before" not in (job.effects or {}):
        job.effects = {"before": _snapshots()}
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at", "effects"])
    return job


def record_chunk(job: ImportJob, rows: Sequence, errors: Sequence, *, rows_done: int, router=None,
                 prepared=None) -> actions.BatchResult:
    """Store one chunk (its rows, its rejected rows' problems) and move the job's counters and
    watermark to `rows_done`, all in one transaction. At most `max_error_rows` problems are
    kept per job (a file of a million bad rows must not become a million stored rows and a
    quarter-gigabyte report): past it rejected rows are only counted (`unlisted_rejections`)."""
    with transaction.atomic():
        result = actions.ingest_feedback_batch(job.source, rows, import_job_id=job.pk, router=router,
                                               prepared=prepared)
        result.rejected = len({error.row for error in errors})  # rows, not problems
        room = max(0, import_limits.current().max_error_rows - job.row_errors.count()) if errors else 0
        ImportRowError.objects.bulk_create([
            ImportRowError(job=job, row=e.row, column=(e.column or "")[:200],
                           value=actions.kept_problem_text(str(e.value or ""))[:300],
                           reason=actions.kept_problem_text(str(e.reason))[:500]) for e in errors[:room]],
            batch_size=1000)
        job.imported += result.imported
        job.duplicates += result.duplicates
        job.rejected += result.rejected
        job.redactions = dict(sorted((Counter(job.redactions) + result.redactions).items()))
        job.rows_done = rows_done
        job.heartbeat_at = timezone.now()
        # Only while the job still names this process: one taken over (this process was silent
        # too long) refuses the whole chunk — the transaction rolls back, nothing is stored twice.
        counters = ("imported", "duplicates", "rejected", "redactions", "rows_done", "heartbeat_at")
        if not ImportJob.objects.filter(pk=job.pk, runner=job.runner).update(
                **{name: getattr(job, name) for name in counters}):
            raise JobTakenOver(f"Import job {job.pk} was taken over by another process; this one stops.")
    return result


def finish(job: ImportJob) -> ImportJob:
    """Every row is committed: done, with the summary as the job's message."""
    _move(job, JobStatus.DONE)
    job.rows_total = job.rows_done
    job.effects = {"changes": _changes((job.effects or {}).get("before", {}))}
    job.message = summary_message(job)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows_total", "effects", "message", "finished_at"])
    return job


def fail(job: ImportJob, message: str) -> ImportJob:
    """The file cannot be imported (or the run stopped): failed, with what is wrong."""
    _move(job, JobStatus.FAILED)
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
    return job


def unlisted_rejections(job: ImportJob) -> int:
    """Rejected rows the error report does not list, because the job reached the stored-problem
    limit (`CXKEEPER_IMPORT_MAX_ERROR_ROWS`): the "and N more" of the summary, page, API and CLI."""
    if not job.rejected:
        return 0
    return max(0, job.rejected - job.row_errors.values("row").distinct().count())


def unlisted_text(job: ImportJob, unlisted: int | None = None) -> str:
    """"The report lists the first 1,000 rejected rows, and 999,000 more …", or ""."""
    unlisted = unlisted_rejections(job) if unlisted is None else unlisted
    if not unlisted:
        return ""
    limits = import_limits.current()
    listed = job.rejected - unlisted
    return (f"The error report lists the first {listed:,} rejected row{'s' if listed != 1 else ''}, and {unlisted:,} "
            f"more {'is' if unlisted == 1 else 'are'} only counted (at most {limits.max_error_rows:,} problems are "
            f"kept per import: {limits.setting('max_error_rows')}).")


def forget_upload(job: ImportJob, reason: str) -> ImportJob:
    """The job's uploaded file was deleted (`insights.uploads`: retention or a customer's
    erasure): a queued or failed job fails with `reason`; a running one only keeps the reason,
    and fails with it if it is ever resumed (it goes on reading the file it has open)."""
    job.options = {**(job.options or {}), "upload_deleted": reason}
    job.save(update_fields=["options"])
    if job.status in (JobStatus.QUEUED, JobStatus.FAILED):
        fail(job, reason)
    return job


def upload_deleted(job: ImportJob) -> str:
    """Why the job's uploaded file is gone, or "" while it is kept."""
    return (job.options or {}).get("upload_deleted", "")


def summary_message(job: ImportJob) -> str:
    text = f"{job.imported} imported, {job.duplicates} duplicates skipped, {job.rejected} rejected"
    if job.redactions:
        text += "; redacted " + ", ".join(f"{n} {kind}" for kind, n in sorted(job.redactions.items()))
    text += "."
    if unlisted := unlisted_text(job):
        text += " " + unlisted
    changes = job.status_changes
    if changes:
        text += (f" It changed the status of {len(changes)} target{'s' if len(changes) != 1 else ''}: "
                 + "; ".join(change_text(c) for c in changes) + ".")
    return text
