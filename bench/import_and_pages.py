"""Benchmark: importing feedback end to end, and page server time reading rollups.

    python bench/import_and_pages.py                 # 1M imported rows, pages at 1M and 10M
    python bench/import_and_pages.py --rows 200000 --page-rows 2000000   # quicker
    python bench/import_and_pages.py --rows 200000 --import-only         # the import alone

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
import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cxkeeper.testing import processes  # noqa: E402 - after the path above


def median_time(fn, repeat: int = 20) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cxkeeper(data: Path, *args: str) -> tuple[str, float, int, dict]:
    """Run the CLI in its own process; returns stdout, seconds, peak RSS of the process in
    bytes, and {"tree_rss": peak RSS summed over the process and its worker processes (sampled
    every 0.2 s), "cpu_s": CPU seconds of the process and its workers}."""
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cxkeeper", *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    peak = {"tree_rss": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            with contextlib.suppress(OSError, ValueError, IndexError):
                peak["tree_rss"] = max(peak["tree_rss"], processes.rss_bytes(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc").is_dir():
        sampler.start()
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    stop.set()
    if status:
        raise SystemExit(f"cxkeeper {' '.join(args)} failed ({status})")
    peak["cpu_s"] = usage.ru_utime + usage.ru_stime
    return out, time.perf_counter() - start, usage.ru_maxrss * 1024, peak


def unique_text_share(path: Path, chunk_rows: int = 2000) -> tuple[float, float]:
    """Share of non-empty texts that are distinct within their import chunk (what the import
    routes and scores; identical texts in a chunk are computed once) and over the whole file."""
    total = in_chunks = 0
    everything: set[str] = set()
    chunk: set[str] = set()
    with open(path, newline="", encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            if i % chunk_rows == 0:
                in_chunks += len(chunk)
                chunk = set()
            text = row["comment"].strip()
            if text:
                total += 1
                chunk.add(text)
                everything.add(text)
    in_chunks += len(chunk)
    return in_chunks / max(total, 1), len(everything) / max(total, 1)


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

    def wall_and_cpu(url, repeat: int = 20) -> tuple[float, float]:
        """Median wall-clock and median CPU time of this process (ms) after a warm-up. Every page
        is answered cold: nothing the view computes is cached between requests (only the themes,
        which are cached per journey until new feedback arrives). The CPU figure is what the
        server spends (SQLite runs in-process) and stays honest when other work shares the
        cores; the wall figure is the one compared to the target."""
        get(url)
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            get(url)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)

    heatmap_ms, heatmap_cpu = wall_and_cpu(f"/journeys/{journey.slug}/heatmap/?metric=nps&period=365")
    step_ms, step_cpu = wall_and_cpu(f"/steps/{step.pk}/insights/?metric=ces&period=365")
    print(f"pages, {label}: heatmap {heatmap_ms:.1f} ms (CPU {heatmap_cpu:.1f} ms), "
          f"step insights {step_ms:.1f} ms (CPU {step_cpu:.1f} ms), load average {os.getloadavg()[0]:.1f}")
    return {"label": label, "cells": FeedbackRollup.objects.count(), "heatmap_ms": heatmap_ms, "step_ms": step_ms}


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


def scale_rollups(factor: int, *, undo: bool = False) -> None:
    """Rollups as `factor` times the rows would leave them. A page's cost depends on the cells
    it reads, and cells are bounded by steps × days (× channels × segments for splits), which
    the imported year already nearly fills; more rows of the same year only grow the sums.
    So the same cells with every sum multiplied by `factor` is what the pages would read.
    `undo=True` divides them back (a kept data folder must read as the rows it holds)."""
    from django.db import connection, transaction

    from cxkeeper.insights.analytics.rollups import SUM_COLUMNS
    from cxkeeper.insights.rollup_store import ROLLUP_MODELS

    with transaction.atomic(), connection.cursor() as cursor:
        for model in ROLLUP_MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            op = "/" if undo else "*"
            assignments = ", ".join(f"{c} = {c} {op} {int(factor)}" for c in SUM_COLUMNS)
            cursor.execute(f"UPDATE {table} SET {assignments}")  # noqa: S608 - constants only


def _print_import_notes(rows, usage, workers, load_before, load_after, unique_chunk, unique_file) -> None:
    print(f"\nimport: text workers {workers} (CXKEEPER_IMPORT_WORKERS), {usage['cpu_s']:.0f} CPU s in all "
          f"({1e6 * usage['cpu_s'] / rows:.0f} µs/row); load average {load_before:.1f} before, {load_after:.1f} "
          f"after, {os.cpu_count()} CPUs")
    print(f"texts: {100 * unique_chunk:.1f}% of non-empty texts are distinct within their 2,000-row chunk, "
          f"{100 * unique_file:.1f}% over the whole file (identical texts are routed and scored once per import)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-rows", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    parser.add_argument("--import-only", action="store_true", help="measure the import only, not the pages")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cxk-bench-"))
    data = folder / "data"
    print(f"working in {folder}", file=sys.stderr)
    cxkeeper(data, "demo", "--no-serve", "--feedback-rows", "0")
    csv_path = folder / "feedback.csv"
    write_csv(csv_path, args.rows)
    parse_s = raw_parse(csv_path)
    unique_chunk, unique_file = unique_text_share(csv_path)
    workers = os.environ.get("CXKEEPER_IMPORT_WORKERS", "auto")
    load_before = os.getloadavg()[0]
    out, import_s, rss, usage = cxkeeper(data, "import", "feedback", str(csv_path), "--source", "Bench", "--json")
    load_after = os.getloadavg()[0]
    summary = json.loads(out)
    assert summary["imported"] == args.rows, summary
    if args.import_only:
        print(f"\n| import {args.rows:,} rows end to end | {args.rows / import_s:,.0f} rows/s ({import_s:.0f} s), "
              f"peak RSS {rss / 2**20:,.0f} MB (with text workers: {usage['tree_rss'] / 2**20:,.0f} MB) | "
              f"raw csv parse {args.rows / parse_s:,.0f} rows/s ({parse_s:.1f} s) |")
        _print_import_notes(args.rows, usage, workers, load_before, load_after, unique_chunk, unique_file)
        if not args.keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
        return 0

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
          f"peak RSS {rss / 2**20:,.0f} MB (with text workers: {usage['tree_rss'] / 2**20:,.0f} MB) | "
          f"raw csv parse {args.rows / parse_s:,.0f} rows/s ({parse_s:.1f} s) |")
    for r in results:
        print(f"| heatmap, {r['label']}, {r['cells']:,} rollup cells | {r['heatmap_ms']:.1f} ms server time | "
              f"DuckDB raw aggregate over {r['raw_rows']:,} rows (Parquet): {r['raw_ms']:.1f} ms |")
        print(f"| step insights, {r['label']} | {r['step_ms']:.1f} ms server time | |")
    _print_import_notes(args.rows, usage, workers, load_before, load_after, unique_chunk, unique_file)
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
