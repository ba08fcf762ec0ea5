"""Background work without a broker (issue 15): tasks declared with `@task`, queued with
`enqueue`, run by `cxkeeper worker` (started by `cxkeeper serve` and `cxkeeper demo` on the
embedded store).

This is the public interface; the queue behind it lives in this package. Until the database
queue lands, `enqueue` runs the task at once in the calling process.
"""

from __future__ import annotations

from collections.abc import Callable

TASKS: dict[str, Callable] = {}


def task(name: str, *, max_attempts: int = 5) -> Callable[[Callable], Callable]:
    """Declare a background task under a stable name (the name is stored with queued jobs)."""

    def register(fn: Callable) -> Callable:
        fn.task_name = name
        fn.max_attempts = max_attempts
        TASKS[name] = fn
        return fn

    return register


def enqueue(name: str, /, **kwargs) -> None:
    """Queue the task `name` with JSON-serialisable keyword arguments."""
    TASKS[name](**kwargs)


def run_pending() -> int:
    """Run every queued job now, in this process (tests and the CLI); returns how many ran."""
    return 0
