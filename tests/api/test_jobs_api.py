"""`/api/v1/jobs`: keepers and admins read the background work and retry a failed job; other
roles are refused with a reason."""

from __future__ import annotations

import pytest

from cxkeeper import jobs
from cxkeeper.jobs.models import Job
from cxkeeper.testing.api_matrix import ApiClient, E, endpoint_role_matrix


def _failed() -> Job:
    pk = jobs.enqueue("no.such.task")
    jobs.run_pending()  # an unknown task fails at once
    return Job.objects.get(pk=pk)


@pytest.fixture
def jobs_world(world):
    world.failed = _failed()
    world.waiting = Job.objects.get(pk=jobs.enqueue("no.such.task.either"))
    return world


ENDPOINTS = [
    E("GET", "/jobs", lambda w: "/jobs", allowed="keeper", refused="viewer", audited=False),
    E("GET", "/jobs/{id}", lambda w: f"/jobs/{w.failed.pk}", allowed="keeper", refused="it_member", audited=False),
    E("POST", "/jobs/{id}/retry", lambda w: f"/jobs/{w.failed.pk}/retry", allowed="admin", refused="viewer",
      status=200),
]

TestJobsEndpoints = endpoint_role_matrix(ENDPOINTS, world="jobs_world", keeps=(Job,))


def test_the_list_and_one_job_in_words(jobs_world):
    api = ApiClient(jobs_world.keeper)
    listed = api.get("/jobs").json()
    assert listed["count"] == 2 and [j["id"] for j in listed["items"]] == [jobs_world.waiting.pk, jobs_world.failed.pk]
    failed = api.get("/jobs", {"status": "failed"}).json()["items"]
    assert [j["id"] for j in failed] == [jobs_world.failed.pk]
    one = api.get(f"/jobs/{jobs_world.failed.pk}").json()
    assert (one["status"], one["state"], one["attempts"], one["title"]) == (
        "failed", "Failed after 1 attempt", 1, "Task")
    assert one["last_error"] == "This version of cxkeeper has no task called “no.such.task”."
    assert api.get("/jobs", {"status": "lost"}).status_code == 422
    assert api.get("/jobs/999999").status_code == 404


def test_only_a_failed_job_can_be_retried(jobs_world):
    api = ApiClient(jobs_world.admin)
    refused = api.post(f"/jobs/{jobs_world.waiting.pk}/retry", {})
    assert refused.status_code == 422 and "Only a failed job" in refused.content.decode()
    again = api.post(f"/jobs/{jobs_world.failed.pk}/retry", {}).json()
    assert (again["status"], again["attempts"], again["state"]) == ("queued", 0, "Waiting for a worker")
    assert api.post("/jobs/999999/retry", {}).status_code == 404
