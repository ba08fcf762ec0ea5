"""Learning from corrections without a retrain button.

Every answer in the review queue asks for a run (`request`): the one waiting `RelearnRun`
row gets the time of the latest answer, and one job of the task `insights.relearn` waits on
the job queue (`cxkeeper.jobs`, decision 0039). The task runs once corrections have stopped
arriving for ``CXKEEPER_RELEARN_DELAY`` seconds (until then it asks the queue to run it again
later), retrains the router (`routing.train_router`, with every correction) and re-routes the
stored items no person and no rule placed (`reroute_stored`), moving their figures through the
one rollup write path. Corrections that arrive during a run ask for the next one. The review
page reads the rows to say "learning from your corrections…" and how the routed share moved.

The waiting row, not a process's memory, is the request, so several processes agree: a worker
claims the run with a conditional update under the ingest lock, only while no other run has a
live heartbeat (`insights.heartbeats`) — one run at a time. A run whose worker stopped is
marked failed and asked for again (`recover`: at the start of every run, and from the
schedule `insights.recover`).

``CXKEEPER_RELEARN``: "background" (default: on the queue), "inline" (run at once in the
caller, for the CLI and tests) or "off".
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cxkeeper import jobs as queue
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.insights import heartbeats, rollup_store, routing
from cxkeeper.insights.choices import RelearnStatus, RoutedBy
from cxkeeper.insights.models import Feedback, FeedbackSource, RelearnRun
from cxkeeper.journeys.models import Step
from cxkeeper.org.models import Workspace

log = logging.getLogger(__name__)
REROUTE_CHUNK = 2000  # items re-routed per transaction: the ingest lock is held briefly
CONFIDENCE_CHANGE = 0.05  # a stored confidence is rewritten only when it moved more (it orders the queue)
TASK = "insights.relearn"


def mode() -> str:
    return getattr(settings, "CXKEEPER_RELEARN", "background")


def delay() -> float:
    return float(getattr(settings, "CXKEEPER_RELEARN_DELAY", 3.0))


def request() -> None:
    """A correction was committed: learn from it soon. Call after commit."""
    how = mode()
    if how == "off":
        return
    if how == "inline":
        run()
        return
    now = timezone.now()
    with transaction.atomic():
        waiting = _waiting().select_for_update().first()
        if waiting is None:
            RelearnRun.objects.create(requested_at=now)
        else:
            RelearnRun.objects.filter(pk=waiting.pk).update(requested_at=now)  # the quiet period restarts
        _ensure_queued()


def _waiting():
    return RelearnRun.objects.filter(status=RelearnStatus.WAITING).order_by("-requested_at", "-id")


def _ensure_queued() -> None:
    """One job of the learning task waiting (or running) on the queue."""
    queue.enqueue_once(TASK, TASK, run_at=timezone.now() + timedelta(seconds=delay()))


def busy() -> bool:
    """Whether a run is waiting or going (on the queue)."""
    from cxkeeper.jobs.models import ACTIVE, Job

    return Job.objects.filter(dedupe_key=TASK, status__in=ACTIVE).exists()


@queue.task(TASK, max_attempts=3, title="Learn from review answers")
def learn() -> None:
    """The queue's run: wait for a quiet moment, claim the waiting run, run it; asked again
    (the same job, later) while requests keep coming."""
    _recover_stopped()
    waiting = _waiting().first()
    if waiting is None:
        return
    quiet = (timezone.now() - waiting.requested_at).total_seconds()
    if quiet < delay():
        raise queue.RunLater(delay() - quiet, "waiting until review answers stop for a moment")
    claimed = _claim(waiting)
    if claimed is None:  # another process runs, or a newer answer restarted the wait
        raise queue.RunLater(max(delay(), 0.5), "another learning run is under way")
    queue.progress(stage="Retraining the router and re-routing feedback")
    _run(claimed)
    if _waiting().exists():  # answers that came during the run: this job serves them next
        raise queue.RunLater(delay(), "more answers came in during the run")


def _claim(waiting: RelearnRun) -> RelearnRun | None:
    """The waiting run, now running in this process — unless a run of another process is
    alive or the request moved on. Under the ingest lock, so two processes decide in turn."""
    now = timezone.now()
    with transaction.atomic():
        _ingest_lock()
        if RelearnRun.objects.filter(status=RelearnStatus.RUNNING, heartbeat_at__gte=heartbeats.cutoff()).exists():
            return None
        claimed = RelearnRun.objects.filter(pk=waiting.pk, status=RelearnStatus.WAITING,
                                            requested_at=waiting.requested_at).update(
            status=RelearnStatus.RUNNING, started_at=now, runner=heartbeats.runner_id("worker"), heartbeat_at=now)
        if not claimed:
            return None
        # Requests two processes created at the same moment are served by this run too.
        _waiting().filter(requested_at__lte=waiting.requested_at).delete()
    return RelearnRun.objects.get(pk=waiting.pk)


def _recover_stopped() -> int:
    """Runs whose process stopped: failed, and a new run asked for (without queueing)."""
    stopped = RelearnRun.objects.filter(heartbeats.stale(), status=RelearnStatus.RUNNING)
    found = stopped.update(status=RelearnStatus.FAILED, finished_at=timezone.now(),
                           message="Its worker process stopped; learning again.")
    if found and mode() == "background" and not _waiting().exists():
        RelearnRun.objects.create(requested_at=timezone.now())
    return found


def recover() -> int:
    """Runs whose process stopped (no heartbeat for `heartbeats.stale_after()`): failed, and a
    new run asked for, so the corrections they served are learned from after all. Then, if a
    run is waiting and no queue job serves it, queue one. Returns the runs found."""
    found = _recover_stopped()
    if mode() == "background" and _waiting().exists() and not busy():
        _ensure_queued()
    return found


def run() -> RelearnRun:
    """Retrain and re-route now (inline), recorded as one `RelearnRun` (the waiting one, or a new one)."""
    started = timezone.now()
    learning = _waiting().first() or RelearnRun(requested_at=started)
    learning.status, learning.started_at = RelearnStatus.RUNNING, started
    learning.runner, learning.heartbeat_at = heartbeats.runner_id("cli"), started
    learning.save()
    return _run(learning)


def _run(learning: RelearnRun) -> RelearnRun:
    """Retrain and re-route for the run `learning` (claimed, running), its heartbeat kept."""
    from cxkeeper.insights.queries import queue_order, routed_share

    learning.routed_share_before = routed_share().share
    learning.save(update_fields=["routed_share_before"])
    try:
        with heartbeats.beating(RelearnRun, learning.pk, learning.runner):
            model = routing.train_router(evaluate=False)
            learning.corrections = model.n_corrections if model else 0
            learning.rerouted = reroute_stored(acting_user=SYSTEM)["changed"] if model else 0
            learning.status, learning.message = RelearnStatus.DONE, ""
            queue_order()  # the queue (clusters, order) for the new router, so the next page is fast
    except Exception as exc:
        learning.status, learning.message = RelearnStatus.FAILED, f"Learning from corrections stopped: {exc}"[:300]
        raise
    finally:
        learning.routed_share_after = routed_share().share
        learning.finished_at = timezone.now()
        learning.save()
    return learning


def _ingest_lock() -> None:
    """`actions.ingest_lock` (which this module cannot import: actions ask it for runs)."""
    Workspace.objects.select_for_update().filter(pk=Workspace.current().pk).exists()


def reroute_stored(*, acting_user, router=None, chunk: int = REROUTE_CHUNK) -> dict[str, int]:
    """Route every stored message again that the router placed (or could not place) with the
    current router — after it has learned from the organization's own feedback or from new
    corrections: the one re-routing path (`actions.reroute_feedback` for the demo load and
    `cxkeeper route reroute`, and every background relearning run). People's, off-topic and
    rules' placements are never touched.

    Chunk by chunk: the texts are routed before the ingest lock is taken (seconds of model
    work), then, under the lock, only rows still the model's or unrouted change — step,
    routed_by, confidence and their rollup cells together in one transaction, so every figure
    equals a rebuild at every moment. One history record summarises the move. Returns
    {"routed_before", "routed_after", "changed", "considered"}."""
    router = router if router is not None else routing.current_router()
    counts = {"considered": 0, "changed": 0, "routed_before": 0, "routed_after": 0}
    if router is None:
        return counts
    pending = Feedback.objects.filter(routed_by__in=[RoutedBy.MODEL, RoutedBy.NONE]).exclude(text="")
    pks = list(pending.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        part = pks[start:start + chunk]
        texts = list(dict.fromkeys(pending.filter(pk__in=part).values_list("text", flat=True)))
        routes = dict(zip(texts, router.route(texts), strict=True)) if texts else {}
        with transaction.atomic():
            _ingest_lock()
            live_steps = set(Step.objects.values_list("pk", flat=True))  # under the lock a step delete takes
            rows = [row for row in pending.select_for_update().filter(pk__in=part).order_by("pk")
                    if row.text in routes]
            moved, touched = [], []
            for row in rows:
                route = routes[row.text]
                step_id = route.label if route.label is not None and route.label in live_steps else None
                routed_by = RoutedBy.MODEL if step_id is not None else RoutedBy.NONE
                counts["routed_before"] += row.step_id is not None
                counts["routed_after"] += step_id is not None
                if step_id != row.step_id:
                    moved.append((row, step_id, routed_by, route.confidence))
                elif (row.routed_by != routed_by
                      or abs((row.routing_confidence or 0.0) - route.confidence) > CONFIDENCE_CHANGE):
                    row.routed_by, row.routing_confidence = routed_by, route.confidence
                    touched.append(row)
            counts["considered"] += len(rows)
            counts["changed"] += len(moved)
            rollup_store.remove_feedback([m[0] for m in moved])  # out of the cells of the step they leave
            for row, step_id, routed_by, confidence in moved:
                row.step_id, row.routed_by, row.routing_confidence = step_id, routed_by, confidence
            rollup_store.add_feedback([m[0] for m in moved])  # into the cells of the step they join
            Feedback.objects.bulk_update([m[0] for m in moved] + touched,
                                         ["step", "routed_by", "routing_confidence"], batch_size=500)
    if counts["changed"]:
        summary = Feedback(pk=0, source=FeedbackSource(name="all sources"),
                           external_id=f"{counts['changed']} items re-routed by the retrained router")
        record_change(summary, ChangeAction.UPDATE, {"routed": counts["routed_before"]},
                      {"routed": counts["routed_after"], "changed": counts["changed"]}, acting_user)
    return counts
