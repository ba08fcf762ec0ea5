"""The rollup tables in the workspace database, kept equal to the sum over stored feedback:
step × day × channel × segment (`FeedbackRollup`), step × day (`StepDayRollup`) and
step × month × channel × segment (`StepMonthRollup`), and the custom declared numeric fields
per step × day × field (`FieldRollup`, deltas from `analytics.fields.field_delta`).

Deltas come from `analytics.rollups.rollup_delta` (one definition of every sum); this module
only adds them to `FeedbackRollup` rows inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection

from cxkeeper.core import figures
from cxkeeper.insights.analytics.fields import FIELD_SUM_COLUMNS, FieldCells, FieldKey, field_delta
from cxkeeper.insights.analytics.rollups import INT_SUM_COLUMNS, SUM_COLUMNS, RollupKey, rollup_delta
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback, FeedbackRollup, FieldRollup, StepDayRollup, StepMonthRollup

UNROUTED = 0  # step_id of the unrouted cell; the analytics layer says None
ROLLUP_MODELS = (FeedbackRollup, StepDayRollup, StepMonthRollup)  # kept equal by one upsert each


def rollup_input(feedback: Feedback) -> dict:
    """The columns `rollup_delta` reads, from a stored (or about to be stored) feedback row."""
    return {
        "step_id": feedback.step_id, "received_at": feedback.received_at, "channel": feedback.channel,
        "segment": feedback.segment or None, "nps": feedback.nps, "csat": feedback.csat,
        "csat_max": feedback.csat_max, "ces": feedback.ces, "sentiment": feedback.sentiment,
        "event_type": feedback.event_type or None,
    }


def _store_key(key: RollupKey) -> tuple:
    return (key.step_id if key.step_id is not None else UNROUTED, key.day, key.channel, key.segment or "")


def _upsert(cursor, model, keys: tuple[str, ...], rows: list[tuple], sums: tuple[str, ...] = SUM_COLUMNS) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = (*keys, *sums)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    # Identifiers come from the model and constants; values travel as parameters.
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
           f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")
    cursor.executemany(sql, rows)


def apply_cells(cells: Mapping[RollupKey, Mapping[str, float]]) -> None:
    """Add each cell's sums to its row with one multi-row upsert per rollup table (SQLite ≥ 3.24
    and PostgreSQL share the `ON CONFLICT … DO UPDATE` syntax), then drop cells a removal emptied.

    Callers hold the ingest lock (see `actions.ingest_lock`), so writers never interleave.
    Every change of stored feedback passes here (even one that moves no cell, such as an
    off-topic mark of an item already in no figure), so this is where the figures computed from
    feedback learn that it changed (`core.figures`).
    """
    figures.data_changed(figures.FEEDBACK)
    if not cells:
        return
    fine, daily, monthly = [], {}, {}
    removing = False
    adapt = connection.ops.adapt_datefield_value
    for key, sums in cells.items():
        step_id, day, channel, segment = _store_key(key)
        values = [sums.get(c, 0) for c in SUM_COLUMNS]
        removing = removing or any(v < 0 for v in values)
        day_value = adapt(day)
        fine.append((step_id, day_value, channel, segment, *values))
        for groups, group in ((daily, (step_id, day_value)),
                              (monthly, (step_id, adapt(day.replace(day=1)), channel, segment))):
            total = groups.get(group)
            if total is None:
                groups[group] = list(values)
            else:
                for i, value in enumerate(values):
                    total[i] += value
    with connection.cursor() as cursor:
        _upsert(cursor, FeedbackRollup, ("step_id", "day", "channel", "segment"), fine)
        _upsert(cursor, StepDayRollup, ("step_id", "day"), [(*k, *v) for k, v in daily.items()])
        _upsert(cursor, StepMonthRollup, ("step_id", "month", "channel", "segment"),
                [(*k, *v) for k, v in monthly.items()])
        if removing:
            negative = " OR ".join(f"{c} < 0" for c in INT_SUM_COLUMNS)
            for model in ROLLUP_MODELS:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"SELECT count(*) FROM {table} WHERE {negative}")  # noqa: S608 - constants only
                if cursor.fetchone()[0]:
                    raise ValueError("a rollup cell would go negative: the feedback store and rollups disagree")
                cursor.execute(f"DELETE FROM {table} WHERE n = 0")  # noqa: S608 - constants only


def apply_field_cells(cells: FieldCells) -> None:
    """Add custom-field sums (`analytics.fields.field_delta`) to `FieldRollup`, like `apply_cells`."""
    if not cells:
        return
    adapt = connection.ops.adapt_datefield_value
    rows = [(key.step_id if key.step_id is not None else UNROUTED, adapt(key.day), key.field,
             *(sums[c] for c in FIELD_SUM_COLUMNS)) for key, sums in cells.items()]
    with connection.cursor() as cursor:
        _upsert(cursor, FieldRollup, ("step_id", "day", "field"), rows, FIELD_SUM_COLUMNS)
        if any(sums["n"] < 0 for sums in cells.values()):
            table = connection.ops.quote_name(FieldRollup._meta.db_table)
            cursor.execute(f"SELECT count(*) FROM {table} WHERE n < 0")  # noqa: S608 - constants only
            if cursor.fetchone()[0]:
                raise ValueError("a field rollup cell would go negative: the feedback store and rollups disagree")
            cursor.execute(f"DELETE FROM {table} WHERE n = 0")  # noqa: S608 - constants only


def add_records(records: Iterable[Mapping]) -> None:
    """Feedback about to be inserted, as column dicts (the import's fast path)."""
    records = [r for r in records if r.get("routed_by") != RoutedBy.OFF_TOPIC]
    apply_cells(rollup_delta({**r, "segment": r["segment"] or None, "event_type": r["event_type"] or None}
                             for r in records))
    apply_field_cells(field_delta(records))


def in_figures(feedback: Feedback) -> bool:
    """Off-topic items (spam, chatter a person set aside) are in no rollup cell — not a step's,
    not the unrouted one — so they count in no figure. Every add and remove asks this."""
    return feedback.routed_by != RoutedBy.OFF_TOPIC


def add_feedback(rows: Iterable[Feedback]) -> None:
    rows = [f for f in rows if in_figures(f)]
    apply_cells(rollup_delta(rollup_input(f) for f in rows))
    apply_field_cells(field_delta(_field_input(f) for f in rows))


def remove_feedback(rows: Iterable[Feedback]) -> None:
    rows = [f for f in rows if in_figures(f)]
    apply_cells(rollup_delta((rollup_input(f) for f in rows), sign=-1))
    apply_field_cells(field_delta((_field_input(f) for f in rows), sign=-1))


def move_step_cells(from_step_id: int, to_step_id: int | None = None) -> int:
    """Every cell of one step moved to another (None: the unrouted cells), for feedback whose
    step changes as a whole and nothing else (the step is being deleted). Only the step
    changes, so each cell moves as it is: the work grows with the step's cells, not with its
    feedback. Through `apply_cells`/`apply_field_cells` like every write; callers hold the
    ingest lock and move the feedback rows in the same transaction. Returns the fine cells moved."""
    if to_step_id == from_step_id:
        return 0
    cells: dict[RollupKey, dict[str, float]] = {}
    rows = FeedbackRollup.objects.filter(step_id=from_step_id).values_list("day", "channel", "segment",
                                                                          *SUM_COLUMNS)
    for day, channel, segment, *values in rows:
        sums = dict(zip(SUM_COLUMNS, values, strict=True))
        cells[RollupKey(from_step_id, day, channel, segment or None)] = {c: -v for c, v in sums.items()}
        cells[RollupKey(to_step_id, day, channel, segment or None)] = sums
    fields: FieldCells = {}
    for day, name, *values in FieldRollup.objects.filter(step_id=from_step_id).values_list(
            "day", "field", *FIELD_SUM_COLUMNS):
        sums = dict(zip(FIELD_SUM_COLUMNS, values, strict=True))
        fields[FieldKey(from_step_id, day, name)] = {c: -v for c, v in sums.items()}
        fields[FieldKey(to_step_id, day, name)] = sums
    apply_cells(cells)
    apply_field_cells(fields)
    return len(cells) // 2


def _field_input(feedback: Feedback) -> dict:
    return {"step_id": feedback.step_id, "received_at": feedback.received_at, "metrics": feedback.metrics}


def rebuild() -> int:
    """Recompute every cell from the feedback rows (repair; also what tests compare against)."""
    for model in (*ROLLUP_MODELS, FieldRollup):
        model.objects.all().delete()
    count = 0
    batch = []
    for feedback in Feedback.objects.order_by("pk").iterator(chunk_size=5000):
        batch.append(feedback)
        if len(batch) == 5000:
            add_feedback(batch)
            count += len(batch)
            batch = []
    add_feedback(batch)
    return count + len(batch)
