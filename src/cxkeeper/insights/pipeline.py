"""Importing a feedback file: stream → canonical rows → chunks stored atomically.

Each chunk (redacted, de-duplicated, routed, scored, added to rollups, rejected rows noted)
commits together with the job's watermark `rows_done`. A crash loses at most the chunk in
flight, and `resume_import` continues after the watermark: no duplicates, no half chunk.
Re-importing a file whose rows are already stored adds nothing (feedback is unique per
source and external id). The job's states move only through `import_jobs`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path

from cxkeeper.insights import actions, heartbeats, import_jobs, import_limits, routing, uploads
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.ingest import (
    ImportFileError,
    Mapping,
    MappingError,
    chunked,
    convert,
    detect_mapping,
    iter_records,
    load_mapping,
    partition,
)
from cxkeeper.insights.models import FeedbackSource, ImportJob
from cxkeeper.insights.text.batch import TextWorkers, WorkerError

log = logging.getLogger(__name__)
DEFAULT_CHUNK = 2000
WORKERS_MIN_BYTES = 4 << 20  # ~30,000 rows of survey text
MAX_WORKERS = 2
UNKNOWN_CHANNEL = "unknown"
Progress = Callable[[ImportJob], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_mapping(stream, source: FeedbackSource, mapping_file: str | Path | None) -> Mapping:
    """An explicit mapping file wins; else the source's saved mapping; else detection."""
    if mapping_file:
        return load_mapping(mapping_file)
    if source.mapping:
        return Mapping.from_dict(source.mapping, source=f"saved mapping of {source.name}")
    mapping = detect_mapping(stream)
    if not mapping.channel and not mapping.default_channel:
        # Without a channel column every row gets the source's channel, else "unknown": an
        # honest label that shows up in every channel split, rather than a refused file.
        mapping = mapping.replace(default_channel=source.default_channel or UNKNOWN_CHANNEL)
    return mapping


def start_import(path: str | Path, *, source: FeedbackSource, format: str | None = None,
                 mapping_file: str | Path | None = None, filename: str | None = None, acting_user) -> ImportJob:
    """A queued import job for the file at `path` (`filename`: the name to show, e.g. the
    uploaded file's, default the path's)."""
    actions.require_import(acting_user)
    path = Path(path)
    return import_jobs.create(path, source=source, sha256=file_sha256(path), format=format,
                              mapping_file=mapping_file, filename=filename,
                              created_by=acting_user if getattr(acting_user, "pk", None) else None)


def run_import(job: ImportJob, path: str | Path | None = None, *, chunk_rows: int = DEFAULT_CHUNK,
               progress: Progress | None = None, mapping: Mapping | None = None, router=None,
               runner: str | None = None) -> ImportJob:
    """Import (or continue importing) the job's file, in `runner` (default: this process, as
    the CLI), its heartbeat kept while it runs. File-level problems fail the job with a
    message naming the file and what is wrong; row problems are counted and reported.
    Whatever goes wrong, the job never stays "running": any other exception fails it too, with
    a plain reason (and is logged with its traceback); an interruption (Ctrl-C) fails it as
    stopped, resumable, and goes on. A finished job's uploaded file is deleted (`uploads`).
    Callers have checked permissions (`start_import`, `resume_import`, `jobs.start`/`resume`)."""
    path = Path(path or job.options.get("path", ""))
    import_jobs.mark_running(job, runner)
    with heartbeats.beating(ImportJob, job.pk, job.runner):
        return _read_and_store(job, path, chunk_rows, progress, mapping, router)


def _read_and_store(job: ImportJob, path: Path, chunk_rows: int, progress: Progress | None,
                    mapping: Mapping | None, router) -> ImportJob:
    try:
        if gone := import_jobs.upload_deleted(job):
            raise ImportFileError(gone)
        if path.is_file() and job.file_sha256 and file_sha256(path) != job.file_sha256:
            raise ImportFileError(f"{path.name} changed since the import started; start a new import.")
        stream = iter_records(path, job.format or None, limits=import_limits.current())
        with stream:
            mapping = mapping or resolve_mapping(stream, job.source, job.options.get("mapping_file"))
            mapping = mapping.resolve(stream.columns, stream.filename)
            router = router or routing.current_router()
            already = job.rows_done
            records = ((number, record) for number, record in stream if number > already)
            chunks = (_split(chunk) for chunk in chunked(convert(records, mapping, stream.filename), chunk_rows))
            processes = import_workers(path)
            if processes:
                _store_with_workers(job, chunks, processes, router, progress)
            else:
                for rows, errors, last_row in chunks:
                    import_jobs.record_chunk(job, rows, errors, rows_done=last_row, router=router)
                    if progress:
                        progress(job)
    except (ImportFileError, MappingError, OSError) as exc:
        return import_jobs.fail(job, shown_as(job, path, str(exc)))
    except import_jobs.JobTakenOver:
        raise  # another process runs the job now: its state is that process's to write
    except Exception as exc:
        log.exception("import job %s stopped", job.pk)
        return import_jobs.fail(job, _unexpected(job, exc))
    except BaseException:
        import_jobs.fail(job, f"The import was stopped after row {job.rows_done:,}; resume it to continue.")
        raise
    finished = import_jobs.finish(job)
    try:
        uploads.release(finished)
    except OSError:  # the import is done either way; the sweep deletes the file later
        log.warning("could not delete the upload of import job %s", job.pk, exc_info=True)
    return finished


def shown_as(job: ImportJob, path: Path, message: str) -> str:
    """A reader's message with the file named as the person knows it: an uploaded file is
    stored under its content hash, but its messages name the file that was uploaded."""
    stored = Path(path).name
    return message.replace(stored, job.filename) if stored and stored != job.filename else message


def _unexpected(job: ImportJob, exc: Exception) -> str:
    """A failure nobody foresaw, in words: what stopped, where, and that the rest is safe."""
    what = "the data nests too deeply" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
    return (f"The import of {job.filename} stopped after row {job.rows_done:,} ({what}). Every row up to there "
            "is stored; the problem is in the server log.")


def _split(chunk: list) -> tuple[list, list, int]:
    rows, errors = partition(chunk)
    last_row = max([r.row_number for r in rows] + [e.row for e in errors])
    return rows, errors, last_row


def import_workers(path: Path) -> int:
    """How many worker processes redact, route and score texts for this import: 0 (all in
    this process) for files under WORKERS_MIN_BYTES, where starting workers (~2 s) would cost
    more than they save, and on single-core machines; `CXKEEPER_IMPORT_WORKERS` overrides."""
    configured = os.environ.get("CXKEEPER_IMPORT_WORKERS", "").strip()
    if configured:
        return max(0, int(configured))
    cores = os.cpu_count() or 1
    try:
        big = path.stat().st_size >= WORKERS_MIN_BYTES
    except OSError:
        big = False
    return min(cores - 1, MAX_WORKERS) if big else 0


def _store_with_workers(job: ImportJob, chunks, processes: int, router, progress: Progress | None) -> None:
    """Worker processes prepare the texts of the next chunks while this process stores the
    current one. Storing stays here, in file order, one transaction per chunk with its
    watermark: a crash or a kill loses at most the chunks in flight, never half of one. If a
    worker fails, that chunk and the rest are prepared here instead (a failure that is not
    the worker's then happens here too and stops the import as it would without workers)."""
    in_flight: deque = deque()
    broken = False

    def store(rows, errors, last_row, future) -> None:
        nonlocal broken
        prepared = None
        if future is not None and not broken:
            try:
                prepared = future.result()
            except WorkerError:
                log.warning("a text worker failed; job %s continues in this process", job.pk, exc_info=True)
                broken = True
        import_jobs.record_chunk(job, rows, errors, rows_done=last_row, router=router, prepared=prepared)
        if progress:
            progress(job)

    with TextWorkers(processes, redactor=actions.redactor(), router=router,
                     sentiment=actions.sentiment_model()) as workers:
        for rows, errors, last_row in chunks:
            future = None if broken else workers.submit([row.text or "" for row in rows])
            in_flight.append((rows, errors, last_row, future))
            if len(in_flight) > processes:
                store(*in_flight.popleft())
        while in_flight:
            store(*in_flight.popleft())


def import_file(path: str | Path, *, source: FeedbackSource, format: str | None = None,
                mapping_file: str | Path | None = None, acting_user, chunk_rows: int = DEFAULT_CHUNK,
                progress: Progress | None = None) -> ImportJob:
    job = start_import(path, source=source, format=format, mapping_file=mapping_file, acting_user=acting_user)
    return run_import(job, path, chunk_rows=chunk_rows, progress=progress)


def resume_import(job: ImportJob, *, acting_user, progress: Progress | None = None,
                  chunk_rows: int = DEFAULT_CHUNK) -> ImportJob:
    """Continue a job that crashed or was stopped, after its watermark (a finished job is
    returned as it is)."""
    actions.require_import(acting_user)
    if job.status == JobStatus.DONE:
        return job
    return run_import(job, chunk_rows=chunk_rows, progress=progress)


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): = + - @, and tab
# and carriage return, which some programs skip before looking; with their full-width forms.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_safe(value):
    """A CSV cell a spreadsheet shows as text: a string that would start a formula gets a single
    quote in front ('=1+1' → "'=1+1"); numbers and None are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def error_report_csv(job: ImportJob):
    """The rejected rows as CSV lines: file, row, column, value, reason. Every text cell is
    formula-safe: the file name, column names and values come from the imported file."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "row", "column", "value", "reason"])
    yield buffer.getvalue()
    filename = formula_safe(job.filename)
    for error in job.row_errors.order_by("row", "id").iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([filename, error.row, formula_safe(error.column), formula_safe(error.value),
                         formula_safe(error.reason)])
        yield buffer.getvalue()
    if unlisted := import_jobs.unlisted_text(job):
        # The report stops at the stored-problem limit; its last line says how many more there were.
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([filename, "", "", "", formula_safe(unlisted)])
        yield buffer.getvalue()
