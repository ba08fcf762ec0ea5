"""Feedback rollups and metric queries, written once with Ibis.

The same expressions run on SQLite, PostgreSQL, DuckDB (tables or Parquet) and PySpark;
``tests/insights/analytics/test_engines.py`` proves identical results on all four.

Grain
-----
One rollup row per ``step_id × day × channel × segment`` holding additive partial sums
(:data:`SUM_COLUMNS`). ``step_id`` NULL is the *unrouted* bucket, ``segment`` NULL means
"no segment"; both are kept as real keys. ``day`` is the UTC calendar date of
``received_at`` (naive timestamps are taken as UTC).

Incremental contract (for the Django layer)
-------------------------------------------
Rollups are a pure function of the feedback rows, and every sum is additive, so:

* import of rows R:        ``rollups ← apply_delta(rollups, rollup_delta(R))``
* erasure of rows R:        ``rollups ← apply_delta(rollups, rollup_delta(R, sign=-1))``
  using the rows *as they were stored* (read them before deleting them);
* correction old → new:     ``apply_delta(rollups, correction_delta(old, new))``
  (re-routing to another step, a fixed score, a changed segment …);

each in the same database transaction as the feedback write, exactly once per row
version. A cell whose ``n`` returns to 0 is deleted; a negative count means the
contract was broken (an erasure of a row never added) and raises. Integer sums are
exact; ``sentiment_sum``/``sentiment_sumsq`` are float64, additive up to rounding
(~1e-15 relative per operation). A full :func:`materialize_rollups` from the system of
record is always a valid repair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import ibis
import ibis.expr.types as ir

from . import stats

# Thresholds shared by the Ibis expression and the pure-Python delta path.
PROMOTER_MIN = 9  # NPS 9–10
DETRACTOR_MAX = 6  # NPS 0–6
DEFAULT_CSAT_MAX = 5  # CSAT scale 1–5 when csat_max is NULL; top-2 = max−1 and max


def csat_top_min(scale_max: int) -> int:
    """Lowest "satisfied" answer: the top two boxes on a scale of 4+ points, the top box on
    shorter scales (on Zendesk's good/bad = 2/1, "bad" must not count as satisfied)."""
    return scale_max - 1 if scale_max >= 4 else scale_max
CES_EASY_MIN = 5  # CES 5–7 on 1–7 is "easy"
NEGATIVE_SENTIMENT = -0.05  # sentiment strictly below is "negative" (VADER convention)
# `routed_by` of feedback a person set aside as spam or chatter: it counts in no figure.
OFF_TOPIC = "off_topic"
EVENT_TYPES = {"churn_n": "churn", "renewal_n": "renewal", "complaint_n": "complaint"}

FEEDBACK_SCHEMA = ibis.schema(
    {
        "id": "int64",
        "step_id": "int64",
        "channel": "string",
        "segment": "string",
        "received_at": "timestamp",
        "nps": "int32",
        "csat": "int32",
        "csat_max": "int32",
        "ces": "int32",
        "sentiment": "float64",
        "event_type": "string",
    }
)

KEY_COLUMNS = ("step_id", "day", "channel", "segment")
INT_SUM_COLUMNS = (
    "n",
    "nps_n",
    "promoters",
    "detractors",
    "csat_n",
    "csat_top",
    "ces_n",
    "ces_sum",
    "ces_sumsq",
    "ces_easy",
    "sentiment_n",
    "negative_n",
    "churn_n",
    "renewal_n",
    "complaint_n",
)
FLOAT_SUM_COLUMNS = ("sentiment_sum", "sentiment_sumsq")
SUM_COLUMNS = (
    "n",
    "nps_n",
    "promoters",
    "detractors",
    "csat_n",
    "csat_top",
    "ces_n",
    "ces_sum",
    "ces_sumsq",
    "ces_easy",
    "sentiment_n",
    "sentiment_sum",
    "sentiment_sumsq",
    "negative_n",
    "churn_n",
    "renewal_n",
    "complaint_n",
)
ROLLUP_SCHEMA = ibis.schema(
    {
        "step_id": "int64",
        "day": "date",
        "channel": "string",
        "segment": "string",
        **{c: ("float64" if c in FLOAT_SUM_COLUMNS else "int64") for c in SUM_COLUMNS},
    }
)

# Dimensions accepted by metric_sums(by=…, where=…) and the column each one yields.
TIME_DIMENSIONS = ("day", "week", "month")
ROLLUP_DIMENSIONS = {"step": "step_id", "channel": "channel", "segment": "segment"}
MAP_DIMENSIONS = ("stage", "journey", "team")
DIMENSIONS = ("step", *TIME_DIMENSIONS, "channel", "segment", *MAP_DIMENSIONS)

__all__ = [
    "DIMENSIONS",
    "FEEDBACK_SCHEMA",
    "KEY_COLUMNS",
    "ROLLUP_SCHEMA",
    "SUM_COLUMNS",
    "RollupKey",
    "apply_delta",
    "build_rollups",
    "combine_rollups",
    "correction_delta",
    "fetch_metrics",
    "materialize_rollups",
    "metric_sums",
    "rollup_delta",
    "rollup_expr",
    "rollup_rows",
    "rows_to_cells",
    "write_rollups_parquet",
]


# ------------------------------------------------------------------- build (Ibis)


def _count_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    # CASE WHEN cond THEN 1 ELSE 0: a NULL condition counts 0 on every engine.
    return ibis.ifelse(cond, 1, 0).sum().cast("int64")


def rollup_expr(feedback: ir.Table) -> ir.Table:
    """Rollup partial sums of a feedback table expression (see module doc for the grain).
    Rows a person marked off-topic (``routed_by`` = :data:`OFF_TOPIC`) are in no cell."""
    t = feedback
    if "routed_by" in t.columns:
        t = t.filter(t.routed_by.isnull() | (t.routed_by != OFF_TOPIC))
    ces = t.ces.cast("int64")
    sentiment = t.sentiment.cast("float64")
    csat_max = t.csat_max.cast("int64").coalesce(DEFAULT_CSAT_MAX)
    event = t.event_type.lower()
    return t.group_by(
        step_id=t.step_id.cast("int64"),
        day=t.received_at.date(),
        channel=t.channel,
        segment=t.segment,
    ).aggregate(
        n=t.count().cast("int64"),
        nps_n=t.nps.count().cast("int64"),
        promoters=_count_if(t.nps >= PROMOTER_MIN),
        detractors=_count_if(t.nps <= DETRACTOR_MAX),
        csat_n=t.csat.count().cast("int64"),
        csat_top=_count_if(t.csat.cast("int64") >= (csat_max >= 4).ifelse(csat_max - 1, csat_max)),
        ces_n=ces.count().cast("int64"),
        ces_sum=ces.sum().coalesce(0).cast("int64"),
        ces_sumsq=(ces * ces).sum().coalesce(0).cast("int64"),
        ces_easy=_count_if(ces >= CES_EASY_MIN),
        sentiment_n=sentiment.count().cast("int64"),
        sentiment_sum=sentiment.sum().coalesce(0.0).cast("float64"),
        sentiment_sumsq=(sentiment * sentiment).sum().coalesce(0.0).cast("float64"),
        negative_n=_count_if(sentiment < NEGATIVE_SENTIMENT),
        **{col: _count_if(event == value) for col, value in EVENT_TYPES.items()},
    )


def build_rollups(con: ibis.BaseBackend, feedback_table_name: str, *, database: Any = None) -> ir.Table:
    """Rollup expression over ``feedback_table_name`` on connection ``con`` (not executed)."""
    feedback = (
        con.table(feedback_table_name)
        if database is None
        else con.table(feedback_table_name, database=database)
    )
    return rollup_expr(feedback)


def materialize_rollups(
    con: ibis.BaseBackend,
    feedback_table_name: str,
    rollup_table_name: str,
    *,
    overwrite: bool = True,
    database: Any = None,
) -> ir.Table:
    """Build the rollups inside the engine as table ``rollup_table_name``; returns it."""
    expr = build_rollups(con, feedback_table_name, database=database)
    kwargs = {} if database is None else {"database": database}
    return con.create_table(rollup_table_name, expr, overwrite=overwrite, **kwargs)


def write_rollups_parquet(con: ibis.BaseBackend, feedback_table_name: str, path: str, **kwargs: Any) -> None:
    """Build the rollups and write them to a Parquet file/directory at ``path``."""
    con.to_parquet(build_rollups(con, feedback_table_name), path, **kwargs)


def combine_rollups(*parts: ir.Table, signs: Sequence[int] | None = None) -> ir.Table:
    """Merge rollup expressions with the same grain, each multiplied by its sign.

    ``combine_rollups(base, delta)`` adds a delta; ``signs=(1, -1)`` subtracts one. Cells
    whose ``n`` sums to 0 are dropped. Runs in the engine, for bulk maintenance.
    """
    signs = signs or (1,) * len(parts)
    if len(signs) != len(parts) or not parts:
        raise ValueError("one sign per rollup part is required")
    signed = []
    for part, sign in zip(parts, signs, strict=True):
        signed.append(
            part.select(
                *[part[k] for k in KEY_COLUMNS],
                *[(part[c] * sign).name(c) for c in SUM_COLUMNS],
            )
        )
    union = signed[0]
    for s in signed[1:]:
        union = union.union(s, distinct=False)
    merged = union.group_by(list(KEY_COLUMNS)).aggregate(**_sum_aggregates(union))
    return merged.filter(merged.n != 0)


def _sum_aggregates(t: ir.Table) -> dict[str, ir.Scalar]:
    aggs: dict[str, ir.Scalar] = {}
    for c in SUM_COLUMNS:
        kind = "float64" if c in FLOAT_SUM_COLUMNS else "int64"
        zero = 0.0 if c in FLOAT_SUM_COLUMNS else 0
        aggs[c] = t[c].sum().coalesce(zero).cast(kind)
    return aggs


# ---------------------------------------------------------------- metric queries


def _time_column(day: ir.DateValue, grain: str) -> ir.DateValue:
    if grain == "day":
        return day
    if grain == "week":  # ISO week, starting Monday
        return day.truncate("W").cast("date")
    if grain == "month":
        return day.truncate("M").cast("date")
    raise ValueError(grain)


def _as_table(step_map: Any) -> ir.Table:
    if isinstance(step_map, ir.Table):
        return step_map
    return ibis.memtable(step_map)


def metric_sums(
    rollups: ir.Table,
    by: Sequence[str] = (),
    *,
    step_map: Any = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Mapping[str, Any] | None = None,
) -> ir.Table:
    """Partial sums of ``rollups`` grouped by dimensions ``by`` (an Ibis expression).

    ``by`` items are from :data:`DIMENSIONS`: ``step`` (column ``step_id``), ``day``,
    ``week`` (Monday), ``month`` (first day), ``channel``, ``segment``, and — through
    ``step_map`` — ``stage``, ``journey``, ``team``.

    ``step_map`` is a small table (Ibis table, or anything ``ibis.memtable`` accepts)
    with ``step_id`` and any of ``stage``/``journey``/``team``. A step may appear on
    several rows (one per team); only the distinct mapping columns a query needs are
    joined, so by-journey never double-counts a step that several teams impact, while
    by-team counts such a step once for each team. Joining drops unrouted rows and steps
    absent from the map.

    ``start``/``end`` bound ``day`` inclusively. ``where`` maps a dimension (not a time
    one) to a value, a list/tuple/set of values, or ``None`` (IS NULL, e.g. unrouted).
    Output: the ``by`` columns in order, then every sum in :data:`SUM_COLUMNS`,
    ordered by the ``by`` columns. Feed rows to :func:`stats.metrics_from_sums`.
    """
    where = dict(where or {})
    by = list(by)
    for dim in [*by, *where]:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}; choose from {DIMENSIONS}")
    for dim in where:
        if dim in TIME_DIMENSIONS:
            raise ValueError("filter time with start/end, not where")

    t = rollups
    if start is not None:
        t = t.filter(t.day >= ibis.literal(start, type="date"))
    if end is not None:
        t = t.filter(t.day <= ibis.literal(end, type="date"))

    needed_map = [d for d in MAP_DIMENSIONS if d in by or d in where]
    if needed_map:
        if step_map is None:
            raise ValueError(f"grouping or filtering by {needed_map} needs a step_map")
        sm = _as_table(step_map)
        sm = sm.select(sm.step_id.cast("int64").name("step_id"), *needed_map).distinct()
        t = t.inner_join(sm, "step_id")

    for dim, value in where.items():
        col = t[ROLLUP_DIMENSIONS.get(dim, dim)]
        if value is None:
            t = t.filter(col.isnull())
        elif isinstance(value, (list, tuple, set, frozenset)):
            t = t.filter(col.isin(list(value)))
        else:
            t = t.filter(col == value)

    groups = {}
    for dim in by:
        if dim in TIME_DIMENSIONS:
            groups[dim] = _time_column(t.day, dim)
        else:
            name = ROLLUP_DIMENSIONS.get(dim, dim)
            groups[name] = t[name]
    aggs = _sum_aggregates(t)
    if not groups:
        return t.aggregate(**aggs)
    out = t.group_by(**groups).aggregate(**aggs)
    return out.order_by(list(groups))


def fetch_metrics(
    expr: ir.Table,
    *,
    min_n: int = stats.DEFAULT_MIN_N,
    confidence: float = stats.DEFAULT_CONFIDENCE,
) -> list[dict[str, Any]]:
    """Execute a :func:`metric_sums` expression; each row gains ``metrics`` (MetricValues)."""
    rows = expr.to_pyarrow().to_pylist()
    for row in rows:
        row["metrics"] = stats.metrics_from_sums(row, min_n=min_n, confidence=confidence)
    return rows


# ------------------------------------------------------- incremental (pure Python)


class RollupKey(NamedTuple):
    """Grain of a rollup cell. ``step_id``/``segment`` may be ``None``."""

    step_id: int | None
    day: dt.date
    channel: str
    segment: str | None


Cells = dict[RollupKey, dict[str, int | float]]


def utc_day(value: dt.datetime | dt.date) -> dt.date:
    """The UTC calendar day of a timestamp (a naive one is taken as UTC); a date as it is."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    return value


def _row_sums(row: Mapping[str, Any]) -> dict[str, int | float]:
    """One feedback row's contribution, with the same rules as :func:`rollup_expr`."""
    nps_ = row.get("nps")
    csat_ = row.get("csat")
    csat_max = row.get("csat_max")
    ces_ = row.get("ces")
    sent = row.get("sentiment")
    event = row.get("event_type")
    event = event.lower() if isinstance(event, str) else None
    top_min = csat_top_min(DEFAULT_CSAT_MAX if csat_max is None else int(csat_max))
    sent_f = None if sent is None else float(sent)
    out: dict[str, int | float] = {
        "n": 1,
        "nps_n": int(nps_ is not None),
        "promoters": int(nps_ is not None and nps_ >= PROMOTER_MIN),
        "detractors": int(nps_ is not None and nps_ <= DETRACTOR_MAX),
        "csat_n": int(csat_ is not None),
        "csat_top": int(csat_ is not None and csat_ >= top_min),
        "ces_n": int(ces_ is not None),
        "ces_sum": 0 if ces_ is None else int(ces_),
        "ces_sumsq": 0 if ces_ is None else int(ces_) * int(ces_),
        "ces_easy": int(ces_ is not None and ces_ >= CES_EASY_MIN),
        "sentiment_n": int(sent_f is not None),
        "sentiment_sum": 0.0 if sent_f is None else sent_f,
        "sentiment_sumsq": 0.0 if sent_f is None else sent_f * sent_f,
        "negative_n": int(sent_f is not None and sent_f < NEGATIVE_SENTIMENT),
    }
    for col, value in EVENT_TYPES.items():
        out[col] = int(event == value)
    return out


def _key(row: Mapping[str, Any]) -> RollupKey:
    step = row.get("step_id")
    return RollupKey(
        None if step is None else int(step),
        utc_day(row["received_at"] if "received_at" in row else row["day"]),
        row["channel"],
        row.get("segment"),
    )


def _zero() -> dict[str, int | float]:
    return {c: (0.0 if c in FLOAT_SUM_COLUMNS else 0) for c in SUM_COLUMNS}


def rollup_delta(rows: Iterable[Mapping[str, Any]], *, sign: int = 1) -> Cells:
    """Rollup cells of a batch of feedback rows (dicts with the feedback columns).

    ``sign=1`` for rows being added (import), ``sign=-1`` for rows being erased.
    Same result as :func:`rollup_expr` on those rows, as ``{RollupKey: {sum: value}}``.
    """
    if sign not in (1, -1):
        raise ValueError("sign must be 1 or -1")
    cells: Cells = {}
    for row in rows:
        if row.get("routed_by") == OFF_TOPIC:
            continue
        cell = cells.setdefault(_key(row), _zero())
        for col, value in _row_sums(row).items():
            cell[col] += sign * value
    return cells


def correction_delta(old_rows: Iterable[Mapping[str, Any]], new_rows: Iterable[Mapping[str, Any]]) -> Cells:
    """Delta turning rollups of ``old_rows`` into rollups of ``new_rows`` (new − old)."""
    return _merge(rollup_delta(new_rows), rollup_delta(old_rows, sign=-1), check=False)


def _merge(base: Mapping[RollupKey, Mapping], delta: Mapping[RollupKey, Mapping], *, check: bool) -> Cells:
    out: Cells = {k: dict(v) for k, v in base.items()}
    for key, sums in delta.items():
        cell = out.setdefault(key, _zero())
        for col in SUM_COLUMNS:
            cell[col] += sums.get(col, 0)
        if all(cell[c] == 0 for c in INT_SUM_COLUMNS):
            del out[key]  # float residue of an emptied cell is dropped with it
        elif check and (cell["n"] == 0 or any(cell[c] < 0 for c in INT_SUM_COLUMNS)):
            raise ValueError(f"rollup cell {key} would become inconsistent: {cell}")
    return out


def apply_delta(rollups: Mapping[RollupKey, Mapping], delta: Mapping[RollupKey, Mapping]) -> Cells:
    """New cells = ``rollups`` + ``delta``; emptied cells removed, negatives raise."""
    return _merge(rollups, delta, check=True)


def rollup_rows(cells: Mapping[RollupKey, Mapping]) -> list[dict[str, Any]]:
    """Flatten cells to rows shaped like :func:`build_rollups` output (sorted by key)."""
    rows = [{**key._asdict(), **{c: sums[c] for c in SUM_COLUMNS}} for key, sums in cells.items()]
    rows.sort(key=lambda r: _sort_key(r))
    return rows


def rows_to_cells(rows: Iterable[Mapping[str, Any]]) -> Cells:
    """Inverse of :func:`rollup_rows`: materialized rollup rows → cells."""
    cells: Cells = {}
    for row in rows:
        key = RollupKey(
            None if row["step_id"] is None else int(row["step_id"]),
            utc_day(row["day"]),
            row["channel"],
            row["segment"],
        )
        if key in cells:
            raise ValueError(f"duplicate rollup key {key}")
        cells[key] = {c: row[c] for c in SUM_COLUMNS}
    return cells


def _sort_key(row: Mapping[str, Any]) -> tuple:
    """NULLs first, then values — a total order usable across engines' outputs."""
    return tuple((row[k] is not None, row[k] if row[k] is not None else 0) for k in KEY_COLUMNS)
