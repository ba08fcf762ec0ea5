"""`/api/v1/imports`: feedback batches as JSON or NDJSON, and import jobs.

A batch is validated row by row with the same rules as a file import (a bad row is reported
with its index, field, value and reason; the rest are stored), stored through the same
action, and is idempotent per source and external id.
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights import actions
from cxkeeper.insights.ingest import FIELDS, Mapping, to_canonical
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


def _items(request: HttpRequest) -> list:
    body = request.body.decode("utf-8", errors="replace")
    content_type = request.content_type or ""
    if "ndjson" in content_type or "jsonl" in content_type:
        items = []
        for number, line in enumerate(body.splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    items.append(ValueError(f"line {number} is not JSON: {exc.msg}"))
        return items
    try:
        data = json.loads(body or "null")
    except json.JSONDecodeError as exc:
        raise InvalidInput({"body": f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"}) from exc
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise InvalidInput({"body": "send a JSON array of feedback objects, {\"items\": [...]}, or NDJSON"})
    return data


@imports_router.post("/batch", response=BatchResult, summary="Import a batch of feedback (JSON or NDJSON)")
def import_batch(request: HttpRequest, source: str, csat_max: int = 5, default_channel: str = ""):
    """Fields per item: external_id, received_at (ISO 8601), channel, text, customer_id, segment,
    nps, csat, ces, event_type, step. `?source=` names the feedback source (created if new)."""
    actions.require_import(request.auth)
    items = _items(request)
    if len(items) > MAX_BATCH:
        raise InvalidInput({"body": f"{len(items)} items; send at most {MAX_BATCH} per batch"})
    mapping = IDENTITY.replace(csat_max=csat_max, default_channel=default_channel or None)
    rows, errors = [], []
    for number, item in enumerate(items, start=1):
        if isinstance(item, ValueError) or not isinstance(item, dict):
            reason = str(item) if isinstance(item, ValueError) else "each item must be a JSON object"
            errors.append(RowProblem(row=number, column=None, value="", reason=reason))
            continue
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            errors.append(RowProblem(row=number, column=unknown[0], value="",
                                     reason=f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}"))
            continue
        result = to_canonical({name: item.get(name) for name in FIELDS}, number, mapping, filename="batch")
        if isinstance(result, list):
            errors.extend(RowProblem(row=e.row, column=e.column, value=e.value, reason=e.reason) for e in result)
        else:
            rows.append(result)
    feedback_source = actions.source_named(source, acting_user=request.auth)
    stored = actions.ingest_feedback_batch(feedback_source, rows)
    return BatchResult(source=feedback_source.name, imported=stored.imported, duplicates=stored.duplicates,
                       rejected=len({e.row for e in errors}), redactions=dict(stored.redactions), errors=errors)


def _job_out(job: ImportJob) -> JobOut:
    return JobOut(id=job.pk, source=job.source.name, filename=job.filename, status=job.status,
                  rows_done=job.rows_done, imported=job.imported, duplicates=job.duplicates, rejected=job.rejected,
                  redactions=job.redactions, message=job.message)


@imports_router.get("", response=list[JobOut], summary="Recent import jobs")
def list_imports(request: HttpRequest, limit: int = 50):
    actions.require_import(request.auth)
    return [_job_out(j) for j in ImportJob.objects.select_related("source")[: max(1, min(limit, 500))]]


@imports_router.get("/{job_id}", response=JobOut, summary="One import job and its progress")
def get_import(request: HttpRequest, job_id: int):
    actions.require_import(request.auth)
    return _job_out(get_object_or_404(ImportJob.objects.select_related("source"), pk=job_id))
