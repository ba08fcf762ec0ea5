"""Benchmark: importing feedback end to end, and page server time reading rollups.

    python bench/import_and_pages.py                 # 1M imported rows, pages at 1M and 10M
    python bench/import_and_pages.py --rows 200000 --page-rows 2000000   # quicker

Everything runs in a fresh temporary data folder with the sample organization (its router is
trained from the map), on the embedded store (SQLite), each figure beside a baseline measured
in the same run:

(a) import N generated rows end to end (`cxkeeper import feedback`, a separate process: parse,
    validate, redact, de-duplicate, route, sentiment, store, rollups) — rows/s and peak RSS —
    vs. the raw parse of the same CSV with Python's csv module;
(b) heatmap and step-insight server time (the Django views, through the test client, median
    of 20 after a warm-up) with rollups of N rows and of M rows, vs. a raw DuckDB aggregate
    computing the same heatmap over the same rows from Parquet.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def median_time(fn, repeat: int = 20) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cxkeeper(data: Path, *args: str) -> tuple[str, float, int]:
    """Run the CLI in its own process; returns stdout, seconds and peak RSS in bytes."""
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cxkeeper", *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"cxkeeper {' '.join(args)} failed ({status})")
    return out, time.perf_counter() - start, usage.ru_maxrss * 1024


def write_csv(path: Path, rows: int) -> float:
    from cxkeeper.sample.feedback import generate_feedback

    start = time.perf_counter()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "channel", "customer", "segment", "comment", "nps", "csat", "ces", "event"])
        for i, row in enumerate(generate_feedback(rows, seed=11)):
            writer.writerow([f"B{i}", row["received_at"].isoformat(), row["channel"], row["customer_id"],
                             row["segment"], row["text"], row["nps"], row["csat"], row["ces"], row["event_type"]])
    return time.perf_counter() - start


def raw_parse(path: Path) -> float:
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as handle:
        for _ in csv.reader(handle):
            pass
    return time.perf_counter() - start


def django_setup(data: Path) -> None:
    os.environ["CXKEEPER_DATA_DIR"] = str(data)
    os.environ["CXKEEPER_ALLOWED_HOSTS"] = "testserver"  # the in-process test client
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django

    django.setup()


def page_times(label: str) -> dict:
    from django.test import Client

    from cxkeeper.insights.models import FeedbackRollup
    from cxkeeper.journeys.models import Journey, Step

    client = Client()
    client.force_login(__import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
                       .objects.get(username="kira"))
    journey = Journey.objects.get(slug="get-help-fix-a-problem")
    step = Step.objects.get(name="Log in to the app")

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return {
        "label": label, "cells": FeedbackRollup.objects.count(),
        "heatmap_ms": 1000 * median_time(lambda: get(f"/journeys/{journey.slug}/heatmap/?metric=nps&period=365")),
        "step_ms": 1000 * median_time(lambda: get(f"/steps/{step.pk}/insights/?metric=ces&period=365")),
    }


def export_parquet(path: Path) -> int:
    """The stored feedback as Parquet, for the raw DuckDB baseline over the same rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cxkeeper.insights.models import Feedback

    columns = ("step_id", "received_at", "channel", "nps")
    writer = None
    count = 0
    rows = Feedback.objects.values_list(*columns).order_by("pk").iterator(chunk_size=50_000)
    batch: list[tuple] = []

    def flush():
        nonlocal writer
        table = pa.table({c: [r[i] for r in batch] for i, c in enumerate(columns)})
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) == 50_000:
            flush()
            batch = []
    if batch:
        flush()
    writer.close()
    return count


def duckdb_heatmap_ms(parquet: Path, step_ids: list[int], days: int = 365, copies: int = 1) -> float:
    """The heatmap's sums straight from raw rows; `copies` reads the file that many times
    (10 × 1M rows stands for 10M rows of the same year)."""
    import duckdb

    con = duckdb.connect()
    ids = ",".join(str(i) for i in step_ids)
    files = "[" + ", ".join([f"'{parquet}'"] * copies) + "]"
    # A benchmark over its own generated file: no outside input reaches this SQL.
    sql = (f"SELECT step_id, count(*), sum((nps >= 9)::int), sum((nps <= 6)::int), count(nps) "  # noqa: S608
           f"FROM read_parquet({files}) WHERE step_id IN ({ids}) "
           f"AND received_at >= (SELECT max(received_at) FROM read_parquet('{parquet}')) - INTERVAL {days} DAY "
           f"GROUP BY step_id")
    return 1000 * median_time(lambda: con.execute(sql).fetchall(), repeat=10)


def scale_rollups(factor: int) -> None:
    """Rollups as `factor` times the rows would leave them. A page's cost depends on the cells
    it reads, and cells are bounded by steps × days (× channels × segments for splits), which
    the imported year already nearly fills; more rows of the same year only grow the sums.
    So the same cells with every sum multiplied by `factor` is what the pages would read."""
    from django.db import connection, transaction

    from cxkeeper.insights.analytics.rollups import SUM_COLUMNS
    from cxkeeper.insights.models import FeedbackRollup, StepDayRollup

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (FeedbackRollup, StepDayRollup):
            table = connection.ops.quote_name(model._meta.db_table)
            assignments = ", ".join(f"{c} = {c} * {int(factor)}" for c in SUM_COLUMNS)
            cursor.execute(f"UPDATE {table} SET {assignments}")  # noqa: S608 - constants only


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-rows", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cxk-bench-"))
    data = folder / "data"
    print(f"working in {folder}", file=sys.stderr)
    cxkeeper(data, "demo", "--no-serve", "--feedback-rows", "0")
    csv_path = folder / "feedback.csv"
    write_csv(csv_path, args.rows)
    parse_s = raw_parse(csv_path)
    out, import_s, rss = cxkeeper(data, "import", "feedback", str(csv_path), "--source", "Bench", "--json")
    summary = json.loads(out)
    assert summary["imported"] == args.rows, summary

    django_setup(data)
    from cxkeeper.journeys.models import Journey

    results = [page_times(f"{args.rows:,} rows")]
    parquet = folder / "feedback.parquet"
    export_parquet(parquet)
    step_ids = list(Journey.objects.get(slug="get-help-fix-a-problem").stages.values_list("steps__pk", flat=True))
    results[0]["raw_ms"] = duckdb_heatmap_ms(parquet, step_ids)
    results[0]["raw_rows"] = args.rows
    factor = max(1, args.page_rows // args.rows)
    if factor > 1:
        scale_rollups(factor)
        results.append(page_times(f"{args.rows * factor:,} rows (sums ×{factor})"))
        results[-1]["raw_ms"] = duckdb_heatmap_ms(parquet, step_ids, copies=factor)
        results[-1]["raw_rows"] = args.rows * factor

    from cxkeeper.insights.models import StepDayRollup

    print(f"\nstep × day cells: {StepDayRollup.objects.count():,}; {len(step_ids)} steps in the journey")
    print("\n| measure | cxkeeper | baseline (same run) |")
    print("|---|---|---|")
    print(f"| import {args.rows:,} rows end to end | {args.rows / import_s:,.0f} rows/s ({import_s:.0f} s), "
          f"peak RSS {rss / 2**20:,.0f} MB | raw csv parse {args.rows / parse_s:,.0f} rows/s ({parse_s:.1f} s) |")
    for r in results:
        print(f"| heatmap, {r['label']}, {r['cells']:,} rollup cells | {r['heatmap_ms']:.1f} ms server time | "
              f"DuckDB raw aggregate over {r['raw_rows']:,} rows (Parquet): {r['raw_ms']:.1f} ms |")
        print(f"| step insights, {r['label']} | {r['step_ms']:.1f} ms server time | |")
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
