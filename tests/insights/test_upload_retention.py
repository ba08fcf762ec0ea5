"""Raw uploads (issue 10, finding 5): private files, deleted once their import is done, swept
after the retention time, deleted by a customer's erasure; files imported from the command
line are never touched. Also: a job never stays "running" whatever stops it, and the error
report's file name is safe in its header."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.insights import actions, pipeline, uploads
from cxkeeper.insights.ingest import Mapping
from cxkeeper.insights.models import Feedback, ImportJob

CSV = b"""Response ID,Submitted,Customer,Comment,NPS
R1,2026-05-01 10:00,C-9,I cannot log in to the app,2
R2,2026-05-02 11:00,C-7,the helpline kept me waiting,5
"""
MAPPING = Mapping(external_id="Response ID", received_at="Submitted", customer_id="Customer", text="Comment",
                  nps="NPS", default_channel="survey")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.CXKEEPER_UPLOAD_RETENTION_HOURS = 24
    return settings.DATA_DIR


def upload(user, name="survey.csv", content=CSV) -> ImportJob:
    client = Client()
    client.force_login(user)
    response = client.post("/feedback/import/", {"file": SimpleUploadedFile(name, content, "text/csv"),
                                                 "new_source": "Survey", "kind": "survey", "format": ""})
    assert response.status_code == 302, response.content[:300]
    return ImportJob.objects.latest("id")


def stored_path(job: ImportJob) -> Path:
    return Path(job.options["path"])


def test_an_upload_is_private_and_deleted_once_imported(small_org, data_dir):
    job = upload(small_org.keeper)
    path = stored_path(job)
    assert path.parent == data_dir / "uploads"
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    job = pipeline.run_import(job, mapping=MAPPING)
    assert job.status == "done" and job.imported == 2
    assert not path.exists(), "the raw upload outlived its import"
    assert not list(path.parent.iterdir())


def test_a_shared_upload_stays_while_another_import_needs_it(small_org, data_dir):
    first = upload(small_org.keeper)
    second = upload(small_org.keeper, name="again.csv")
    assert stored_path(first) == stored_path(second)  # the same content is stored once
    pipeline.run_import(first, mapping=MAPPING)
    assert stored_path(second).exists()
    pipeline.run_import(second, mapping=MAPPING)
    assert not stored_path(second).exists()


def test_a_file_imported_from_the_command_line_is_never_deleted(small_org, data_dir, tmp_path):
    own = tmp_path / "mine.csv"
    own.write_bytes(CSV)
    result = CliRunner().invoke(app, ["import", "feedback", str(own), "--json"])
    assert json.loads(result.output)["status"] == "done"
    assert own.exists()


def _age(job: ImportJob, hours: float) -> None:
    then = timezone.now() - timedelta(hours=hours)
    ImportJob.objects.filter(pk=job.pk).update(created_at=then, started_at=None, finished_at=None)
    path = stored_path(job)
    import os

    os.utime(path, (then.timestamp(), then.timestamp()))


def test_sweep_deletes_uploads_past_the_retention_time(small_org, data_dir):
    old = upload(small_org.keeper)
    _age(old, 30)
    stray = data_dir / "uploads" / ".incoming-abandoned"
    stray.write_bytes(b"half an upload")
    import os

    os.utime(stray, (0, 0))
    deleted = uploads.sweep()
    assert set(deleted) == {stored_path(old), stray}
    fresh = upload(small_org.keeper, content=CSV.replace(b"R2", b"R3"))
    assert uploads.sweep() == [] and stored_path(fresh).exists()
    old.refresh_from_db()
    assert old.status == "failed" and "CXKEEPER_UPLOAD_RETENTION_HOURS" in old.message
    assert "24 hours" in old.message


def test_a_failed_import_past_retention_cannot_resume_and_says_why(small_org, data_dir):
    job = upload(small_org.keeper)
    ImportJob.objects.filter(pk=job.pk).update(status="failed")
    _age(job, 25)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    CliRunner().invoke(app, ["import", "sweep-uploads"])
    assert not stored_path(job).exists()
    job.refresh_from_db()
    again = pipeline.resume_import(job, acting_user=SYSTEM)
    assert again.status == "failed" and "upload it again" in again.message
    assert not Feedback.objects.exists()
    client = Client()
    client.force_login(small_org.keeper)
    page = client.get(f"/feedback/import/{job.pk}/").content.decode()
    assert "Resume after row" not in page and "upload it again" in page


def test_the_imports_page_sweeps(small_org, data_dir):
    job = upload(small_org.keeper)
    _age(job, 48)
    client = Client()
    client.force_login(small_org.keeper)
    assert client.get("/feedback/import/").status_code == 200
    assert not stored_path(job).exists()


def test_erasure_deletes_every_raw_upload_still_kept(small_org, data_dir):
    done = upload(small_org.keeper, name="first.csv")
    pipeline.run_import(done, mapping=MAPPING)
    waiting = upload(small_org.keeper, name="second.csv", content=CSV.replace(b"R1", b"R5").replace(b"R2", b"R6"))
    path = stored_path(waiting)
    assert path.exists()
    result = actions.erase_customer("C-9", acting_user=small_org.admin)
    assert (result.erased, result.uploads_deleted) == (1, 1)
    assert not path.exists(), "the customer's raw rows survived the erasure"
    waiting.refresh_from_db()
    assert waiting.status == "failed" and "erasure" in waiting.message
    record = ChangeRecord.objects.filter(action="delete", object_repr__contains="erasure").latest("id")
    assert record.before["raw_uploads"] == 1 and "C-9" not in json.dumps(record.before)


class Stop(Exception):
    pass


def test_no_job_is_left_running_whatever_stops_it(small_org, data_dir, tmp_path):
    own = tmp_path / "mine.csv"
    own.write_bytes(CSV)
    source = actions.source_named("Mine", acting_user=SYSTEM)

    def broken(job):
        raise Stop("the progress display broke")

    job = pipeline.import_file(own, source=source, acting_user=SYSTEM, progress=broken)
    assert job.status == "failed"
    assert "stopped after row" in job.message and "the progress display broke" in job.message

    def interrupted(job):
        raise KeyboardInterrupt

    second = pipeline.start_import(own, source=actions.source_named("Other", acting_user=SYSTEM), acting_user=SYSTEM)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_import(second, own, progress=interrupted)
    second.refresh_from_db()
    assert second.status == "failed" and "resume it to continue" in second.message
    assert pipeline.resume_import(second, acting_user=SYSTEM).status == "done"


@pytest.mark.parametrize("filename, expected", [
    ('say "hi".csv', 'attachment; filename="say \\"hi\\"-rejected-rows.csv"'),
    ("evil\r\nSet-Cookie: x=1.csv", 'attachment; filename="evil  Set-Cookie: x=1-rejected-rows.csv"'),
    ("réponses été.csv", "attachment; filename*=utf-8''r%C3%A9ponses%20%C3%A9t%C3%A9-rejected-rows.csv"),
])
def test_the_error_report_file_name_is_safe_in_its_header(small_org, data_dir, filename, expected):
    job = upload(small_org.keeper, name="x.csv", content=CSV + b"R3,not a date,C-1,bad,1\n")
    ImportJob.objects.filter(pk=job.pk).update(filename=filename)
    job.refresh_from_db()
    pipeline.run_import(job, mapping=MAPPING)
    client = Client()
    client.force_login(small_org.keeper)
    response = client.get(f"/feedback/import/{job.pk}/errors.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == expected
