"""The import pages (upload → mapping preview → background import → summary) and the
batch API, with their permissions."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cxkeeper import jobs
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights.models import Feedback, ImportJob
from cxkeeper.org.actions import create_api_token

CSV = b"""Response ID,Submitted,Comment,NPS
R1,2026-05-01 10:00,I cannot log in to the app,2
R2,2026-05-02 11:00,the helpline kept me waiting,5
R3,not a date,bad row,7
R4,2026-05-04 09:30,Write to me at jo@example.com,9
"""


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def upload(client, name="survey.csv", content=CSV):
    return client.post("/feedback/import/", {"file": SimpleUploadedFile(name, content, "text/csv"),
                                             "new_source": "Survey", "kind": "survey", "format": ""})


def wait_for(job, seconds=60):
    """Run the queued background work here (as the worker would), until the import ends."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        jobs.run_pending()
        job.refresh_from_db()
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"import still {job.status} after {seconds}s")


@pytest.mark.django_db(transaction=True)
def test_upload_preview_start_and_summary(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = signed_in(small_org.keeper)
    assert client.get("/feedback/import/").status_code == 200
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/feedback/import/{job.pk}/"

    preview = client.get(f"/feedback/import/{job.pk}/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "I cannot log in to the app" in html and "not a date" in html  # first rows and their problems
    assert '<option value="Response ID" selected>' in html  # detected mapping, editable

    started = client.post(f"/feedback/import/{job.pk}/start/", {
        "external_id": "Response ID", "received_at": "Submitted", "text": "Comment", "nps": "NPS",
        "csat_max": 5, "default_channel": "survey", "save_for_source": "on"})
    assert started.status_code == 302
    job = wait_for(job)
    assert (job.status, job.imported, job.rejected) == ("done", 3, 1)
    assert job.redactions == {"email": 1}
    assert job.source.mapping["external_id"] == "Response ID"  # remembered for the source
    progress = client.get(f"/feedback/import/{job.pk}/progress/")
    assert progress.status_code == 200 and progress["HX-Trigger"] == "import-finished"
    report = client.get(f"/feedback/import/{job.pk}/errors.csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "file,row,column,value,reason" and lines[1].startswith("survey.csv,4,Submitted,not a date")
    assert "jo@example.com" not in "".join(Feedback.objects.values_list("text", flat=True))


@pytest.mark.django_db(transaction=True)
def test_failed_import_can_be_resumed(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = signed_in(small_org.keeper)
    upload(client)
    job = ImportJob.objects.get()
    job.status = "failed"
    job.save()
    response = client.post(f"/feedback/import/{job.pk}/resume/")
    assert response.status_code == 302
    job = wait_for(job)
    assert job.status == "done" and job.imported == 3


@pytest.mark.parametrize("persona", ["viewer", "it_member"])
def test_only_keepers_and_admins_import(small_org, persona, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = signed_in(getattr(small_org, persona))
    assert client.get("/feedback/import/").status_code == 403
    assert upload(client).status_code == 403
    assert not ImportJob.objects.exists()


def test_anonymous_is_sent_to_sign_in(db):
    assert Client().get("/feedback/import/").status_code == 302


def token_for(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user, 'test', acting_user=user)[1]}"}


def test_batch_api_json_and_ndjson(small_org):
    client = Client()
    items = [{"external_id": "A1", "received_at": "2026-05-01T10:00:00Z", "channel": "app",
              "text": "cannot log in", "nps": 3},
             {"external_id": "A2", "received_at": "2026-05-01", "channel": "app", "nps": 12},
             {"external_id": "A3", "received_at": "2026-05-01", "channel": "app", "colour": "red"}]
    response = client.post("/api/v1/imports/batch?source=App", json.dumps(items), content_type="application/json",
                           **token_for(small_org.keeper))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["imported"], body["rejected"]) == (1, 2)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(2, "nps"), (3, "colour")}
    ndjson = "\n".join(json.dumps(i) for i in items[:1]) + "\n{broken\n"
    again = client.post("/api/v1/imports/batch?source=App", ndjson, content_type="application/x-ndjson",
                        **token_for(small_org.keeper)).json()
    assert (again["imported"], again["duplicates"], again["rejected"]) == (0, 1, 1)
    assert Feedback.objects.count() == 1


def test_batch_api_refuses_viewers_and_bad_bodies(small_org):
    client = Client()
    refused = client.post("/api/v1/imports/batch?source=App", "[]", content_type="application/json",
                          **token_for(small_org.viewer))
    assert refused.status_code == 403 and "keeper" in refused.json()["detail"]
    bad = client.post("/api/v1/imports/batch?source=App", "{not json", content_type="application/json",
                      **token_for(small_org.keeper))
    assert bad.status_code == 422 and "not JSON" in json.dumps(bad.json())


def test_import_jobs_api(small_org, tmp_path):
    from cxkeeper.insights import pipeline
    from cxkeeper.insights.actions import create_source

    path = tmp_path / "s.csv"
    path.write_bytes(CSV)
    job = pipeline.import_file(path, source=create_source({"name": "S", "default_channel": "survey"},
                                                          acting_user=SYSTEM), acting_user=SYSTEM)
    client = Client()
    listed = client.get("/api/v1/imports", **token_for(small_org.keeper)).json()
    assert listed[0]["id"] == job.pk and listed[0]["imported"] == 3
    one = client.get(f"/api/v1/imports/{job.pk}", **token_for(small_org.admin)).json()
    assert one["rejected"] == 1
    assert client.get("/api/v1/imports", **token_for(small_org.viewer)).status_code == 403
