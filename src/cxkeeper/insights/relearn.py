"""Learning from corrections without a retrain button.

Every answer in the review queue asks for a run (`request`); a background thread of the web
process waits until corrections stop arriving for ``CXKEEPER_RELEARN_DELAY`` seconds, then
retrains the router (`routing.train_router`, with every correction) and re-routes the stored
items no person and no rule placed (`reroute_stored`), moving their figures through the one
rollup write path. One run at a time per process; corrections that arrive during a run ask
for the next one. Each run is a `RelearnRun` row, so the review page can say "learning from
your corrections…" and how the routed share moved.

``CXKEEPER_RELEARN``: "background" (default), "inline" (run at once in the caller, for the
CLI and tests) or "off".
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import routing
from cxkeeper.insights.choices import RelearnStatus
from cxkeeper.insights.models import RelearnRun

log = logging.getLogger(__name__)
_state = threading.Lock()
_worker: threading.Thread | None = None
_wanted_at: float = 0.0  # monotonic time of the latest request not yet served
_pending: int | None = None  # the RelearnRun row the next run serves


def mode() -> str:
    return getattr(settings, "CXKEEPER_RELEARN", "background")


def delay() -> float:
    return float(getattr(settings, "CXKEEPER_RELEARN_DELAY", 3.0))


def request() -> None:
    """A correction was committed: learn from it soon. Call after commit."""
    global _worker, _wanted_at, _pending
    how = mode()
    if how == "off":
        return
    if how == "inline":
        run()
        return
    with _state:
        _wanted_at = time.monotonic()
        waiting = RelearnRun.objects.filter(status=RelearnStatus.WAITING).order_by("-requested_at", "-id").first()
        _pending = (waiting or RelearnRun.objects.create(requested_at=timezone.now())).pk
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_loop, name="relearn", daemon=True)
            _worker.start()


def busy() -> bool:
    """Whether this process has a run waiting or going."""
    with _state:
        return _worker is not None and _worker.is_alive()


def _loop() -> None:
    """Wait for a quiet moment, run, and run again while requests keep coming."""
    global _worker
    close_old_connections()
    try:
        while True:
            with _state:
                served = _wanted_at
            quiet = time.monotonic() - served
            if quiet < delay():
                time.sleep(delay() - quiet)
                continue
            with _state:
                pending = _pending
            if not RelearnRun.objects.filter(pk=pending, status=RelearnStatus.WAITING).exists():
                break  # the request is gone (the database was reset under us): nothing to serve
            run()
            with _state:
                if _wanted_at == served:
                    _worker = None
                    return
        with _state:
            _worker = None
    except Exception:  # the thread must end cleanly; the run row already says what failed
        log.exception("learning from corrections failed")
        with _state:
            _worker = None
    finally:
        connection.close()


def run() -> RelearnRun:
    """Retrain and re-route now, recorded as one `RelearnRun` (the waiting one, or a new one)."""
    from cxkeeper.insights.queries import queue_clusters, routed_share

    started = timezone.now()
    learning = (RelearnRun.objects.filter(status=RelearnStatus.WAITING).order_by("-requested_at").first()
           or RelearnRun(requested_at=started))
    learning.status, learning.started_at = RelearnStatus.RUNNING, started
    learning.routed_share_before = routed_share().share
    learning.save()
    try:
        model = routing.train_router(evaluate=False)
        learning.corrections = model.n_corrections if model else 0
        learning.rerouted = reroute_stored() if model else 0
        learning.status, learning.message = RelearnStatus.DONE, ""
        queue_clusters()  # the queue's clusters for the new router, so the next page is fast
    except Exception as exc:
        learning.status, learning.message = RelearnStatus.FAILED, f"Learning from corrections stopped: {exc}"[:300]
        raise
    finally:
        learning.routed_share_after = routed_share().share
        learning.finished_at = timezone.now()
        learning.save()
    return learning


def reroute_stored() -> int:
    """Route again, with the current router, every stored text that the model placed or left
    unrouted (`actions.reroute_feedback`, the one re-routing path). Returns how many items
    changed step."""
    from cxkeeper.insights.actions import reroute_feedback  # actions ask this module for runs

    return reroute_feedback(acting_user=SYSTEM)["changed"]
