"""Benchmark: rollups vs raw aggregates on DuckDB over Parquet.

    python bench/rollups.py                # 1M generated feedback rows
    python bench/rollups.py --rows 10000000

Steps, all in one run on one DuckDB connection:
1. generate N feedback rows (NumPy, one year, 60 steps in 3 journeys) and write Parquet;
2. time building the rollups (cxkeeper.insights.analytics.rollups, via Ibis) into a DuckDB
   table and into a Parquet file;
3. time two page-shaped queries against the rollup table (Ibis → DuckDB, with the
   MetricValues computed by stats.py), and the same numbers computed by a hand-written
   DuckDB SQL aggregate over the raw rows — from the Parquet file and from a native DuckDB
   table. The raw answers are checked equal to the rollup answers;
   * heatmap: metric per step for one journey over the last 90 days;
   * step insight: weekly trend (whole year) + channel split (last 90 days) for one step.
Each timing is the median of --repeat runs after one warm-up run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import ibis  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from cxkeeper.insights.analytics import rollups, synthetic  # noqa: E402

JOURNEY = "help"
STEP = 27  # a step of the "help" journey


def _timed(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up (and the value returned)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _once(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# Raw SQL twins of rollups.SUM_COLUMNS (same rules as rollups.rollup_expr).
RAW_SUMS = ",\n".join(
    [
        "count(*)::BIGINT AS n",
        "count(nps)::BIGINT AS nps_n",
        "count(*) FILTER (WHERE nps >= 9)::BIGINT AS promoters",
        "count(*) FILTER (WHERE nps <= 6)::BIGINT AS detractors",
        "count(csat)::BIGINT AS csat_n",
        "count(*) FILTER (WHERE csat >= coalesce(csat_max, 5) - 1)::BIGINT AS csat_top",
        "count(ces)::BIGINT AS ces_n",
        "coalesce(sum(ces), 0)::BIGINT AS ces_sum",
        "coalesce(sum(ces * ces), 0)::BIGINT AS ces_sumsq",
        "count(*) FILTER (WHERE ces >= 5)::BIGINT AS ces_easy",
        "count(sentiment)::BIGINT AS sentiment_n",
        "coalesce(sum(sentiment), 0)::DOUBLE AS sentiment_sum",
        "coalesce(sum(sentiment * sentiment), 0)::DOUBLE AS sentiment_sumsq",
        "count(*) FILTER (WHERE sentiment < -0.05)::BIGINT AS negative_n",
        "count(*) FILTER (WHERE lower(event_type) = 'churn')::BIGINT AS churn_n",
        "count(*) FILTER (WHERE lower(event_type) = 'renewal')::BIGINT AS renewal_n",
        "count(*) FILTER (WHERE lower(event_type) = 'complaint')::BIGINT AS complaint_n",
    ]
)


def _raw_heatmap(con, source: str, start: dt.date, end: dt.date):
    sql = f"""
        SELECT f.step_id, {RAW_SUMS}
        FROM {source} AS f
        JOIN (SELECT DISTINCT step_id, journey FROM step_map) AS m USING (step_id)
        WHERE m.journey = '{JOURNEY}'
          AND f.received_at >= TIMESTAMP '{start}'
          AND f.received_at < TIMESTAMP '{end + dt.timedelta(days=1)}'
        GROUP BY f.step_id ORDER BY f.step_id"""  # noqa: S608 - constants only
    return con.con.sql(sql).to_arrow_table().to_pylist()


def _raw_step_insight(con, source: str, start: dt.date, end: dt.date):
    weekly = f"""
        SELECT date_trunc('week', received_at)::DATE AS week, {RAW_SUMS}
        FROM {source} WHERE step_id = {STEP} GROUP BY 1 ORDER BY 1"""  # noqa: S608
    channels = f"""
        SELECT channel, {RAW_SUMS}
        FROM {source} WHERE step_id = {STEP}
          AND received_at >= TIMESTAMP '{start}' AND received_at < TIMESTAMP '{end + dt.timedelta(days=1)}'
        GROUP BY 1 ORDER BY 1"""  # noqa: S608
    return (
        con.con.sql(weekly).to_arrow_table().to_pylist(),
        con.con.sql(channels).to_arrow_table().to_pylist(),
    )


def _heatmap_exprs(table, step_map, start, end):
    return [
        rollups.metric_sums(
            table, ["step"], step_map=step_map, where={"journey": JOURNEY}, start=start, end=end
        )
    ]


def _step_insight_exprs(table, start, end):
    return [
        rollups.metric_sums(table, ["week"], where={"step": STEP}),
        rollups.metric_sums(table, ["channel"], where={"step": STEP}, start=start, end=end),
    ]


def _same(rollup_rows, raw_rows, label):
    if len(rollup_rows) != len(raw_rows):
        raise AssertionError(f"{label}: {len(rollup_rows)} rollup rows vs {len(raw_rows)} raw rows")
    for a, b in zip(rollup_rows, raw_rows, strict=True):
        for col in rollups.INT_SUM_COLUMNS:
            if a[col] != b[col]:
                raise AssertionError(f"{label}: {col} {a[col]} != {b[col]}")
        for col in rollups.FLOAT_SUM_COLUMNS:
            if abs(a[col] - b[col]) > 1e-6 * max(1.0, abs(b[col])):
                raise AssertionError(f"{label}: {col} {a[col]} != {b[col]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0 = DuckDB's default)")
    parser.add_argument("--workdir", default=None, help="where Parquet files go (default: a temp dir)")
    args = parser.parse_args(argv)

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="cxk-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    raw_path = workdir / "feedback.parquet"
    rollup_path = workdir / "feedback_rollup.parquet"
    end = dt.date.today()
    start = end - dt.timedelta(days=89)

    report: list[tuple[str, str]] = []
    t_gen, table = _once(lambda: synthetic.feedback_arrow(args.rows, steps=args.steps, days=args.days))
    started = time.perf_counter()
    pq.write_table(table, raw_path, row_group_size=1_000_000)
    t_write = time.perf_counter() - started
    del table  # the engine reads the Parquet file, not this in-memory copy
    report.append(("generate rows (NumPy)", f"{t_gen:.2f} s"))
    report.append(("write raw Parquet", f"{t_write:.2f} s  ({os.path.getsize(raw_path) / 2**20:.0f} MiB)"))

    con = ibis.duckdb.connect(**({"threads": args.threads} if args.threads else {}))
    con.read_parquet(str(raw_path), table_name="feedback_parquet")
    step_map = con.create_table("step_map", ibis.memtable(synthetic.step_map_rows(args.steps)))
    t_load, _ = _once(lambda: con.create_table("feedback", con.table("feedback_parquet")))

    t_build, rollup_table = _once(
        lambda: rollups.materialize_rollups(con, "feedback_parquet", "feedback_rollup")
    )
    n_cells = rollup_table.count().execute()
    t_build_pq, _ = _once(lambda: rollups.write_rollups_parquet(con, "feedback_parquet", str(rollup_path)))
    report.append(("build rollups → DuckDB table (from Parquet)", f"{t_build:.2f} s  ({n_cells:,} cells)"))
    report.append(
        (
            "build rollups → Parquet file",
            f"{t_build_pq:.2f} s  ({os.path.getsize(rollup_path) / 2**20:.1f} MiB)",
        )
    )
    report.append(("load raw Parquet → native DuckDB table (for the raw baseline)", f"{t_load:.2f} s"))

    queries = [
        (
            "heatmap (journey × step, 90 days)",
            lambda: _heatmap_exprs(rollup_table, step_map, start, end),
            lambda src: [_raw_heatmap(con, src, start, end)],
        ),
        (
            "step insight (weekly trend + channel split)",
            lambda: _step_insight_exprs(rollup_table, start, end),
            lambda src: list(_raw_step_insight(con, src, start, end)),
        ),
    ]
    rows = []
    for label, make_exprs, on_raw in queries:
        # the product path: build the Ibis expressions, compile, run, turn into MetricValues
        t_roll, res_roll = _timed(lambda m=make_exprs: [rollups.fetch_metrics(e) for e in m()], args.repeat)
        # the same rollup queries compiled once: engine time alone
        sqls = [str(ibis.to_sql(e, dialect="duckdb")) for e in make_exprs()]
        t_roll_sql, _ = _timed(lambda q=sqls: [con.con.sql(x).to_arrow_table() for x in q], args.repeat)
        t_raw_pq, res_pq = _timed(lambda f=on_raw: f("feedback_parquet"), args.repeat)
        t_raw_tbl, res_tbl = _timed(lambda f=on_raw: f("feedback"), args.repeat)
        for a, b, c in zip(res_roll, res_pq, res_tbl, strict=True):
            _same(a, b, label)
            _same(a, c, label)
        rows.append((label, t_roll, t_roll_sql, t_raw_pq, t_raw_tbl))

    print(
        f"\ncxkeeper rollup benchmark — {args.rows:,} feedback rows, {args.days} days, "
        f"{args.steps} steps; DuckDB {con.version}, ibis {ibis.__version__}; "
        f"median of {args.repeat} runs"
    )
    width = max(len(k) for k, _ in report)
    for k, v in report:
        print(f"  {k:<{width}}  {v}")
    print()
    header = ("query", "rollups: ibis+stats", "rollups: SQL only", "raw: Parquet", "raw: DuckDB table")
    print(f"  {header[0]:<44} {header[1]:>20} {header[2]:>18} {header[3]:>14} {header[4]:>18}")
    for label, t_roll, t_roll_sql, t_raw_pq, t_raw_tbl in rows:
        print(
            f"  {label:<44} {t_roll * 1000:>17.1f} ms {t_roll_sql * 1000:>15.1f} ms "
            f"{t_raw_pq * 1000:>11.1f} ms {t_raw_tbl * 1000:>15.1f} ms"
        )
    print("\n  rollups: ibis+stats = build the Ibis expression, compile, execute, compute MetricValues;")
    print("  rollups: SQL only = the same rollup queries pre-compiled, engine time alone;")
    print("  raw = hand-written DuckDB SQL over every feedback row. All answers were checked equal.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
