"""Importing files end to end: bad rows of every kind, re-import, a crash and a resume."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from cxkeeper.insights import pipeline
from cxkeeper.insights.actions import create_source
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.models import Feedback, FeedbackRollup
from cxkeeper.insights.queries import rollups, total

GOOD = "id,date,comment,nps,ces,channel,customer\n" + "".join(
    f"{i},2026-05-{1 + i % 28:02d} 10:00,comment number {i} about logging in,{i % 11},{1 + i % 7},app,C{i % 50}\n"
    for i in range(1, 501))

BAD = """id,date,comment,nps,csat,ces,channel
1,2026-05-01,fine,9,5,6,app
,2026-05-01,missing id,9,,,app
3,yesterday-ish,bad date,9,,,app
4,2026-05-01,nps too high,11,,,app
5,2026-05-01,nps in words,nine,,,app
6,2026-05-01,csat zero,,0,,app
7,2026-05-01,ces eight,,,8,app
8,2026-05-01,ok again,3,2,2,phone
"""


@pytest.fixture
def source(small_org):
    return create_source({"name": "Survey"}, acting_user=small_org.keeper)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_rows_of_every_kind_are_reported_and_the_rest_imported(tmp_path, source, small_org):
    path = write(tmp_path, "bad.csv", BAD)
    job = pipeline.import_file(path, source=source, acting_user=small_org.keeper)
    assert job.status == JobStatus.DONE
    assert (job.imported, job.rejected, job.duplicates) == (2, 6, 0)
    problems = {(e.row, e.column): e.reason for e in job.row_errors.all()}
    assert set(problems) == {(3, "id"), (4, "date"), (5, "nps"), (6, "nps"), (7, "csat"), (8, "ces")}
    assert "'11'" in problems[(5, "nps")] and "'nine'" in problems[(6, "nps")]
    report = "".join(pipeline.error_report_csv(job)).splitlines()
    assert report[0] == "file,row,column,value,reason" and report[1].startswith("bad.csv,3,id,")


def test_reimport_is_idempotent(tmp_path, source, small_org):
    path = write(tmp_path, "good.csv", GOOD)
    first = pipeline.import_file(path, source=source, acting_user=small_org.keeper, chunk_rows=100)
    cells = list(FeedbackRollup.objects.order_by("pk").values())
    second = pipeline.import_file(path, source=source, acting_user=small_org.keeper, chunk_rows=100)
    assert (first.imported, second.imported, second.duplicates) == (500, 0, 500)
    assert Feedback.objects.count() == 500
    assert list(FeedbackRollup.objects.order_by("pk").values()) == cells


def test_a_crash_between_chunks_resumes_without_duplicates(tmp_path, source, small_org):
    path = write(tmp_path, "good.csv", GOOD)
    job = pipeline.start_import(path, source=source, acting_user=small_org.keeper)

    def crash_after_two_chunks(current):
        if current.rows_done >= 201:
            raise KeyboardInterrupt("the power went out")

    with pytest.raises(KeyboardInterrupt):
        pipeline.run_import(job, path, chunk_rows=100, progress=crash_after_two_chunks)
    job.refresh_from_db()
    assert job.rows_done == 201 and Feedback.objects.count() == 200  # two whole chunks, nothing more
    resumed = pipeline.resume_import(job, chunk_rows=100)
    assert resumed.status == JobStatus.DONE and (resumed.imported, resumed.duplicates) == (500, 0)
    assert Feedback.objects.count() == 500 and total(rollups(), min_n=1).n == 500


def test_missing_required_column_fails_the_job_with_a_clear_message(tmp_path, source, small_org):
    path = write(tmp_path, "nodate.csv", "id,comment\n1,hello\n")
    job = pipeline.import_file(path, source=source, acting_user=small_org.keeper)
    assert job.status == JobStatus.FAILED
    assert "nodate.csv" in job.message and "comment" in job.message  # names the file and the columns found
    assert not Feedback.objects.exists()


def test_viewer_cannot_import(tmp_path, source, small_org):
    from cxkeeper.core.errors import Forbidden

    with pytest.raises(Forbidden):
        pipeline.import_file(write(tmp_path, "x.csv", GOOD), source=source, acting_user=small_org.viewer)


def _cxkeeper(data_dir, *args, **kwargs):
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # this test kills a real process on the embedded store
    return subprocess.Popen([sys.executable, "-m", "cxkeeper", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_killed_import_process_resumes_with_no_duplicates_and_no_half_chunk(tmp_path):
    """A real crash: SIGKILL the importing process mid-file, then resume it from the CLI."""
    rows = 30_000
    path = tmp_path / "big.csv"
    with open(path, "w") as handle:
        handle.write("id,date,comment,nps\n")
        for i in range(rows):
            handle.write(f"{i},2026-05-{1 + i % 28:02d},feedback {i},{i % 11}\n")
    data = tmp_path / "data"
    assert _cxkeeper(data, "init").wait(timeout=120) == 0
    process = _cxkeeper(data, "import", "feedback", str(path), "--json", "--chunk-rows", "500")
    database = data / "cxkeeper.sqlite3"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and done < 2000:
        time.sleep(0.05)
        try:
            with sqlite3.connect(database, timeout=1) as con:
                done = (con.execute("select max(rows_done) from insights_importjob").fetchone()[0] or 0)
        except sqlite3.OperationalError:
            continue
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(database) as con:
        job_id, rows_done, imported = con.execute("select id, rows_done, imported from insights_importjob").fetchone()
        stored = con.execute("select count(*) from insights_feedback").fetchone()[0]
    assert 0 < rows_done < rows + 1, "the kill should land mid-file"
    assert stored == imported == rows_done - 1  # whole chunks only: header line is row 1
    resumed = _cxkeeper(data, "import", "feedback", str(path), "--json", "--resume", str(job_id))
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    summary = json.loads(out)
    assert (summary["imported"], summary["duplicates"], summary["rejected"]) == (rows, 0, 0)
    with sqlite3.connect(database) as con:
        assert con.execute("select count(*), count(distinct external_id) from insights_feedback").fetchone() \
            == (rows, rows)
        assert con.execute("select sum(n) from insights_feedbackrollup").fetchone()[0] == rows
