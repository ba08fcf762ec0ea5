"""Background work without a broker (issue 15, decision 0039): tasks declared with `@task`,
queued with `enqueue`, repeated with `schedule`, run by `cxkeeper worker` (which `cxkeeper
serve` and `cxkeeper demo` start beside the web server unless told not to).

The queue is a table of the workspace database (`jobs.models.Job`, written by `jobs.queue`):
a job queued inside a transaction appears when it commits; a worker claims a due job with a
lease it renews while the job runs, so a worker killed mid-job leaves a lease that runs out and
the job is queued again; a failed run is retried with exponential backoff up to the task's
`max_attempts`, then the job is failed with the error in one line. Nothing runs at once:
`enqueue` only queues — tests (and a CLI that wants the work done now) call `run_pending()`.

Tasks must be importable by the worker: declare them in an app's `tasks.py` or `jobs.py`, or in
a module the URLs import (`registry.load_tasks`). Their keyword arguments are JSON; they may
run more than once (after a crash), so they must be safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from cxkeeper.jobs.errors import GiveUp, RunLater
from cxkeeper.jobs.registry import SCHEDULES, TASKS, Schedule, title_of

__all__ = ["SCHEDULES", "TASKS", "GiveUp", "RunLater", "Schedule", "enqueue", "enqueue_once", "progress",
           "run_pending", "schedule", "task", "title_of"]


def task(name: str, *, max_attempts: int = 5, title: str = "") -> Callable[[Callable], Callable]:
    """Declare a background task under a stable name (the name is stored with queued jobs).
    Its keyword arguments must be JSON-serialisable; it may run more than once (after a crash),
    so it must be safe to repeat. `title`: what people read for it ("Import a file")."""

    def register(fn: Callable) -> Callable:
        fn.task_name = name
        fn.max_attempts = max_attempts
        fn.title = title
        TASKS[name] = fn
        return fn

    return register


def enqueue(name: str, /, run_at: datetime | None = None, **kwargs) -> int | None:
    """Queue the task `name` with JSON-serialisable keyword arguments, to run as soon as a
    worker is free or not before `run_at`. Returns the job's id. Inside a transaction the job
    exists for workers only once the transaction commits."""
    from cxkeeper.jobs import queue

    return queue.add(name, kwargs, run_at=run_at)[0]


def enqueue_once(key: str, name: str, /, run_at: datetime | None = None, **kwargs) -> tuple[int, bool]:
    """`enqueue`, unless a job with the same `key` is already waiting or running: then that
    job's id. Returns (id, whether this call queued it)."""
    from cxkeeper.jobs import queue

    return queue.add(name, kwargs, run_at=run_at, dedupe_key=key)


def schedule(name: str, *, every: timedelta, at: time | None = None, weekday: int | None = None) -> Schedule:
    """Run the task `name` (no arguments) repeatedly: weekly on `weekday` at `at`, daily at `at`,
    or every `every`. Declared at import of the module defining the task. Each due run is
    queued once, however many workers run."""
    entry = Schedule(name, every, at, weekday)
    SCHEDULES[name] = entry
    return entry


def progress(done: int | None = None, total: int | None = None, stage: str | None = None) -> None:
    """From inside a running task: how far it is (`done` of `total`) and what it does now, in
    plain words — shown on the Background work page, the API and `cxkeeper jobs`. Outside a
    job (the CLI running the same code inline) it does nothing."""
    from cxkeeper.jobs import queue, runner

    job = runner.current()
    if job is not None:
        queue.progress(job, done=done, total=total, stage=stage)


def run_pending(*, limit: int = 1000) -> int:
    """Run every queued job that is due now, in this process (tests and the CLI); returns how many ran."""
    from cxkeeper.jobs import queue, registry, runner

    registry.load_tasks()
    queue.requeue_expired()
    queue.materialise_schedules()
    me = queue.worker_id("inline")
    ran = 0
    while ran < limit:
        job = queue.claim(me)
        if job is None:
            break
        runner.execute(job)
        ran += 1
    return ran
