"""Writes to the feedback store: ingest batches, corrections, erasure, sources, router.

Every write that changes feedback also changes the rollups in the same transaction, under
the ingest lock, so every figure always equals the sum over stored feedback.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from cxkeeper.core.actions import create_object, update_object
from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.core.roles import Role, role_of
from cxkeeper.insights import rollup_store, routing
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback, FeedbackSource, ImportRowError
from cxkeeper.insights.text.batch import PreparedText, prepare_texts
from cxkeeper.insights.text.redaction import Redactor
from cxkeeper.journeys.models import Step
from cxkeeper.org.models import Workspace
from cxkeeper.org.permissions import require_admin, require_keeper, require_signed_in

_redactor: Redactor | None = None


def redactor() -> Redactor:
    global _redactor
    if _redactor is None:
        _redactor = Redactor(extra_patterns=getattr(settings, "CXKEEPER_PII_PATTERNS", None) or None)
    return _redactor


def sentiment_model():
    """The workspace's chosen sentiment model (see sentiment_store)."""
    from cxkeeper.insights.sentiment_store import current_model

    return current_model()


def _customer_key() -> bytes:
    return (getattr(settings, "CXKEEPER_CUSTOMER_KEY", "") or f"customer:{settings.SECRET_KEY}").encode()


def customer_hash(customer_id: str | None) -> str:
    """Keyed hash: the same customer always maps to the same value, which cannot be reversed
    without the key. The key is CXKEEPER_CUSTOMER_KEY, else derived from the secret key."""
    if not customer_id:
        return ""
    return hmac.new(_customer_key(), customer_id.strip().lower().encode(), hashlib.sha256).hexdigest()


def customer_hasher():
    """``customer_hash`` for a whole batch: the key is read and prepared once (an HMAC with
    the key already absorbed, copied per value), and repeated customers are hashed once."""
    keyed = hmac.new(_customer_key(), digestmod=hashlib.sha256)
    seen: dict[str, str] = {}

    def hash_one(customer_id: str | None) -> str:
        if not customer_id:
            return ""
        value = seen.get(customer_id)
        if value is None:
            mac = keyed.copy()
            mac.update(customer_id.strip().lower().encode())
            value = seen[customer_id] = mac.hexdigest()
        return value

    return hash_one


def ingest_lock() -> None:
    """Serialize feedback writers (imports, corrections, erasure) so rollup cells are
    created once; inside a transaction. SQLite already serializes writers."""
    Workspace.objects.select_for_update().filter(pk=Workspace.current().pk).exists()


# ---------------------------------------------------------------- sources


def require_import(user) -> None:
    require_keeper(user, "import feedback or manage feedback sources")


def create_source(values: dict, *, acting_user) -> FeedbackSource:
    require_import(acting_user)
    source, _ = create_object(FeedbackSource, dict(values), acting_user=acting_user)
    return source


def source_named(name: str, *, acting_user, defaults: dict | None = None) -> FeedbackSource:
    """The source of that name, created when missing; only people who may import ask for one."""
    require_import(acting_user)
    source = FeedbackSource.objects.filter(name=name).first()
    if source is not None:
        return source
    try:
        return create_source({"name": name, **(defaults or {})}, acting_user=acting_user)
    except (InvalidInput, IntegrityError):
        # Another request — in another server process — created it a moment ago: use that one.
        source = FeedbackSource.objects.filter(name=name).first()
        if source is None:
            raise
        return source


def save_source_mapping(source: FeedbackSource, mapping: dict, *, acting_user) -> FeedbackSource:
    require_import(acting_user)
    source, _ = update_object(source, {"mapping": mapping}, expected_version=None, acting_user=acting_user)
    return source


# ---------------------------------------------------------------- ingest


@dataclass
class BatchResult:
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    redactions: Counter = field(default_factory=Counter)


_INSERT_COLUMNS = ("source_id", "external_id", "received_at", "channel", "customer_hash", "segment", "text", "nps",
                  "csat", "csat_max", "ces", "event_type", "metrics", "step_id", "routing_confidence", "routed_by",
                  "sentiment", "import_job_id", "created_at")


def insert_feedback(records: Sequence[dict]) -> None:
    """One prepared multi-row INSERT: the ORM's per-field preparation costs more than the
    database's work at import volumes (see docs/performance.md)."""
    if not records:
        return
    ops = connection.ops
    metrics_field = Feedback._meta.get_field("metrics")
    no_metrics = metrics_field.get_db_prep_save({}, connection)
    adapt_datetime = _datetime_adapter()
    now = adapt_datetime(timezone.now())
    table = ops.quote_name(Feedback._meta.db_table)
    # Identifiers come from the model and constants, values travel as parameters.
    sql = (f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})")
    params = [
        (r["source_id"], r["external_id"], adapt_datetime(r["received_at"]), r["channel"],
         r["customer_hash"], r["segment"], r["text"], r["nps"], r["csat"], r["csat_max"], r["ces"], r["event_type"],
         metrics_field.get_db_prep_save(r["metrics"], connection) if r["metrics"] else no_metrics, r["step_id"],
         r["routing_confidence"],
         r["routed_by"], r["sentiment"], r["import_job_id"], now)
        for r in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _datetime_adapter():
    """`connection.ops.adapt_datetimefield_value`, inlined for SQLite with time zones (what
    Django does there: an aware value in the connection's zone, made naive, as text)."""
    if connection.vendor != "sqlite" or not settings.USE_TZ:
        return connection.ops.adapt_datetimefield_value
    zone = connection.timezone

    def adapt(value):
        if value is None:
            return None
        if value.utcoffset() is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return str(value)

    return adapt


def _step_ids_by_name() -> dict[str, int]:
    return {name.casefold(): pk for pk, name in Step.objects.values_list("pk", "name")}


def ingest_feedback_batch(source: FeedbackSource, rows: Sequence, *, import_job_id: int | None = None,
                          router=None, prepared: Sequence[PreparedText] | None = None) -> BatchResult:
    """Store one chunk of canonical rows atomically: redact, de-duplicate, route, score
    sentiment, insert, add to rollups. An import job's counters, rejected rows and watermark
    commit in the same transaction through `import_jobs.record_chunk`, which calls this.

    `rows` have the attributes of `ingest.CanonicalRow`. Either the whole chunk is committed, or nothing is.
    `prepared` (one per row, from `text.batch` worker processes) carries the redacted text,
    route and sentiment already computed; without it they are computed here for new rows.
    """
    result = BatchResult()
    with transaction.atomic():
        ingest_lock()
        seen: set[str] = set()
        fresh, fresh_index = [], []
        ids = [r.external_id for r in rows]
        existing = set(Feedback.objects.filter(source=source, external_id__in=ids)
                       .values_list("external_id", flat=True))
        for i, row in enumerate(rows):
            if row.external_id in existing or row.external_id in seen:
                result.duplicates += 1
                continue
            seen.add(row.external_id)
            fresh.append(row)
            fresh_index.append(i)
        labelled = _step_ids_by_name()
        # A router trained before a step was deleted still knows it until it is retrained: such
        # a route is no route (read under the ingest lock, which a step delete also takes).
        live_steps = set(labelled.values())
        if prepared is None:
            router = router if router is not None else routing.current_router()
            prepared_fresh = prepare_texts(
                [row.text or "" for row in fresh], redactor=redactor(), router=router, sentiment=sentiment_model(),
                route_mask=[not (row.step and row.step.casefold() in labelled) for row in fresh])
        else:
            prepared_fresh = [prepared[i] for i in fresh_index]
        records = []
        hash_customer = customer_hasher()
        for row, done in zip(fresh, prepared_fresh, strict=True):
            if done.redactions:
                result.redactions.update(done.redactions)
            text = done.text
            step_id, confidence, routed_by = None, None, RoutedBy.NONE
            if row.step and row.step.casefold() in labelled:
                step_id, confidence, routed_by = labelled[row.step.casefold()], 1.0, RoutedBy.RULE
            elif done.routed:
                confidence = done.confidence
                if done.label is not None and done.label in live_steps:
                    step_id, routed_by = done.label, RoutedBy.MODEL
            records.append({
                "source_id": source.pk, "external_id": row.external_id, "received_at": row.received_at,
                "channel": row.channel, "customer_hash": hash_customer(row.customer_id), "segment": row.segment or "",
                "text": text, "nps": row.nps, "csat": row.csat,
                "csat_max": row.csat_max if row.csat is not None else None, "ces": row.ces,
                "event_type": row.event_type or "", "metrics": row.metrics or {}, "step_id": step_id,
                "routing_confidence": confidence, "routed_by": routed_by,
                "sentiment": done.sentiment, "import_job_id": import_job_id,
            })
        insert_feedback(records)
        rollup_store.add_records(records)
        result.imported = len(records)
    return result


# ---------------------------------------------------------------- corrections and erasure


def require_correct(user, feedback: Feedback) -> None:
    require_signed_in(user)
    if role_of(user) == Role.VIEWER:
        raise Forbidden("Viewers cannot re-route feedback; ask a team member or a keeper.")


def correct_feedback_step(feedback: Feedback, step: Step | None, *, acting_user) -> Feedback:
    """A person says which step this feedback is about. The correction becomes a training
    label for the router and moves the feedback's figures to the right step."""
    require_correct(acting_user, feedback)
    return _place_one(feedback, step, acting_user=acting_user)


def unroute_feedback_at_step(step: Step, *, acting_user) -> int:
    """A step is being deleted (announced, see `insights.removals`): its feedback stays —
    customer evidence is never deleted by a map edit — and becomes unrouted, as if no router
    had placed it: step NULL, `routed_by` "" and no confidence, so it heads the review queue.
    That includes people's corrections to this step: a training label for a step that no
    longer exists teaches nothing, and keeping `routed_by` "person" would claim that someone
    said "no step". The rollup cells move to the unrouted ones through the single write path
    under the ingest lock, so every figure still equals a rebuild.

    Feedback items are not workspace objects: one history record summarises the move (how
    many items, and how each had been routed), placed on the step's journey. Returns how many."""
    with transaction.atomic():
        ingest_lock()
        placed = Feedback.objects.filter(step_id=step.pk)
        routed_by = dict(placed.values_list("routed_by").annotate(n=Count("pk")).order_by())
        moved = sum(routed_by.values())
        if not moved:
            return 0
        rollup_store.move_step_cells(step.pk, None)
        placed.update(step=None, routed_by=RoutedBy.NONE, routing_confidence=None)
        summary = Feedback(pk=0, source=FeedbackSource(name="all sources"),
                           external_id=f"{moved} items unrouted from deleted step “{step.name}”")
        journey_id = step.stage.journey_id
        summary.history_place = lambda: (journey_id, step.pk)  # the journey's history lists it
        record_change(summary, ChangeAction.UPDATE,
                      {"step": step.pk, "step_label": str(step), "feedback_items": moved,
                       "routed_by": dict(sorted(routed_by.items()))},
                      {"step": None, "feedback_items": moved, "routed_by": {RoutedBy.NONE.value: moved},
                       "confidence": None}, acting_user)
    return moved


@dataclass
class Erasure:
    customer_hash: str
    erased: int
    uploads_deleted: int = 0
    rejected_rows_erased: int = 0  # rejected rows of imports whose kept problems named the customer
    error_files_deleted: int = 0  # the command line's error reports holding those rows


ERASED_PROBLEM = "(erased with a customer's data)"


def kept_problem_text(text: str) -> str:
    """A rejected row's value or reason as it is kept for the import's report: personal data
    (emails, phone and card numbers, IBANs…) redacted like feedback text, so the report never
    holds more than the feedback it was meant to become."""
    return redactor().redact(text).text if text else text


def _erase_rejected_rows(customer_id: str) -> tuple[int, int]:
    """Rejected rows kept for import reports that name the customer (their id, as a whole word,
    in a kept value or reason — an unreadable line is kept whole): every problem of such a row
    loses its value and reason; the command line's error files of those imports are deleted
    (the import's page still offers the report, now without them). Returns (rows, files)."""
    needle = customer_id.strip()
    word = re.compile(rf"(?<![0-9A-Za-z]){re.escape(needle)}(?![0-9A-Za-z])", re.IGNORECASE)
    candidates = ImportRowError.objects.filter(Q(value__icontains=needle) | Q(reason__icontains=needle))
    rows = {(job, row) for job, row, value, reason in candidates.values_list("job_id", "row", "value", "reason")
            if word.search(value) or word.search(reason)}
    for job, row in rows:
        ImportRowError.objects.filter(job_id=job, row=row).update(value="", reason=ERASED_PROBLEM)
    files = 0
    folder = Path(settings.DATA_DIR) / "import-errors"
    for job in {job for job, _ in rows}:
        for path in folder.glob(f"job-{job}-*-errors.csv"):
            path.unlink(missing_ok=True)
            files += 1
    return len(rows), files


#: What else holds a customer's raw data and goes with an erasure: functions called with the
#: erasure's reason, returning how many files they deleted (`insights.uploads` registers the
#: raw uploads from AppConfig.ready(); it sits above this module, which cannot import it).
_ERASURE_HOOKS: list = []


def on_erasure(hook) -> None:
    if hook not in _ERASURE_HOOKS:
        _ERASURE_HOOKS.append(hook)


def erase_customer(customer_id: str, *, acting_user) -> Erasure:
    """Delete every piece of feedback of one customer (a data-subject request) and take it
    out of every figure, every raw upload still kept (see `insights.uploads`: a raw file
    cannot be redacted in part) and what rejected rows naming the customer kept for import
    reports (`_erase_rejected_rows`). The history keeps only the counts, never the content."""
    require_admin(acting_user, "erase a customer's feedback")
    if not customer_id or not customer_id.strip():
        raise InvalidInput({"customer_id": "Give the customer id exactly as it appeared in the imported data."})
    key = customer_hash(customer_id)
    with transaction.atomic():
        ingest_lock()
        rows = list(Feedback.objects.select_for_update().filter(customer_hash=key))
        rollup_store.remove_feedback(rows)
        Feedback.objects.filter(pk__in=[r.pk for r in rows]).delete()
        reason = ("The uploaded file was deleted by a customer's erasure (raw uploads cannot be redacted in part); "
                  "upload it again to import it.")
        files = sum(hook(reason) for hook in _ERASURE_HOOKS)
        rejected, error_files = _erase_rejected_rows(customer_id)
        if rows or files or rejected:
            erasure = Feedback(pk=0, source=rows[0].source if rows else None, external_id="erasure")
            record_change(erasure, ChangeAction.DELETE, {"customer": key[:12] + "…", "feedback_items": len(rows),
                                                         "raw_uploads": files, "rejected_rows": rejected,
                                                         "error_files": error_files}, None, acting_user)
    return Erasure(key, len(rows), files, rejected, error_files)


def retrain_router(*, acting_user):
    """Retrain routing from the map and every correction, and re-choose the sentiment model
    from the organization's scored feedback; both measured, both kept for the quality page."""
    from cxkeeper.insights.sentiment_store import choose_model

    require_keeper(acting_user, "retrain the step router")
    model = routing.train_router(evaluate=True)
    choose_model()
    return model


# ---------------------------------------------------------------- the review queue

OFF_TOPIC = RoutedBy.OFF_TOPIC  # the review answer "not customer feedback about the journey"
_REVIEWABLE = (RoutedBy.NONE, RoutedBy.MODEL, RoutedBy.RULE)  # an answer never overwrites a person's


def _learn_after_commit() -> None:
    """Every answer teaches the router at once: a background run retrains and re-routes
    (`insights.relearn`) once the transaction that stored the answer has committed."""
    from cxkeeper.insights import relearn

    transaction.on_commit(relearn.request)


def _placement(step: Step | None | str) -> tuple[int | None, str, float | None]:
    if step == OFF_TOPIC:
        return None, RoutedBy.OFF_TOPIC, None
    return (step.pk if step is not None else None), RoutedBy.PERSON, 1.0


def _confirms(feedback: Feedback, step_id: int | None, routed_by: str) -> bool:
    """A person's answer that keeps a message on the step the model had put it (a spot check's
    "yes"). Such a row keeps the model's confidence instead of 1.0, so the router can tell a
    confirmation from a correction when it learns (`routing.corrections`, decision 0035)."""
    return (routed_by == RoutedBy.PERSON and step_id is not None and feedback.routed_by == RoutedBy.MODEL
            and feedback.step_id == step_id and feedback.routing_confidence is not None)


def mark_off_topic(feedback: Feedback, *, acting_user) -> Feedback:
    """A person says this is not customer feedback about the journey (spam, chatter, a test):
    it stays stored but leaves every figure — its rollup cell, even the unrouted one — and the
    review queue, like a correction in the same transaction."""
    require_correct(acting_user, feedback)
    return _place_one(feedback, OFF_TOPIC, acting_user=acting_user)


def _place_one(feedback: Feedback, answer: Step | None | str, *, acting_user) -> Feedback:
    """One item placed by a person (a step, None or OFF_TOPIC): the row, its figures (off-topic
    ones count in none) and a history record, in one transaction under the ingest lock."""
    step_id, routed_by, confidence = _placement(answer)
    with transaction.atomic():
        ingest_lock()
        current = Feedback.objects.select_for_update().get(pk=feedback.pk)
        before = {"step": current.step_id, "routed_by": current.routed_by, "confidence": current.routing_confidence}
        rollup_store.remove_feedback([current])
        current.step = answer if isinstance(answer, Step) else None
        current.routed_by, current.routing_confidence = routed_by, confidence
        current.save(update_fields=["step", "routed_by", "routing_confidence"])
        rollup_store.add_feedback([current])
        record_change(current, ChangeAction.UPDATE, before,
                      {"step": step_id, "routed_by": routed_by, "confidence": confidence}, acting_user)
    return current


def review_feedback(feedback: Feedback, answer: Step | None | str, *, acting_user) -> Feedback:
    """One answer from the review queue: a step, None ("none of these steps": a step is missing
    from the map; the item stays unrouted but reviewed) or OFF_TOPIC. The router learns from it
    in the background, so similar items move without anyone pressing Retrain."""
    if answer == OFF_TOPIC:
        done = mark_off_topic(feedback, acting_user=acting_user)
    else:
        done = correct_feedback_step(feedback, answer, acting_user=acting_user)
    _learn_after_commit()
    return done


def assign_cluster(feedback_ids: Sequence[int], answer: Step | None | str, *, acting_user,
                   description: str = "") -> int:
    """One answer for a whole cluster of similar messages ("these 240 messages → Pay my first
    bill"): every item of it that no person has answered yet (a concurrent answer wins) moves in
    one transaction, its figures with it exactly as `correct_feedback_step` moves one item, and
    the history holds one record of the whole move. Returns how many items moved."""
    require_correct(acting_user, None)
    step_id, routed_by, confidence = _placement(answer)
    with transaction.atomic():
        ingest_lock()
        rows = list(Feedback.objects.select_for_update().filter(pk__in=list(feedback_ids),
                                                                routed_by__in=_REVIEWABLE).order_by("pk"))
        if not rows:
            return 0
        was = dict(Counter(f.routed_by for f in rows))
        rollup_store.remove_feedback(rows)
        for feedback in rows:
            kept = _confirms(feedback, step_id, routed_by)
            feedback.step_id, feedback.routed_by = step_id, routed_by
            feedback.routing_confidence = feedback.routing_confidence if kept else confidence
        Feedback.objects.bulk_update(rows, ["step", "routed_by", "routing_confidence"], batch_size=500)
        rollup_store.add_feedback(rows)
        what = ("off-topic" if answer == OFF_TOPIC else f"“{answer.name}”" if answer is not None
                else "none of the steps")
        summary = Feedback(pk=0, source=rows[0].source,
                           external_id=f"{len(rows)} similar items → {what}"[:200])
        if isinstance(answer, Step):
            journey_id = answer.stage.journey_id
            summary.history_place = lambda: (journey_id, answer.pk)
        record_change(summary, ChangeAction.UPDATE,
                      {"feedback_items": len(rows), "routed_by": dict(sorted(was.items())),
                       "cluster": description[:200]},
                      {"feedback_items": len(rows), "step": step_id, "routed_by": routed_by,
                       "feedback_ids": [f.pk for f in rows][:1000]}, acting_user)
    _learn_after_commit()
    return len(rows)


def reroute_feedback(*, acting_user, router=None) -> dict[str, int]:
    """Route every stored message again that the router placed (or could not place) with the
    current router — after it has learned from the organization's own feedback or from new
    corrections. The one re-routing path, shared with the background relearning runs
    (`relearn.reroute_stored`, which holds the implementation): chunk by chunk, people's,
    off-topic and rules' placements never touched, rows and rollups together, one history
    record. Returns {"routed_before", "routed_after", "changed", "considered"}."""
    from cxkeeper.insights import relearn

    return relearn.reroute_stored(acting_user=acting_user, router=router)
