"""`cxkeeper serve --workers 2`, for real: a server process with two web workers and its job
worker on a loopback port, people signing in through the form, pages, imports through the API
and the import page — each import stored once — and an import whose job worker is killed
(kill -9) finished by the worker the server starts again, once. On SQLite (a temp data
folder) and, when DATABASE_URL is set, on a fresh PostgreSQL database next to the test one."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import pytest

from cxkeeper.testing.loopback import Browser, cxkeeper_server
from cxkeeper.testing.processes import job_workers, web_workers

PASSWORD = "a long test password 42"
FAST = {"CXKEEPER_HEARTBEAT_SECONDS": "1",  # stale after 6 s: a stopped worker is noticed quickly
        "CXKEEPER_JOBS_LEASE_SECONDS": "3", "CXKEEPER_JOBS_POLL_SECONDS": "0.3",  # a killed job worker's job
        "CXKEEPER_IMPORT_WORKERS": "0"}  # the import stays in the job worker's process (slower, killable)


@dataclass
class Served:
    port: int
    pid: int
    query: callable
    log: Path

    def browser(self) -> Browser:
        browser = Browser("127.0.0.1", self.port)
        browser.sign_in("ada", PASSWORD)
        return browser

    def one(self, sql: str, *params):
        return self.query(sql, params)[0]


def _fresh_postgres(url: str, name: str):
    import psycopg

    config = dj_database_url.parse(url)
    admin = psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                            password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    live = url.rsplit("/", 1)[0] + "/" + name

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    def query(sql, params):
        with psycopg.connect(live, autocommit=True) as connection:
            return connection.execute(sql.replace("?", "%s"), params).fetchone()

    return live, query, drop


@pytest.fixture
def served(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    url = os.environ.get("DATABASE_URL")
    if url:
        live, query, drop = _fresh_postgres(url, f"{dj_database_url.parse(url)['NAME']}_live_{os.getpid()}")
    else:
        live, drop = None, lambda: None

        def query(sql, params):
            with sqlite3.connect(data / "cxkeeper.sqlite3", timeout=30) as connection:
                return connection.execute(sql, params).fetchone()

    env = {**os.environ, **FAST, "CXKEEPER_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    if live:
        env["DATABASE_URL"] = live
    subprocess.run([sys.executable, "-m", "cxkeeper", "createuser", "ada", "--role", "admin", "--password", PASSWORD],
                   env=env, check=True, capture_output=True)
    log = tmp_path / "server.log"
    try:
        with cxkeeper_server(data, workers=2, database_url=live, log=log, env=FAST) as (port, pid):
            yield Served(port, pid, query, log)
    finally:
        drop()


def _workers(served: Served) -> list[int]:
    for _ in range(100):
        found = web_workers(served.pid)
        if len(found) == 2 and len(job_workers(served.pid)) == 1:
            return found
        time.sleep(0.2)
    raise AssertionError(f"expected 2 web workers and a job worker, found {web_workers(served.pid)}, "
                         f"{job_workers(served.pid)}")


def _csv(rows: int, prefix: str) -> bytes:
    lines = ["external_id,received_at,channel,text,nps"]
    lines += [f"{prefix}{i},2026-05-{1 + i % 28:02d} 10:00,app,message {i} about the bill and the app,{i % 11}"
              for i in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def _upload_and_start(browser: Browser, rows: int, source: str) -> int:
    status, _, headers = browser.post("/feedback/import/", {"new_source": source, "kind": "", "format": ""},
                                      files={"file": (f"{source}.csv", _csv(rows, source))})
    assert status == 302, status
    job = int(re.search(r"/feedback/import/(\d+)/", headers["Location"]).group(1))
    mapping = {name: name for name in ("external_id", "received_at", "channel", "text", "nps")}
    status, _, _ = browser.post(f"/feedback/import/{job}/start/", {**mapping, "csat_max": "5",
                                                                  "save_for_source": "on"})
    assert status == 302, status
    return job


def _wait_until_done(browser: Browser, job: int, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = browser.api("GET", f"/api/v1/imports/{job}")
        assert status == 200, body
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.5)
    raise AssertionError(f"import {job} did not finish: {body}")


def _runner_pid(runner: str) -> int:
    return int(runner.rsplit(":", 1)[1])


def test_two_workers_serve_people_and_store_each_import_once(served):
    workers = _workers(served)
    people = [served.browser() for _ in range(3)]
    for path in ("/", "/journeys/", "/teams/", "/feedback/import/", "/scorecards/organization/", "/api/v1/docs"):
        assert people[0].get(path)[0] == 200, path

    # The same API batch sent by two people at the same moment, to whichever workers: stored once.
    items = json.dumps([{"external_id": f"api-{i}", "received_at": "2026-05-02T10:00:00Z", "channel": "app",
                         "text": f"the app logged me out again ({i})", "nps": i % 11} for i in range(300)])
    answers = []
    threads = [threading.Thread(target=lambda b=b: answers.append(
        b.api("POST", "/api/v1/imports/batch?source=Api", items))) for b in people[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [status for status, _ in answers] == [200, 200], answers
    assert sum(body["imported"] for _, body in answers) == 300
    assert sum(body["duplicates"] for _, body in answers) == 300
    assert served.one("SELECT count(*) FROM insights_feedback WHERE external_id LIKE ?", "api-%") == 300

    # A file through the import page: the job worker runs it, once.
    job = _upload_and_start(people[0], 3000, "page")
    assert people[1].post(f"/feedback/import/{job}/start/", {"external_id": "external_id"})[0] == 302  # 2nd click
    done = _wait_until_done(people[2], job)
    # rows_done counts rows as a spreadsheet does: the header is row 1
    assert (done["status"], done["imported"], done["duplicates"], done["rows_done"]) == ("done", 3000, 0, 3001)
    assert served.one("SELECT count(*) FROM insights_feedback WHERE external_id LIKE ?", "page%") == 3000
    runner = served.one("SELECT runner FROM insights_importjob WHERE id = ?", job)
    assert runner.startswith("worker ") and _runner_pid(runner) in job_workers(served.pid)
    assert _runner_pid(runner) not in workers
    assert served.one("SELECT count(*) FROM insights_importjob") == 1


def test_an_import_whose_job_worker_is_killed_is_finished_by_the_next_one_once(served):
    _workers(served)
    person = served.browser()
    rows = 40_000
    job = _upload_and_start(person, rows, "big")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the first chunks are stored, then kill its worker
        status, rows_done, runner = served.query(
            "SELECT status, rows_done, runner FROM insights_importjob WHERE id = ?", (job,))
        if rows_done >= 2000:
            break
        time.sleep(0.1)
    assert status == "running" and rows_done < rows, (status, rows_done)
    killed = _runner_pid(runner)
    assert killed in job_workers(served.pid)
    os.kill(killed, signal.SIGKILL)  # the job worker of the server this test started

    done = _wait_until_done(person, job, seconds=300)
    assert (done["status"], done["imported"], done["duplicates"]) == ("done", rows, 0), done
    assert done["rows_done"] == rows + 1
    assert served.one("SELECT count(*) FROM insights_feedback WHERE external_id LIKE ?", "big%") == rows
    taken_over_by = served.one("SELECT runner FROM insights_importjob WHERE id = ?", job)
    assert _runner_pid(taken_over_by) != killed
    assert "resumed after row" in served.log.read_text()
    assert len(web_workers(served.pid)) == 2 and len(job_workers(served.pid)) == 1  # started again
