"""`/api/v1/imports`: feedback batches as JSON or NDJSON, and import jobs.

A batch is read and validated by the same functions as a file import — each item as the JSON
Lines reader reads a line (`ingest.read_json_batch`), each row by `ingest.convert` — so a bad
row is rejected with the same reason naming the same field (plus: an unknown field is a
mistake here, not an extra column). A bad row is reported with its number (NDJSON: its line;
a JSON array: its position from 1), field, value and reason; the rest are stored through the
same action, idempotent per source and external id. Like a file import, the answer lists the
targets whose status the batch moved (`status_changes`). Jobs are only read here.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from cxkeeper.core.api import READ_ERRORS, ErrorOut
from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights import actions, import_jobs, import_limits
from cxkeeper.insights.ingest import FIELDS, ImportFileError, Mapping, MappingError, convert, partition, read_json_batch
from cxkeeper.insights.models import ImportJob

imports_router = Router(tags=["imports"])
MAX_BATCH = 10_000
# The batch uses cxkeeper's own field names, so the mapping is the identity.
IDENTITY = Mapping(**{name: name for name in FIELDS}, csat_max=5)


class RowProblem(Schema):
    row: int
    column: str | None
    value: str
    reason: str


class BatchResult(Schema):
    source: str
    imported: int
    duplicates: int
    rejected: int
    redactions: dict[str, int]
    errors: list[RowProblem]
    status_changes: list[dict] = Field(default_factory=list, description="targets whose status the batch moved: "
                                       "{what, before, after, url}, as a file import's job reports them")


class JobOut(Schema):
    id: int
    source: str
    filename: str
    status: str
    rows_done: int
    imported: int
    duplicates: int
    rejected: int
    redactions: dict
    message: str
    rejected_unlisted: int = Field(0, description="rejected rows the error report does not list (past the "
                                   "CXKEEPER_IMPORT_MAX_ERROR_ROWS limit): the report's \"and N more\"")
    status_changes: list[dict] = Field(default_factory=list, description="targets whose status the import moved: "
                                       "{what, before, after, url} (once it is done)")


def _too_large(size: str, limit: int) -> HttpError:
    return HttpError(413, f"The batch is {size}; a batch may be at most {limit:,} bytes ({limit / (1 << 20):g} MB, "
                          f"the limit CXKEEPER_API_MAX_BATCH_BYTES). Send fewer items per batch.")


def _body(request: HttpRequest, limit: int) -> bytes:
    """The request body, read here up to the batch limit rather than by Django (whose request
    cap, DATA_UPLOAD_MAX_MEMORY_SIZE, stays small for every other request). 413 past it."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise _too_large(f"{declared:,} bytes", limit)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise _too_large(f"more than {limit:,} bytes", limit)
    return body


def _items(request: HttpRequest) -> list:
    limits = import_limits.current()
    body = _body(request, limits.max_batch_bytes).decode("utf-8", errors="replace")
    content_type = request.content_type or ""
    try:
        return read_json_batch(body, lines="ndjson" in content_type or "jsonl" in content_type, limits=limits)
    except ImportFileError as exc:
        raise InvalidInput({"body": str(exc)}) from exc


def _mapping(csat_max: int, default_channel: str) -> Mapping:
    """The identity mapping with the batch's options, checked like a mapping file's."""
    try:
        options = {"csat_max": csat_max, "default_channel": default_channel or None}
        return Mapping.from_dict({**IDENTITY.to_dict(), **options}, source="query")
    except MappingError as exc:
        raise InvalidInput({"query": str(exc)}) from exc


# The body is read by the batch reader itself (JSON array or NDJSON), so it is declared here.
BATCH_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
    "application/x-ndjson": {"schema": {"type": "string", "description": "one JSON object per line"}},
}}}
REFUSED = {403: ErrorOut}  # importing is for keepers and admins


@imports_router.post("/batch", response={200: BatchResult, **READ_ERRORS, **REFUSED, 413: ErrorOut},
                     summary="Import a batch of feedback (JSON or NDJSON)", openapi_extra=BATCH_BODY)
def import_batch(request: HttpRequest, source: str, csat_max: int = 5, default_channel: str = ""):
    """Fields per item: external_id, received_at (ISO 8601), channel, text, customer_id, segment,
    nps, csat, ces, event_type, step. `?source=` names the feedback source (created if new).
    At most 10,000 items (422 past it) and 32 MB (`CXKEEPER_API_MAX_BATCH_BYTES`; 413 past it)
    per batch; an item nested deeper than `CXKEEPER_IMPORT_MAX_JSON_DEPTH` is a rejected row."""
    actions.require_import(request.auth)
    items = _items(request)
    if len(items) > MAX_BATCH:
        raise InvalidInput({"body": f"{len(items)} items; send at most {MAX_BATCH} per batch"})
    rows, errors = partition(convert(items, _mapping(csat_max, default_channel), "batch", columns=FIELDS,
                                     strict=True))
    feedback_source = actions.source_named(source, acting_user=request.auth)
    stored, changes = import_jobs.store_batch(feedback_source, rows)
    return BatchResult(source=feedback_source.name, imported=stored.imported, duplicates=stored.duplicates,
                       rejected=len({e.row for e in errors}), redactions=dict(stored.redactions),
                       errors=[RowProblem(row=e.row, column=e.column, value=e.value, reason=e.reason)
                               for e in errors], status_changes=changes)


def _job_out(job: ImportJob) -> JobOut:
    return JobOut(id=job.pk, source=job.source.name, filename=job.filename, status=job.status,
                  rows_done=job.rows_done, imported=job.imported, duplicates=job.duplicates, rejected=job.rejected,
                  redactions=job.redactions, message=job.message, status_changes=job.status_changes,
                  rejected_unlisted=import_jobs.unlisted_rejections(job))


@imports_router.get("", response={200: list[JobOut], **READ_ERRORS, **REFUSED}, summary="Recent import jobs")
def list_imports(request: HttpRequest, limit: int = 50):
    actions.require_import(request.auth)
    return [_job_out(j) for j in ImportJob.objects.select_related("source")[: max(1, min(limit, 500))]]


@imports_router.get("/{job_id}", response={200: JobOut, **READ_ERRORS, **REFUSED},
                    summary="One import job and its progress")
def get_import(request: HttpRequest, job_id: int):
    actions.require_import(request.auth)
    return _job_out(get_object_or_404(ImportJob.objects.select_related("source"), pk=job_id))
