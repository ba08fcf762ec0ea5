"""API of background work (`/api/v1/jobs`): keepers and admins read the queue and retry a
failed job. See docs/deployment.md, "Background work"."""


import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxkeeper.core.api import READ_ERRORS, WRITE_ERRORS, ApiPagination, ErrorOut, acting_user, get_or_404
from cxkeeper.jobs import actions, queries
from cxkeeper.jobs.models import Job, JobStatus
from cxkeeper.jobs.permissions import require_read

jobs_router = Router(tags=["background work"])

StatusFilter = Literal[tuple([*JobStatus.values, "all"])]  # type: ignore[valid-type]


class BackgroundJobOut(Schema):
    id: int
    task: str = Field(description="The task's stable name, e.g. insights.import.")
    title: str = Field(description="What the job does, in words.")
    status: str = Field(description="queued, running, done or failed.")
    state: str = Field(description="The status in a sentence (e.g. when it is tried again).")
    attempts: int = Field(description="Runs started, the one under way included.")
    max_attempts: int
    progress_done: int
    progress_total: int | None = Field(description="Null while the total is not known.")
    stage: str = Field(description="What it is doing now, in plain words.")
    last_error: str = Field(description="The last failure, in one line (empty if none).")
    created_at: dt.datetime
    run_at: dt.datetime = Field(description="Not run before this time (a retry waits here).")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class BackgroundJobFilters(Schema):
    status: StatusFilter = Field("all", description="Only jobs in this status.")


def _out(row: queries.JobRow) -> dict:
    return {name: getattr(row, name) for name in BackgroundJobOut.model_fields}


@jobs_router.get("", url_name="jobs", response={200: list[BackgroundJobOut], **READ_ERRORS, 403: ErrorOut},
                 summary="Background jobs, newest first")
@paginate(ApiPagination)
def list_jobs(request, filters: Query[BackgroundJobFilters]):
    """Keepers and admins: every background job (imports, learning, digests, deliveries …),
    newest first, with progress, attempts and last error."""
    require_read(acting_user(request))
    status = None if filters.status == "all" else filters.status
    return [_out(queries.row(job)) for job in queries.jobs_queryset(status)]


@jobs_router.get("/{id}", url_name="job", response={200: BackgroundJobOut, **READ_ERRORS, 403: ErrorOut},
                 summary="One background job")
def get_job(request, id: int):
    require_read(acting_user(request))
    return _out(queries.row(get_or_404(Job, id)))


@jobs_router.post("/{id}/retry", url_name="job_retry", response={200: BackgroundJobOut, **WRITE_ERRORS},
                  summary="Retry a failed background job")
def retry_job(request, id: int):
    """Keepers and admins: queue a failed job again now, its attempts counted afresh (422 when
    the job has not failed)."""
    job = actions.retry(get_or_404(Job, id), acting_user=acting_user(request))
    return _out(queries.row(job))
