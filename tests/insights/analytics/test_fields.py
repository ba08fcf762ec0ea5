"""Custom declared fields: the pure-Python delta and the Ibis expression give the same sums
(DuckDB and SQLite), erasure subtracts exactly, and the mean comes with a t interval."""

from __future__ import annotations

import datetime as dt
import math
import random

import ibis
import pyarrow as pa
import pytest

from cxkeeper.insights.analytics import fields, stats


def feedback_rows(count=2000, seed=3):
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for _ in range(count):
        metrics = {}
        if rng.random() < 0.7:
            metrics["handle_minutes"] = round(rng.uniform(0.5, 40), 2)
        if rng.random() < 0.3:
            metrics["order_value"] = rng.randint(5, 500)
        if rng.random() < 0.05:
            metrics["flag"] = True  # not a number: ignored
        received = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 90))
        rows.append({"step_id": rng.choice([1, 2, 3, None]), "received_at": received, "metrics": metrics})
    return rows


def as_map(table) -> dict:
    out = {}
    for row in table.to_pylist():
        day = row["day"] if isinstance(row["day"], dt.date) else dt.date.fromisoformat(str(row["day"])[:10])
        out[(row["step_id"], day, row["field"])] = (row["n"], row["value_sum"], row["value_sumsq"])
    return out


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_delta_equals_the_ibis_expression(engine):
    rows = feedback_rows()
    long = fields.long_rows(rows)
    arrow = pa.Table.from_pylist(
        [{**r, "received_at": r["received_at"].astimezone(dt.UTC).replace(tzinfo=None)} for r in long],
        schema=fields.FIELD_VALUES_SCHEMA.to_pyarrow())
    con = ibis.duckdb.connect() if engine == "duckdb" else ibis.sqlite.connect()
    con.create_table("field_values", ibis.memtable(arrow))
    built = as_map(con.to_pyarrow(fields.field_rollup_expr(con.table("field_values"))))
    delta = {tuple(k): (v["n"], v["value_sum"], v["value_sumsq"]) for k, v in fields.field_delta(rows).items()}
    assert built.keys() == delta.keys()
    for key, (n, total, sumsq) in delta.items():
        assert built[key][0] == n
        assert built[key][1] == pytest.approx(total, rel=1e-9) and built[key][2] == pytest.approx(sumsq, rel=1e-9)


def test_erasure_and_correction_cancel():
    rows = feedback_rows(300)
    added = fields.field_delta(rows)
    removed = fields.field_delta(rows, sign=-1)
    for key, sums in added.items():
        assert removed[key]["n"] == -sums["n"] and removed[key]["value_sum"] == pytest.approx(-sums["value_sum"])


def test_only_finite_real_numbers_count():
    assert fields.numeric_fields({"a": 1, "b": 2.5, "c": True, "d": "3", "e": None, "f": math.inf}) == \
        [("a", 1.0), ("b", 2.5)]


def test_mean_with_t_interval_and_too_few():
    values = [2.0, 4.0, 4.0, 5.0, 7.0, 8.0]
    sums = {"n": len(values), "value_sum": sum(values), "value_sumsq": sum(v * v for v in values)}
    value = fields.field_mean(sums, min_n=5)
    mean = sum(values) / 6
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / 5)
    half = stats.t_quantile(5) * s / math.sqrt(6)
    assert value.enough and value.value == pytest.approx(mean)
    assert value.low == pytest.approx(mean - half) and value.high == pytest.approx(mean + half)
    assert fields.field_mean(sums) == stats.MetricValue.too_few(6)  # default min n = 30
