"""The web server behind `cxkeeper serve` and `cxkeeper demo`.

Several worker processes (gunicorn, pre-fork, a few threads each) by default: Python runs one
thread at a time per process, so one process saturates one core whatever its thread count
(measured: ~9 requests/s on the demo with 8 threads). One process (`--workers 1`, or where
the platform cannot fork) is served by waitress, the single-process server cxkeeper always had.

Background work (imports, learning from review answers, digests, webhook deliveries) runs on
the job queue in the workspace database (`cxkeeper.jobs`, decision 0039), not in the web
processes: `serve` starts one `cxkeeper worker` process beside the web server and starts it
again if it dies (`JobWorker`), unless told not to (`--no-worker`, CXKEEPER_WORKER=off — then
run `cxkeeper worker` yourself, e.g. as a systemd service). A job whose worker is killed is
queued again when its lease runs out, so a restart loses nothing. Web workers are never
recycled after a number of requests, and a stopping worker is given `GRACEFUL_TIMEOUT`
seconds to finish the requests it is serving.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

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


def job_worker_wanted() -> bool:
    """CXKEEPER_WORKER=off (or 0, false, no) turns the worker `serve` starts off."""
    from django.conf import settings

    return str(getattr(settings, "CXKEEPER_WORKER", "on")).strip().lower() not in ("off", "0", "false", "no")


class JobWorker:
    """One `cxkeeper worker` child process, started again (after a pause growing to 30 s) when it
    stops by itself; stopped with SIGTERM (it finishes or hands back its jobs) at the end."""

    GRACE = 35  # seconds: the worker's own grace (25) and a margin

    def __init__(self, announce=print):
        self.announce = announce
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._keep_running, name="job-worker", daemon=True)

    def start(self) -> None:
        self._spawn()
        self.thread.start()

    def _spawn(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "cxkeeper", "worker"], env=dict(os.environ))  # noqa: S603

    def _keep_running(self) -> None:
        pause = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            code = self.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - started > 60:  # it had been running well: start it again soon
                pause = 1.0
            self.announce(f"The background job worker stopped (exit {code}); starting it again in {pause:.0f} s.")
            if self.stopping.wait(pause):
                return
            pause = min(30.0, pause * 2)
            self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=self.GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
        except (ProcessLookupError, ChildProcessError):
            pass


def serve(host: str, port: int, *, workers: int | None = None, threads: int | None = None,
          job_worker: bool = True, announce=print) -> None:
    """Serve the app (Django is set up and migrated) until stopped. `workers` None = the default;
    `job_worker`: start the background job worker beside it (unless CXKEEPER_WORKER=off)."""
    workers = default_workers() if workers is None else max(1, workers)
    if workers > 1 and not can_fork():
        announce("This platform cannot start worker processes; serving from one process.")
        workers = 1
    threads = threads or (SINGLE_PROCESS_THREADS if workers == 1 else THREADS_PER_WORKER)
    shown = f"[{host}]" if ":" in host else host
    announce(f"Serving cxkeeper on http://{shown}:{port}/ with {describe(workers, threads)}  (Ctrl+C to stop)")
    background = JobWorker(announce) if job_worker and job_worker_wanted() else None
    if background is not None:
        background.start()
        announce("Background work: one job worker process beside the web server (--no-worker to run your own).")
    else:
        announce("Background work: no job worker started here; run `cxkeeper worker` for imports and other jobs.")
    try:
        if workers == 1:
            _single_process(host, port, threads)
        else:
            _worker_processes(host, port, workers, threads)
    finally:
        if background is not None:
            background.stop()


def _single_process(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from cxkeeper.wsgi import application

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the job worker too (`serve`'s finally)
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
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from django.db import connections

            from cxkeeper.wsgi import application

            connections.close_all()  # a connection opened before the fork must not be shared
            return application

    CxkeeperServer().run()
