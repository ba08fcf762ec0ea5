"""The Background work page (keepers and admins): recent jobs with their progress, attempts
and last error, and a Retry button on a failed one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cxkeeper.core.errors import InvalidInput
from cxkeeper.jobs import actions, queries
from cxkeeper.jobs.models import Job, JobStatus
from cxkeeper.jobs.permissions import require_read


def background_work(request):
    require_read(request.user)
    status = request.GET.get("status", "")
    status = status if status in JobStatus.values else ""
    rows = queries.recent(status=status or None)
    return render(request, "jobs/background_work.html", {
        "rows": rows, "counts": queries.counts(), "status": status, "statuses": JobStatus.choices,
        "live": any(r.status in ("queued", "running") for r in rows)})


@require_POST
def retry(request, pk):
    job = get_object_or_404(Job, pk=pk)
    try:
        actions.retry(job, acting_user=request.user)
    except InvalidInput as exc:
        messages.error(request, " ".join(" ".join(m) for m in exc.errors.values()))
    else:
        messages.success(request, f"Job {job.pk} is queued again.")
    return redirect("jobs:list")
