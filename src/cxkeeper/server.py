"""The web server behind `cxkeeper serve` and `cxkeeper demo`.

Several worker processes (gunicorn, pre-fork, a few threads each) by default: Python runs one
thread at a time per process, so one process saturates one core whatever its thread count
(measured: ~9 requests/s on the demo with 8 threads). One process (`--workers 1`, or where
the platform cannot fork) is served by waitress, the single-process server cxkeeper always had.

Background work does not depend on which worker runs it: imports and learning claim their job
row in the database and keep a heartbeat on it (`insights.jobs`, `insights.relearn`), so a
second worker never runs the same job, and a job whose worker stopped is taken over by another
(`insights.jobs.watch_orphans`, started in every worker). Workers are never recycled after a
number of requests, and a stopping worker is given `GRACEFUL_TIMEOUT` seconds to finish the
requests it is serving.
"""

from __future__ import annotations

import os
import sys

TIMEOUT = 120  # seconds a worker may stay silent before the arbiter restarts it (a PDF export is a few)
GRACEFUL_TIMEOUT = 30  # seconds a stopping worker gets to finish its requests
MAX_DEFAULT_WORKERS = 8
THREADS_PER_WORKER = 4  # waiting on the database overlaps with another request's Python work
SINGLE_PROCESS_THREADS = 8  # the single-process server's threads (the figure measured as the baseline)


def cores() -> int:
    """Cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def default_workers() -> int:
    """One worker per core plus one (so a core is not idle while a worker waits on the
    database or the disk), at least 2 and at most 8; one where the platform cannot fork."""
    if not can_fork():
        return 1
    return max(2, min(cores() + 1, MAX_DEFAULT_WORKERS))


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def describe(workers: int, threads: int) -> str:
    if workers <= 1:
        return f"one process, {threads} threads"
    return f"{workers} worker processes × {threads} threads"


def serve(host: str, port: int, *, workers: int | None = None, threads: int | None = None,
          announce=print) -> None:
    """Serve the app (Django is set up and migrated) until stopped. `workers` None = the default."""
    workers = default_workers() if workers is None else max(1, workers)
    if workers > 1 and not can_fork():
        announce("This platform cannot start worker processes; serving from one process.")
        workers = 1
    threads = threads or (SINGLE_PROCESS_THREADS if workers == 1 else THREADS_PER_WORKER)
    shown = f"[{host}]" if ":" in host else host
    announce(f"Serving cxkeeper on http://{shown}:{port}/ with {describe(workers, threads)}  (Ctrl+C to stop)")
    if workers == 1:
        _single_process(host, port, threads)
    else:
        _worker_processes(host, port, workers, threads)


def _single_process(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from cxkeeper.insights import jobs
    from cxkeeper.wsgi import application

    jobs.watch_orphans()
    waitress_serve(application, host=host, port=port, threads=threads, ident="cxkeeper")


def _worker_processes(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class CxkeeperServer(BaseApplication):
        def load_config(self):
            bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            for key, value in {
                "bind": [bind],
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                # The app is imported once, before the fork: workers share its memory pages
                # and start in milliseconds. Database connections are closed before forking.
                "preload_app": True,
                "timeout": TIMEOUT,
                "graceful_timeout": GRACEFUL_TIMEOUT,
                "max_requests": 0,  # never recycle a worker: it may be running an import
                "keepalive": 5,
                "proc_name": "cxkeeper",
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "post_worker_init": _worker_started,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from django.db import connections

            from cxkeeper.wsgi import application

            connections.close_all()  # a connection opened before the fork must not be shared
            return application

    CxkeeperServer().run()


def _worker_started(worker) -> None:
    """In each worker, once forked: watch for imports whose worker stopped."""
    from cxkeeper.insights import jobs

    jobs.watch_orphans()
