"""Writes of the warehouse path: routing a warehouse table with the workspace's models,
registering, syncing and removing external sources.

A sync reads everything it needs from the engine first (rollup cells of the days from the
watermark − overlap on, the days whose row count changed before that, the newest day and a
bounded sample), then changes the workspace in ONE transaction under the ingest lock:
the difference between the new cells and those the source had added before goes into the
shared rollup tables (`rollup_store.apply_cells`, the one write path of every figure), the
source's own cells and sample are replaced, and the watermark moves. An interrupted sync
leaves the previous state whole; running it again completes it. Removing a source subtracts
exactly the cells it had added.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.insights import actions, rollup_store, routing
from cxkeeper.insights.analytics.rollups import SUM_COLUMNS, RollupKey
from cxkeeper.insights.models import RouterModel, SentimentModelRecord
from cxkeeper.insights.warehouse import engine
from cxkeeper.insights.warehouse.engine import EngineError
from cxkeeper.insights.warehouse.models import ExternalCell, ExternalSample, ExternalSource, SyncStatus
from cxkeeper.journeys.models import Step

DEFAULT_OVERLAP_DAYS = 2
DEFAULT_SAMPLE_PER_CELL = 5
Progress = Callable[[str], None]


class SyncError(Exception):
    """A sync that could not run or was stopped; the source keeps its previous state."""


# ---------------------------------------------------------------- routing on the engine


def engine_url(stored: str) -> str:
    """`env:NAME` reads the URL from the environment variable NAME (keeps passwords out of
    the database and the command line); anything else is the URL itself."""
    if stored.startswith("env:"):
        name = stored.removeprefix("env:")
        value = os.environ.get(name, "")
        if not value:
            raise EngineError(f"the environment variable {name} (engine {stored}) is not set")
        return value
    return stored


def text_models() -> engine.TextModels:
    """The workspace's current router, sentiment model and redactor — what a local import
    would use now — with the steps that still exist."""
    router = routing.current_router()
    if router is None:
        raise EngineError("the workspace needs at least two journey steps to route feedback")
    latest_router = RouterModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    latest_sentiment = SentimentModelRecord.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    return engine.TextModels(redactor=actions.redactor(), router=router, sentiment=actions.sentiment_model(),
                             live_steps=frozenset(Step.objects.values_list("pk", flat=True)),
                             version=f"router-{latest_router}-sentiment-{latest_sentiment or 'vader'}")


def route_batch(url: str, table: str, into: str, *, id_column: str = "id", text_column: str = "text",
                chunk_rows: int = engine.DEFAULT_CHUNK_ROWS, spark_slice_rows: int = engine.DEFAULT_SPARK_SLICE_ROWS,
                with_text: bool = False, acting_user, progress=None) -> engine.RouteResult:
    actions.require_import(acting_user)
    con = engine.connect(engine_url(url))
    require_columns = engine.require_columns
    require_columns(engine.table_of(con, table), table, {id_column: "--id-column", text_column: "--text-column"})
    models = text_models()
    return engine.route_table(con, table, into, models, id_column=id_column, text_column=text_column,
                              chunk_rows=chunk_rows, spark_slice_rows=spark_slice_rows, with_text=with_text,
                              progress=progress)


# ---------------------------------------------------------------- sources


def register_source(name: str, *, engine_url_or_env: str, table: str, routes: str = "", id_column: str = "id",
                    text_column: str = "text", overlap_days: int = DEFAULT_OVERLAP_DAYS,
                    sample_per_cell: int = DEFAULT_SAMPLE_PER_CELL, acting_user) -> ExternalSource:
    """The external source of that name, created or its settings updated."""
    actions.require_import(acting_user)
    name = name.strip()
    if not name:
        raise SyncError("--source: give the external source a name")
    if overlap_days < 0 or sample_per_cell < 0:
        raise SyncError("--overlap-days and --sample-per-cell must not be negative")
    values = {"engine": engine_url_or_env, "table": table, "routes_table": routes or "", "id_column": id_column,
              "text_column": text_column, "overlap_days": overlap_days, "sample_per_cell": sample_per_cell}
    with transaction.atomic():
        source = ExternalSource.objects.select_for_update().filter(name=name).first()
        if source is None:
            source = ExternalSource.objects.create(name=name, **values)
            record_change(source, ChangeAction.CREATE, None, _audit(source), acting_user)
        else:
            before = _audit(source)
            if values["table"] != source.table or values["routes_table"] != source.routes_table:
                # Another table is another data set: its days are all new to us.
                values["watermark"] = None
            for key, value in values.items():
                setattr(source, key, value)
            source.save()
            if before != _audit(source):
                record_change(source, ChangeAction.UPDATE, before, _audit(source), acting_user)
    return source


def _audit(source: ExternalSource) -> dict:
    return {"name": source.name, "table": source.table, "routes_table": source.routes_table,
            "overlap_days": source.overlap_days, "sample_per_cell": source.sample_per_cell}


@dataclass
class SyncResult:
    source: str
    since: dt.date | None
    days: int = 0
    cells: int = 0
    rows: int = 0
    samples: int = 0
    data_up_to: dt.date | None = None
    late_days: list[dt.date] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()
                if k != "late_days"} | {"late_days": [d.isoformat() for d in self.late_days]}


def _key(step_id, day, channel, segment, live: set[int]) -> RollupKey:
    """The shared rollups' key of an external cell: a step that no longer exists is no route
    (as `actions.unroute_feedback_at_step` moved its cells to the unrouted ones)."""
    step = int(step_id) if step_id not in (None, 0) and int(step_id) in live else None
    return RollupKey(step, day, channel or "", segment or None)


def _stored_days(source: ExternalSource, before: dt.date) -> dict[dt.date, int]:
    from django.db.models import Sum

    return {row["day"]: int(row["n"]) for row in ExternalCell.objects.filter(source=source, day__lt=before)
            .values("day").annotate(n=Sum("n")).order_by()}


def _late_days(feedback, source: ExternalSource, since: dt.date | None) -> list[dt.date]:
    """Days before `since` whose row count in the engine differs from what was synced: rows
    that arrived (or were deleted) late. One small grouped count on the engine."""
    if since is None:
        return []
    earlier = feedback.filter(feedback.cx_day < since)
    counted = earlier.group_by(day=earlier.cx_day).aggregate(n=earlier.count()).to_pyarrow().to_pylist()
    engine_days = {engine.as_date(row["day"]): int(row["n"]) for row in counted}
    stored = _stored_days(source, since)
    return sorted(day for day in set(engine_days) | set(stored) if engine_days.get(day, 0) != stored.get(day, 0))


def sync_source(source: ExternalSource, *, acting_user, full: bool = False, progress: Progress | None = None,
                connection=None) -> SyncResult:
    """Bring the source's rollups and sample up to date (see the module doc). `full`: every
    day again. Raises EngineError (table, column or engine named) or SyncError; either way
    the workspace keeps the state of the previous sync and the source says it failed."""
    actions.require_import(acting_user)
    started = timezone.now()
    _mark(source, SyncStatus.RUNNING, "")
    try:
        result = _sync(source, full=full, progress=progress, connection=connection)
    except EngineError as exc:
        _mark(source, SyncStatus.FAILED, f"The last sync failed: {exc}")
        raise
    except BaseException as exc:
        _mark(source, SyncStatus.FAILED, f"The last sync stopped before it finished ({type(exc).__name__}); "
                                         "the figures are those of the sync before. Run it again to complete it.")
        if isinstance(exc, Exception):
            raise SyncError(f"the sync of {source.name} stopped: {exc}") from exc
        raise
    result.seconds = (timezone.now() - started).total_seconds()
    return result


def _mark(source: ExternalSource, status: str, message: str) -> None:
    ExternalSource.objects.filter(pk=source.pk).update(status=status, message=message[:500])
    source.status, source.message = status, message[:500]


def _sync(source: ExternalSource, *, full: bool, progress: Progress | None, connection) -> SyncResult:
    con = connection or engine.connect(engine_url(source.engine))
    feedback = engine.feedback_expr(con, source.table, source.routes_table or None, id_column=source.id_column)
    since = None if full or source.watermark is None else source.watermark - dt.timedelta(days=source.overlap_days)
    late = _late_days(feedback, source, since)
    if late:
        since = late[0]  # late rows: every day from the earliest changed one is read again
    if progress:
        progress("reading rollups")
    cells = engine.rollup_cells(feedback, since)
    up_to = engine.newest_day(feedback)
    if progress:
        progress("reading the sample")
    samples = engine.sample(feedback, since, source.sample_per_cell, source.text_column)
    redactor = actions.redactor()
    result = SyncResult(source.name, since, data_up_to=up_to, late_days=late)
    with transaction.atomic():
        actions.ingest_lock()
        live = set(Step.objects.values_list("pk", flat=True))
        old = ExternalCell.objects.filter(source=source)
        if since is not None:
            old = old.filter(day__gte=since)
        delta: dict[RollupKey, dict[str, float]] = {}
        for row in old.values("step_id", "day", "channel", "segment", *SUM_COLUMNS).iterator(chunk_size=5000):
            sums = delta.setdefault(_key(row["step_id"], row["day"], row["channel"], row["segment"], live),
                                    dict.fromkeys(SUM_COLUMNS, 0))
            for column in SUM_COLUMNS:
                sums[column] -= row[column]
        fresh: dict[RollupKey, dict[str, float]] = {}
        for cell in cells:
            key = _key(cell["step_id"], cell["day"], cell["channel"], cell["segment"], live)
            for target in (delta, fresh):
                sums = target.setdefault(key, dict.fromkeys(SUM_COLUMNS, 0))
                for column in SUM_COLUMNS:
                    sums[column] += cell[column] or 0
        if progress:
            progress("adding to the figures")
        rollup_store.apply_cells({k: v for k, v in delta.items() if any(v.values())})
        old.delete()
        ExternalCell.objects.bulk_create(
            [ExternalCell(source=source, step_id=k.step_id or 0, day=k.day, channel=k.channel,
                          segment=k.segment or "", **v) for k, v in fresh.items() if v["n"]], batch_size=2000)
        if progress:
            progress("storing the sample")
        old_samples = ExternalSample.objects.filter(source=source)
        if since is not None:
            old_samples = old_samples.filter(day__gte=since)
        old_samples.delete()
        ExternalSample.objects.bulk_create(
            [ExternalSample(source=source, step_id=_key(s["step_id"], s["day"], "", "", live).step_id or 0,
                            day=s["day"], external_id=str(s["id"])[:200], channel=(s["channel"] or "")[:60],
                            text=redactor.redact(s["text"]).text, sentiment=s["sentiment"]) for s in samples],
            batch_size=2000)
        if progress:
            progress("moving the watermark")
        from django.db.models import Sum

        total = ExternalCell.objects.filter(source=source).aggregate(n=Sum("n"))["n"] or 0
        now = timezone.now()
        ExternalSource.objects.filter(pk=source.pk).update(
            watermark=up_to, data_up_to=up_to, last_synced_at=now, status=SyncStatus.DONE, message="", rows=total)
        source.watermark = source.data_up_to = up_to
        source.last_synced_at, source.status, source.message, source.rows = now, SyncStatus.DONE, "", total
    result.days = len({k.day for k in fresh})
    result.cells = sum(1 for v in fresh.values() if v["n"])
    result.rows = int(sum(v["n"] for v in fresh.values()))
    result.samples = len(samples)
    return result


def remove_source(source: ExternalSource, *, acting_user) -> int:
    """The source, its cells and its sample removed; every figure returns to what it was
    without it. Returns the feedback rows its cells counted."""
    actions.require_import(acting_user)
    with transaction.atomic():
        actions.ingest_lock()
        live = set(Step.objects.values_list("pk", flat=True))
        delta: dict[RollupKey, dict[str, float]] = {}
        removed = 0
        for row in ExternalCell.objects.filter(source=source).values(
                "step_id", "day", "channel", "segment", *SUM_COLUMNS).iterator(chunk_size=5000):
            sums = delta.setdefault(_key(row["step_id"], row["day"], row["channel"], row["segment"], live),
                                    dict.fromkeys(SUM_COLUMNS, 0))
            for column in SUM_COLUMNS:
                sums[column] -= row[column]
            removed += row["n"]
        rollup_store.apply_cells(delta)
        before = _audit(source)
        record_change(source, ChangeAction.DELETE, before, None, acting_user)
        source.delete()
    return int(removed)


def sync_all(*, acting_user, progress: Progress | None = None) -> list[tuple[str, SyncResult | str]]:
    """Every external source synced in turn (what the schedule and `cxkeeper sources sync
    --all` run); one source's failure is recorded on it and the others go on. A failed
    source is simply synced again next time: its watermark did not move."""
    results: list[tuple[str, SyncResult | str]] = []
    for source in ExternalSource.objects.order_by("name"):
        try:
            results.append((source.name, sync_source(source, acting_user=acting_user, progress=progress)))
        except (EngineError, SyncError) as exc:
            results.append((source.name, str(exc)))
    return results
