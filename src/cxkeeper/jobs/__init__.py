"""Background work without a broker (issue 15): tasks declared with `@task`, queued with
`enqueue`, repeated with `schedule`, run by `cxkeeper worker` (started by `cxkeeper serve`
and `cxkeeper demo` on the embedded store).

This is the public interface; the queue behind it lives in this package. Until the database
queue lands, `enqueue` runs the task at once in the calling process and schedules are only
recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

TASKS: dict[str, Callable] = {}


@dataclass(frozen=True)
class Schedule:
    task_name: str
    every: timedelta          # e.g. timedelta(days=7)
    at: time | None = None    # local time of day it runs (None: `every` from the last run)
    weekday: int | None = None  # 0 = Monday, for weekly schedules


SCHEDULES: dict[str, Schedule] = {}


def task(name: str, *, max_attempts: int = 5) -> Callable[[Callable], Callable]:
    """Declare a background task under a stable name (the name is stored with queued jobs).
    Its keyword arguments must be JSON-serialisable; it may run more than once (after a crash),
    so it must be safe to repeat."""

    def register(fn: Callable) -> Callable:
        fn.task_name = name
        fn.max_attempts = max_attempts
        TASKS[name] = fn
        return fn

    return register


def enqueue(name: str, /, run_at: datetime | None = None, **kwargs) -> int | None:
    """Queue the task `name` with JSON-serialisable keyword arguments, to run as soon as a
    worker is free or not before `run_at`. Returns the job's id (None when run at once)."""
    TASKS[name](**kwargs)
    return None


def schedule(name: str, *, every: timedelta, at: time | None = None, weekday: int | None = None) -> Schedule:
    """Run the task `name` (no arguments) repeatedly: weekly on `weekday` at `at`, daily at `at`,
    or every `every`. Declared at import of the module defining the task."""
    entry = Schedule(name, every, at, weekday)
    SCHEDULES[name] = entry
    return entry


def run_pending() -> int:
    """Run every queued job that is due now, in this process (tests and the CLI); returns how many ran."""
    return 0
