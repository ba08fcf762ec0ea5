"""Rollups of custom declared numeric fields (`Feedback.metrics`, e.g. handle time, order value).

An import mapping may declare numeric columns (`metrics: {handle_minutes: AHT}`); each stored
feedback item keeps them in its JSON `metrics`. They are summed per **step × day × field** into
`n`, `value_sum`, `value_sumsq` — enough for a mean with a Student-t interval
(`stats.mean_interval`) by any grouping of steps and days. Channels and segments are not
in this grain (fields are few per item but open-ended; a step × day × channel × segment × field
grain would multiply the cells by ~24 for a split nobody has asked for yet).

Two definitions of the same sums, held equal by tests, as for the main rollups:

* `field_delta(rows, sign=±1)`: pure Python, what the workspace database adds on every import,
  correction and erasure (`insights.rollup_store`);
* `field_rollup_expr(values)`: Ibis, over a *long* table of one row per item and field
  (`step_id`, `received_at`, `field`, `value`), for engines where feedback lives as a table —
  JSON columns are read differently by every engine, so flattening `metrics` into that long
  table is the loader's job (one `UNNEST`/`explode` or a Python pass).

A value counts when it is a real, finite number (int or float, not bool); anything else in
`metrics` is ignored. `value_sum`/`value_sumsq` are float64, additive up to rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import ibis
import ibis.expr.types as ir

from . import stats
from .rollups import utc_day

FIELD_SUM_COLUMNS = ("n", "value_sum", "value_sumsq")
FIELD_PREFIX = "field:"  # how a field is named among metrics: "field:handle_minutes"
FIELD_VALUES_SCHEMA = ibis.schema({"step_id": "int64", "received_at": "timestamp", "field": "string",
                                   "value": "float64"})


class FieldKey(NamedTuple):
    """Grain of a field rollup cell; ``step_id`` None is the unrouted bucket."""

    step_id: int | None
    day: dt.date
    field: str


FieldCells = dict[FieldKey, dict[str, int | float]]


def numeric_fields(metrics: Mapping[str, Any] | None) -> list[tuple[str, float]]:
    """The (name, value) pairs of `metrics` that count: finite real numbers, not booleans."""
    if not metrics:
        return []
    out = []
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        number = float(value)
        if math.isfinite(number):
            out.append((str(name), number))
    return out


def field_delta(rows: Iterable[Mapping[str, Any]], *, sign: int = 1) -> FieldCells:
    """Field cells of feedback rows (dicts with `step_id`, `received_at`, `metrics`);
    ``sign=-1`` for rows being erased or moved away (read as stored)."""
    if sign not in (1, -1):
        raise ValueError("sign must be 1 or -1")
    cells: FieldCells = {}
    for row in rows:
        pairs = numeric_fields(row.get("metrics"))
        if not pairs:
            continue
        step = row.get("step_id")
        day = utc_day(row["received_at"])
        for name, value in pairs:
            cell = cells.get(key := FieldKey(None if step is None else int(step), day, name))
            if cell is None:
                cell = cells[key] = {"n": 0, "value_sum": 0.0, "value_sumsq": 0.0}
            cell["n"] += sign
            cell["value_sum"] += sign * value
            cell["value_sumsq"] += sign * value * value
    return cells


def field_rollup_expr(values: ir.Table) -> ir.Table:
    """Field rollup cells of a long table (`step_id`, `received_at`, `field`, `value`), one
    row per feedback item and field — the same sums as :func:`field_delta`. NULL values are
    not counted (engines give NaN/inf no portable test, so filter them when flattening)."""
    t = values.filter(values.value.notnull())
    value = t.value.cast("float64")
    return t.group_by(step_id=t.step_id.cast("int64"), day=t.received_at.date(), field=t.field).aggregate(
        n=value.count().cast("int64"),
        value_sum=value.sum().cast("float64"),
        value_sumsq=(value * value).sum().cast("float64"),
    )


def long_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Feedback rows flattened into the long table :func:`field_rollup_expr` reads."""
    return [{"step_id": row.get("step_id"), "received_at": row["received_at"], "field": name, "value": value}
            for row in rows for name, value in numeric_fields(row.get("metrics"))]


def field_mean(sums: Mapping[str, float | int | None], *, min_n: int = stats.DEFAULT_MIN_N,
               confidence: float = stats.DEFAULT_CONFIDENCE) -> stats.MetricValue:
    """Mean of a field with its t interval from (n, Σx, Σx²); "too few" below `min_n`."""
    return stats.mean_interval(int(sums.get("n") or 0), float(sums.get("value_sum") or 0.0),
                               float(sums.get("value_sumsq") or 0.0), min_n=min_n, confidence=confidence)
