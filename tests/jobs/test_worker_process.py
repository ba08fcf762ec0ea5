"""Real `cxkeeper worker` processes on a store of their own (a SQLite file in a temp data folder,
or, when DATABASE_URL is set, a fresh PostgreSQL database next to the test one): a worker
killed with SIGKILL mid-job leaves the job to the next worker, which finishes it; two workers
started together run each job once; SIGTERM stops a worker gracefully."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import pytest

TESTS = Path(__file__).resolve().parents[1]
FAST = {"CXKEEPER_JOBS_LEASE_SECONDS": "2",  # a killed worker's job is free again 2 s later
        "CXKEEPER_JOBS_POLL_SECONDS": "0.2", "CXKEEPER_JOBS_BACKOFF_SECONDS": "0.5",
        "CXKEEPER_JOBS_MODULES": "jobs.tasks_for_tests"}
ENQUEUE = """
import json, sys
from cxkeeper.core.cli import setup_django
setup_django(None)
import importlib
from cxkeeper import jobs as queue
importlib.import_module("jobs.tasks_for_tests")
print(json.dumps([queue.enqueue(name, **kwargs) for name, kwargs in json.loads(sys.argv[1])]))
"""


@dataclass
class Store:
    env: dict
    query: callable
    tmp: Path

    def cxkeeper(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cxkeeper", *args], env=self.env, capture_output=True,
                              text=True, timeout=120, check=True)

    def enqueue(self, *jobs: tuple[str, dict]) -> list[int]:
        done = subprocess.run([sys.executable, "-c", ENQUEUE, json.dumps(jobs)], env=self.env, capture_output=True,
                              text=True, timeout=120, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def worker(self, *args: str, log: str = "worker.log") -> subprocess.Popen:
        with (self.tmp / log).open("ab") as out:
            return subprocess.Popen([sys.executable, "-m", "cxkeeper", "worker", *args], env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def job(self, pk: int) -> dict:
        status, attempts, done, error, worker = self.query(
            "SELECT status, attempts, progress_done, last_error, worker FROM jobs_job WHERE id = ?", (pk,))
        return {"status": status, "attempts": attempts, "done": done, "error": error, "worker": worker}

    def wait(self, pk: int, until, seconds: float = 90) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            job = self.job(pk)
            if until(job):
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {pk}: {job}")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One store for the module: its schema is migrated once (the slow part of a fresh store)."""
    tmp_path = tmp_path_factory.mktemp("worker")
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, **FAST, "CXKEEPER_DATA_DIR": str(data),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH", "")]))}
    env.pop("DATABASE_URL", None)
    url = os.environ.get("DATABASE_URL")
    drop = None
    if url:
        import psycopg

        config = dj_database_url.parse(url)
        name = f"{config['NAME']}_jobs_{os.getpid()}"
        admin = psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                                password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = live = url.rsplit("/", 1)[0] + "/" + name

        def query(sql, params):
            with psycopg.connect(live, autocommit=True) as connection:
                return connection.execute(sql.replace("?", "%s"), params).fetchone()

        def drop():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    else:
        def query(sql, params):
            with sqlite3.connect(data / "cxkeeper.sqlite3", timeout=30) as connection:
                return connection.execute(sql, params).fetchone()

    try:
        Store(env, query, tmp_path).cxkeeper("init")  # the schema, once
        yield Store(env, query, tmp_path)
    finally:
        if drop:
            drop()


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def test_a_worker_killed_mid_job_leaves_it_to_the_next_worker(store, tmp_path):
    marker = tmp_path / "counted.txt"
    [pk] = store.enqueue(("tests.steps", {"total": 25, "path": str(marker), "pause": 0.2}))
    first = store.worker(log="first.log")
    try:
        running = store.wait(pk, lambda job: job["status"] == "running" and job["done"] >= 3)
    finally:
        os.kill(first.pid, signal.SIGKILL)  # mid-job: no chance to hand it back
        first.wait(timeout=30)
    left = store.job(pk)
    assert left["status"] == "running" and left["done"] < 25 and not marker.exists(), left

    second = store.worker(log="second.log")
    try:
        done = store.wait(pk, lambda job: job["status"] == "done")
    finally:
        assert _stop(second) == 0  # SIGTERM: a graceful stop
    assert (done["attempts"], done["done"]) == (2, 25), done
    assert "stopped" in done["error"] and done["worker"] != running["worker"]
    assert marker.read_text(encoding="utf-8") == "done on attempt 2\n"
    assert "Worker stopped after 1 job" in (store.tmp / "second.log").read_text()
    shown = json.loads(store.cxkeeper("jobs", "show", str(pk), "--json").stdout)
    assert (shown["status"], shown["title"], shown["attempts"]) == ("done", "Count slowly", 2)
    assert shown["stage"] == "Counted"


def test_two_workers_started_together_run_each_job_once(store, tmp_path):
    ran = tmp_path / "ran.txt"
    ids = store.enqueue(*[("tests.record", {"value": i, "path": str(ran), "pause": 0.05}) for i in range(40)])
    workers = [store.worker("--once", "--concurrency", "2", log=f"w{n}.log") for n in range(2)]
    for process in workers:
        assert process.wait(timeout=120) == 0
    for pk in ids:
        assert store.job(pk)["status"] == "done"
    values = sorted(int(line.split()[0]) for line in ran.read_text().splitlines())
    assert values == list(range(40))  # each job ran once, whichever worker took it
    listed = store.cxkeeper("jobs", "list", "--status", "done", "--limit", "100", "--json")
    assert set(ids) <= {job["id"] for job in json.loads(listed.stdout)}
