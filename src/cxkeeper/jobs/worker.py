"""`cxkeeper worker`: a process that runs queued jobs, `concurrency` at a time.

Each round it queues again the jobs of workers that died (`queue.requeue_expired`), queues the
repeated tasks that are due (`queue.materialise_schedules`), and claims due jobs while it has a
free thread; a beat thread renews the lease of every job it runs. SIGTERM or Ctrl+C stops it
gracefully: it claims nothing more, lets the running jobs finish for up to
``CXKEEPER_JOBS_GRACE_SECONDS`` (25), then hands back the ones still running (queued at once,
the attempt not counted) and exits. A second signal exits at once (the leases then run out).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection

from cxkeeper.jobs import queue, registry, runner
from cxkeeper.jobs.models import Job

log = logging.getLogger(__name__)
PRUNE_EVERY = 3600.0  # seconds between two clean-ups of old finished jobs


def poll_seconds() -> float:
    return float(getattr(settings, "CXKEEPER_JOBS_POLL_SECONDS", 1))


def grace_seconds() -> float:
    return float(getattr(settings, "CXKEEPER_JOBS_GRACE_SECONDS", 25))


class Worker:
    def __init__(self, concurrency: int = 1, *, announce=None):
        self.concurrency = max(1, concurrency)
        self.id = queue.worker_id("worker")
        self.stopping = threading.Event()
        self.running: dict[int, Job] = {}
        self.lock = threading.Lock()
        self.announce = announce or (lambda text: None)
        self.ran = 0
        self.pruned_at = 0.0

    def stop(self, *_args) -> None:
        if self.stopping.is_set():
            self.announce("Stopping now; unfinished jobs are queued again when their lease runs out.")
            os._exit(1)
        self.announce("Stopping: finishing the jobs under way (a second Ctrl+C stops at once).")
        self.stopping.set()

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def _free(self) -> int:
        with self.lock:
            return self.concurrency - len(self.running)

    def _run(self, job: Job) -> None:
        try:
            close_old_connections()
            status = runner.execute(job)
            log.info("job %s (%s): %s", job.pk, job.task, status or "taken away")
        finally:
            with self.lock:
                self.running.pop(job.pk, None)
                self.ran += 1
            connection.close()

    def _beat(self) -> None:
        every = max(0.2, queue.lease_seconds() / 4)
        try:
            while True:
                if self.stopping.is_set():
                    time.sleep(every)
                else:
                    self.stopping.wait(every)
                with self.lock:
                    jobs = list(self.running.values())
                if self.stopping.is_set() and not jobs:
                    return
                for job in jobs:
                    try:
                        queue.renew(job)
                    except Exception:  # a missed renewal is retried; the lease allows several
                        log.warning("renewing the lease of job %s failed", job.pk, exc_info=True)
        finally:
            connection.close()

    def run(self, *, once: bool = False) -> int:
        """Run jobs until stopped (or, `once`, until none is due); returns how many ran."""
        registry.load_tasks()
        beat = threading.Thread(target=self._beat, name="job-leases", daemon=True)
        beat.start()
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="job")
        try:
            while not self.stopping.is_set():
                claimed = self._round()
                with self.lock:
                    busy = bool(self.running)
                if once and not claimed and not busy:
                    break
                if not claimed:
                    self.stopping.wait(poll_seconds())
                for job in claimed:
                    pool.submit(self._run, job)
        finally:
            self._finish(pool)
        return self.ran

    def _round(self) -> list[Job]:
        claimed: list[Job] = []
        try:
            close_old_connections()
            queue.requeue_expired()
            queue.materialise_schedules()
            if time.monotonic() - self.pruned_at > PRUNE_EVERY:
                queue.prune()
                self.pruned_at = time.monotonic()
            for _ in range(self._free()):
                job = queue.claim(self.id)
                if job is None:
                    break
                with self.lock:
                    self.running[job.pk] = job
                claimed.append(job)
        except Exception:  # the database went away for a moment: try again next round
            log.exception("the job worker could not reach the queue")
            time.sleep(poll_seconds())
        return claimed

    def _finish(self, pool: ThreadPoolExecutor) -> None:
        deadline = time.monotonic() + grace_seconds()
        while time.monotonic() < deadline:
            with self.lock:
                if not self.running:
                    break
            time.sleep(0.1)
        with self.lock:
            left = list(self.running.values())
        for job in left:
            queue.release(job)
            log.warning("job %s (%s) handed back unfinished: the worker stopped", job.pk, job.task)
        self.stopping.set()
        if left:
            connection.close()
            os._exit(0)  # its threads are still in the jobs handed back; they must not write on
        pool.shutdown(wait=True)
        connection.close()
