"""Importing files end to end: bad rows of every kind, re-import, a crash and a resume."""

import csv
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
from cxkeeper.testing import processes

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
    resumed = pipeline.resume_import(job, chunk_rows=100, acting_user=small_org.keeper)
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


def test_a_missing_acting_user_is_refused_not_taken_as_trusted(tmp_path, source, small_org):
    """`acting_user` has no default anywhere in insights, and None is a TypeError."""
    path = write(tmp_path, "x.csv", GOOD)
    with pytest.raises(TypeError, match="acting_user"):
        pipeline.import_file(path, source=source, acting_user=None)
    with pytest.raises(TypeError, match="acting_user"):
        pipeline.start_import(path, source=source, acting_user=None)
    with pytest.raises(TypeError):
        pipeline.import_file(path, source=source)  # forgotten: no default
    job = pipeline.start_import(path, source=source, acting_user=small_org.keeper)
    with pytest.raises(TypeError, match="acting_user"):
        pipeline.resume_import(job, acting_user=None)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not Feedback.objects.exists()


def test_no_insights_function_defaults_acting_user():
    import importlib
    import inspect
    import pkgutil

    import cxkeeper.insights as package

    defaults = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            parameter = inspect.signature(function).parameters.get("acting_user")
            if parameter is not None and parameter.default is not inspect.Parameter.empty:
                defaults.append(f"{info.name}.{name}")
    assert not defaults, f"acting_user with a default: {defaults}"


def _cxkeeper(data_dir, *args, **kwargs):
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # this test kills a real process on the embedded store
    return subprocess.Popen([sys.executable, "-m", "cxkeeper", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.parametrize("workers", ["0", "1"])
def test_killed_import_process_resumes_with_no_duplicates_and_no_half_chunk(tmp_path, workers, monkeypatch):
    """A real crash: SIGKILL the importing process mid-file, then resume it from the CLI; with
    text worker processes too, which must not outlive the killed import."""
    monkeypatch.setenv("CXKEEPER_IMPORT_WORKERS", workers)
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
    children = processes.children(process.pid)
    assert len(children) == int(workers)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(processes.alive(pid) for pid in children):
        time.sleep(0.1)
    assert not any(processes.alive(pid) for pid in children), "text workers outlived the killed import"
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


def _stored(source):
    return list(Feedback.objects.filter(source=source).order_by("external_id").values_list(
        "external_id", "text", "step_id", "routing_confidence", "routed_by", "sentiment", "nps", "customer_hash"))


def test_worker_processes_store_exactly_what_the_importing_process_would(tmp_path, small_org, monkeypatch):
    """The same file imported with text worker processes and without: identical rows,
    redaction counts and rollups; chunks still commit one by one with the watermark."""
    from cxkeeper.sample.feedback import generate_feedback

    path = tmp_path / "mixed.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "channel", "customer", "comment", "nps", "csat", "ces", "event"])
        for i, row in enumerate(generate_feedback(1200, seed=5)):
            writer.writerow([f"R{i % 1100}", row["received_at"].isoformat(), row["channel"], row["customer_id"],
                             row["text"], row["nps"], row["csat"], row["ces"],
                             row["event_type"]])  # the last 100 ids repeat: duplicates
    jobs, stored = {}, {}
    for workers in ("0", "2"):
        monkeypatch.setenv("CXKEEPER_IMPORT_WORKERS", workers)
        source = create_source({"name": f"Survey {workers}"}, acting_user=small_org.keeper)
        seen = []
        jobs[workers] = pipeline.import_file(path, source=source, acting_user=small_org.keeper, chunk_rows=250,
                                             progress=lambda job, seen=seen: seen.append(job.rows_done))
        assert seen == sorted(seen) and len(seen) == 5  # every chunk committed, in file order
        stored[workers] = _stored(source)
    serial, parallel = jobs["0"], jobs["2"]
    assert (parallel.imported, parallel.duplicates, parallel.rejected) == (serial.imported, serial.duplicates,
                                                                         serial.rejected) == (1100, 100, 0)
    assert parallel.redactions == serial.redactions and sum(serial.redactions.values()) > 0
    # routing confidences may differ in the last float bits (texts batched differently)
    assert [row[:3] + row[4:] for row in stored["2"]] == [row[:3] + row[4:] for row in stored["0"]]
    assert [row[3] for row in stored["2"]] == pytest.approx([row[3] for row in stored["0"]], abs=1e-6)
    assert any(row[2] is not None for row in stored["0"]) and any(row[5] for row in stored["0"])


def test_worker_count_depends_on_the_file_and_the_setting(tmp_path, monkeypatch):
    small = write(tmp_path, "small.csv", GOOD)
    monkeypatch.delenv("CXKEEPER_IMPORT_WORKERS", raising=False)
    assert pipeline.import_workers(small) == 0
    monkeypatch.setattr(pipeline, "WORKERS_MIN_BYTES", 10)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    assert pipeline.import_workers(small) == 1
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 1)
    assert pipeline.import_workers(small) == 0
    monkeypatch.setenv("CXKEEPER_IMPORT_WORKERS", "3")
    assert pipeline.import_workers(small) == 3


def test_a_failing_text_worker_hands_the_rest_of_the_import_to_the_importing_process(tmp_path, source, small_org,
                                                                                      monkeypatch):
    from concurrent.futures import Future

    from cxkeeper.insights.text.batch import WorkerError

    class DeadWorkers:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            pass

        def submit(self, texts):
            future = Future()
            future.set_exception(WorkerError("text worker 1 stopped (exit code -9)"))
            return future

    monkeypatch.setenv("CXKEEPER_IMPORT_WORKERS", "1")
    monkeypatch.setattr(pipeline, "TextWorkers", DeadWorkers)
    job = pipeline.import_file(write(tmp_path, "good.csv", GOOD), source=source, acting_user=small_org.keeper,
                               chunk_rows=100)
    assert job.status == JobStatus.DONE and (job.imported, job.duplicates) == (500, 0)
    assert Feedback.objects.filter(source=source, sentiment__isnull=False).count() == 500


def test_the_inlined_datetime_adapter_matches_django(db):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db import connection

    from cxkeeper.insights.actions import _datetime_adapter

    adapt = _datetime_adapter()
    for value in (None, dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC),
                  dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=ZoneInfo("Europe/London")),
                  dt.datetime(2026, 10, 25, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
                  dt.datetime(2026, 1, 1, 0, 0)):
        assert adapt(value) == connection.ops.adapt_datetimefield_value(value)
