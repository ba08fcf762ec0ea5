"""Signs of life of background work, kept in the database.

Imports and learning run in `cxkeeper worker` processes (the job queue, decision 0039), and
the CLI may run next to them, so "is this import still running?" cannot be answered from one
process's memory. A row doing background work (`ImportJob`, `RelearnRun`) names its runner
(`runner_id`: kind — "worker", "cli", or "web" on rows of earlier versions — host and
process) and carries `heartbeat_at`, refreshed every `every()` seconds by a thread of that
process (`beating`). A row whose heartbeat is older than `stale_after()` belongs to a process that
stopped: another one may claim it with a conditional update (`stale`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


def every() -> float:
    """Seconds between heartbeats (``CXKEEPER_HEARTBEAT_SECONDS``, default 10)."""
    return float(getattr(settings, "CXKEEPER_HEARTBEAT_SECONDS", 10))


def stale_after() -> float:
    """Seconds of silence after which a runner is taken for stopped: six missed beats."""
    return 6 * every()


def runner_id(kind: str) -> str:
    """This process, as written on the rows it works on: "worker host:pid" or "cli host:pid"."""
    return f"{kind} {socket.gethostname()}:{os.getpid()}"[:120]


def stopped_here(runner: str) -> bool:
    """Whether `runner` is a process of this machine that no longer exists: known at once,
    without waiting for its heartbeat to go stale (e.g. `--resume` right after a crash)."""
    kind, _, place = runner.partition(" ")
    host, _, pid = place.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by someone else
        return False
    return False


def cutoff() -> datetime:
    return timezone.now() - timedelta(seconds=stale_after())


def stale() -> Q:
    """Rows whose runner has been silent too long (or never said anything)."""
    return Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff())


def alive(heartbeat_at: datetime | None) -> bool:
    return heartbeat_at is not None and heartbeat_at >= cutoff()


@contextmanager
def beating(model, pk: int, runner: str):
    """While the block runs, a thread refreshes the row's heartbeat every `every()` seconds —
    only while the row still names `runner` (a row taken over is left to its new runner)."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every()):
                try:
                    model.objects.filter(pk=pk, runner=runner).update(heartbeat_at=timezone.now())
                except Exception:  # a missed beat is retried; STALE_AFTER allows several
                    log.warning("heartbeat of %s %s failed", model.__name__, pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
