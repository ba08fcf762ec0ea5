"""Engine-independent checks: every engine must reproduce the pure-Python reference.

Integer sums must be equal exactly; the two float sums (sentiment) to 1e-9 relative, since
engines add floats in different orders. Row order is compared after sorting (engines
disagree on where NULLs sort).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from cxkeeper.insights.analytics import rollups, stats

# The day the generated data ends (synthetic.feedback_rows: 2024-01-01 + 120 days).
LAST_DAY = dt.date(2024, 4, 29)

# (name, by, keyword arguments of rollups.metric_sums)
QUERIES: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("total", (), {}),
    ("by_step", ("step",), {}),
    ("week_x_channel", ("week", "channel"), {}),
    ("month_x_segment", ("month", "segment"), {}),
    ("by_journey", ("journey",), {}),
    (
        "heatmap_help_last_90_days",
        ("step",),
        {"where": {"journey": "help"}, "start": LAST_DAY - dt.timedelta(days=89), "end": LAST_DAY},
    ),
    ("team_x_stage", ("team", "stage"), {}),
    (
        "step_insight_weekly_filtered",
        ("week", "day"),
        {"where": {"step": 5, "channel": ["app", "web"], "segment": "premium"}},
    ),
    ("unrouted_by_month", ("month",), {"where": {"step": None}}),
    ("no_segment_by_channel", ("channel",), {"where": {"segment": None}}),
]

_OUT_COLUMN = {"step": "step_id"}


def _norm(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    return value


def normalize(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """Plain Python values, sorted by ``keys`` with NULLs first."""
    out = [{k: _norm(v) for k, v in row.items()} for row in rows]
    out.sort(key=lambda r: tuple((r[k] is not None, r[k] if r[k] is not None else 0) for k in keys))
    return out


def assert_rows_equal(actual: list[dict], expected: list[dict], keys: list[str], label: str) -> None:
    assert len(actual) == len(expected), f"{label}: {len(actual)} rows, expected {len(expected)}"
    for got, want in zip(actual, expected, strict=True):
        for k in keys:
            assert got[k] == want[k], f"{label}: key {k}: {got[k]!r} != {want[k]!r}"
        for c in rollups.INT_SUM_COLUMNS:
            assert got[c] == want[c], f"{label} {[want[k] for k in keys]}: {c} {got[c]} != {want[c]}"
            assert isinstance(got[c], int), f"{label}: {c} is {type(got[c])}"
        for c in rollups.FLOAT_SUM_COLUMNS:
            assert math.isclose(got[c], want[c], rel_tol=1e-9, abs_tol=1e-9), (
                f"{label} {[want[k] for k in keys]}: {c} {got[c]} != {want[c]}"
            )


def reference_metric_sums(cells, by, *, step_map, start=None, end=None, where=None) -> list[dict]:
    """Plain-Python twin of rollups.metric_sums, used as the oracle."""
    where = where or {}
    needed = [d for d in rollups.MAP_DIMENSIONS if d in by or d in where]
    mapping: dict[int, set[tuple]] = defaultdict(set)
    for m in step_map:
        mapping[m["step_id"]].add(tuple(m[d] for d in needed))
    groups: dict[tuple, dict] = {}
    for row in rollups.rollup_rows(cells):
        if start is not None and row["day"] < start:
            continue
        if end is not None and row["day"] > end:
            continue
        expansions = [dict(zip(needed, combo, strict=True)) for combo in mapping.get(row["step_id"], ())]
        for extra in expansions if needed else [{}]:
            r = {**row, **extra, "step": row["step_id"]}
            if not all(_matches(r[d], v) for d, v in where.items()):
                continue
            key = tuple(_dim_value(r, d) for d in by)
            acc = groups.setdefault(
                key, {c: (0.0 if c in rollups.FLOAT_SUM_COLUMNS else 0) for c in rollups.SUM_COLUMNS}
            )
            for c in rollups.SUM_COLUMNS:
                acc[c] += r[c]
    if not by and not groups:
        groups[()] = {c: 0 for c in rollups.SUM_COLUMNS}
    names = [_OUT_COLUMN.get(d, d) for d in by]
    return [{**dict(zip(names, key, strict=True)), **sums} for key, sums in groups.items()]


def _matches(value, wanted) -> bool:
    if wanted is None:
        return value is None
    if isinstance(wanted, (list, tuple, set)):
        return value in wanted
    return value == wanted


def _dim_value(row: dict, dim: str):
    day: dt.date = row["day"]
    if dim == "week":
        return day - dt.timedelta(days=day.weekday())
    if dim == "month":
        return day.replace(day=1)
    return row[dim]


def check_engine(
    con,
    feedback_table: str,
    rollup_table: str,
    *,
    reference_cells,
    step_map,
    label: str,
    step_map_table=None,
    queries=QUERIES,
    materialize=None,
) -> dict[str, list[dict]]:
    """Materialize rollups on ``con``; compare rollups and every query with the reference.

    Returns the metric rows per query (with MetricValues) for cross-engine comparison.
    """
    if materialize is None:
        table = rollups.materialize_rollups(con, feedback_table, rollup_table)
    else:
        table = materialize(con, feedback_table, rollup_table)
    keys = list(rollups.KEY_COLUMNS)
    got = normalize(table.to_pyarrow().to_pylist(), keys)
    assert_rows_equal(got, rollups.rollup_rows(reference_cells), keys, f"{label} rollups")
    sm = step_map_table if step_map_table is not None else step_map
    results = {}
    for name, by, kwargs in queries:
        expr = rollups.metric_sums(table, by, step_map=sm, **kwargs)
        names = [_OUT_COLUMN.get(d, d) for d in by]
        rows = normalize(rollups.fetch_metrics(expr), names)
        want = normalize(reference_metric_sums(reference_cells, by, step_map=step_map, **kwargs), names)
        assert_rows_equal(rows, want, names, f"{label} {name}")
        for row, ref in zip(rows, want, strict=True):
            assert_metrics_close(row["metrics"], stats.metrics_from_sums(ref), f"{label} {name}")
        results[name] = rows
    return results


def assert_metrics_close(got: dict, want: dict, label: str) -> None:
    assert got.keys() == want.keys()
    for name in want:
        g, w = got[name], want[name]
        assert (g.n, g.enough) == (w.n, w.enough), f"{label} {name}: {g} != {w}"
        for field in ("value", "low", "high"):
            a, b = getattr(g, field), getattr(w, field)
            assert (a is None) == (b is None), f"{label} {name}.{field}: {a} vs {b}"
            if a is not None:
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{label} {name}.{field}: {a} vs {b}"
