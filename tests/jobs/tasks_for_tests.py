"""Tasks the queue tests run, in this process (`run_pending`) or in a real `cxkeeper worker`
(which imports this module through CXKEEPER_JOBS_MODULES=jobs.tasks_for_tests)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cxkeeper import jobs
from cxkeeper.jobs import runner

RAN: list[dict] = []  # in-process runs: what each got


@jobs.task("tests.record", title="Record that it ran")
def record(value=None, path: str = "", pause: float = 0.0):
    if pause:
        time.sleep(pause)
    RAN.append({"value": value, "attempt": runner.current().attempts})
    if path:  # a worker process: one line per run, appended (O_APPEND writes of a line do not interleave)
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(f"{value} {os.getpid()}\n")


@jobs.task("tests.fail", max_attempts=3, title="Fail")
def fail(until_attempt: int = 99):
    if runner.current().attempts <= until_attempt:
        raise RuntimeError(f"boom on attempt {runner.current().attempts}\nsecond line")
    RAN.append({"value": "recovered", "attempt": runner.current().attempts})


@jobs.task("tests.give_up")
def give_up():
    raise jobs.GiveUp("The file cannot be read: it is not a spreadsheet.")


@jobs.task("tests.steps", title="Count slowly")
def steps(total: int, path: str, pause: float = 0.2):
    """Counts to `total`, one step per `pause` seconds, with progress; writes `path` when done."""
    done = runner.current().progress_done  # a retried run continues after the last reported step
    for step in range(done, total):
        jobs.progress(done=step, total=total, stage=f"Counting: {step} of {total}")
        time.sleep(pause)
    jobs.progress(done=total, total=total, stage="Counted")
    Path(path).write_text(f"done on attempt {runner.current().attempts}\n", encoding="utf-8")


@jobs.task("tests.tick")
def tick():
    RAN.append({"value": "tick", "attempt": runner.current().attempts})
