"""The Background work page (keepers and admins, from the Admin menu), its Retry button, and
`cxkeeper jobs list|show|retry` in this process."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from typer.testing import CliRunner

from cxkeeper import jobs
from cxkeeper.cli import app
from cxkeeper.jobs import queue
from cxkeeper.jobs.models import Job

from . import tasks_for_tests  # noqa: F401 - declares the tests' tasks

runner = CliRunner()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def some_work(small_org):
    failed = Job.objects.get(pk=jobs.enqueue("tests.give_up"))
    jobs.run_pending()
    running = Job.objects.get(pk=jobs.enqueue("tests.record", value="<b>bold</b>"))
    run = queue.claim("worker here:1")
    queue.progress(run, done=250, total=1000, stage="Importing <survey>.csv")
    failed.refresh_from_db()
    return failed, running


def test_keepers_see_progress_attempts_and_errors_and_retry(small_org, some_work):
    failed, running = some_work
    client = _signed_in(small_org.keeper)
    home = client.get("/").content.decode()
    assert 'href="/background-work/"' in home  # in the Admin menu
    page = client.get("/background-work/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Count slowly" not in html and "Record that it ran" in html and "Give up" in html
    assert '<progress value="250" max="1000"' in html and "250 of 1,000" in html
    assert "Importing &lt;survey&gt;.csv" in html  # escaped
    assert "The file cannot be read: it is not a spreadsheet." in html and "Failed after 1 attempt" in html
    assert 'hx-trigger="every 3s"' in html  # live while something waits or runs
    assert client.get("/background-work/?status=failed").content.decode().count("<tr>") == 2  # header + 1
    retried = client.post(f"/background-work/{failed.pk}/retry/")
    assert retried.status_code == 302 and Job.objects.get(pk=failed.pk).status == "queued"
    again = client.post(f"/background-work/{running.pk}/retry/", follow=True)
    assert "Only a failed job can be retried" in again.content.decode()


@pytest.mark.parametrize("persona", ["viewer", "it_member"])
def test_other_roles_are_refused(small_org, some_work, persona):
    client = _signed_in(getattr(small_org, persona))
    assert client.get("/background-work/").status_code == 403
    failed, _ = some_work
    assert client.post(f"/background-work/{failed.pk}/retry/").status_code == 403
    assert Job.objects.get(pk=failed.pk).status == "failed"
    assert 'href="/background-work/"' not in client.get("/").content.decode()


def test_the_cli_lists_shows_and_retries(small_org, some_work):
    failed, running = some_work
    listed = runner.invoke(app, ["jobs", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["id"] for r in rows] == [running.pk, failed.pk]
    assert (rows[0]["progress_done"], rows[0]["progress_total"], rows[0]["status"]) == (250, 1000, "running")
    table = runner.invoke(app, ["jobs", "list"])
    assert "Give up" in table.output and "250 of 1,000" in table.output
    shown = runner.invoke(app, ["jobs", "show", str(failed.pk)])
    assert "Failed after 1 attempt" in shown.output and "it is not a spreadsheet" in shown.output
    assert runner.invoke(app, ["jobs", "show", "999999"]).exit_code == 2
    assert runner.invoke(app, ["jobs", "list", "--status", "lost"]).exit_code == 2
    refused = runner.invoke(app, ["jobs", "retry", str(running.pk)])
    assert refused.exit_code == 2 and "Only a failed job" in refused.output
    assert runner.invoke(app, ["jobs", "retry", str(failed.pk)]).exit_code == 0
    assert Job.objects.get(pk=failed.pk).status == "queued"
