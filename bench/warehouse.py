"""Benchmark: the warehouse path on Spark local[2] beside a local import of the same rows.

    python bench/warehouse.py                     # 20,000 rows: a few minutes on 2 cores
    python bench/warehouse.py --rows 200000
    python bench/warehouse.py --rows 1000000      # Spark and the local import: ~12 minutes
    python bench/warehouse.py --rows 10000000 --skip-local  # the issue's size, Spark only: ~17 minutes
    python bench/warehouse.py --skip-local        # Spark only (the local import is the slow part)

In a fresh temporary data folder (SQLite) with a small organization and a router trained from
its map, N generated feedback rows without steps (distinct texts, some with personal data)
are written to Parquet, then:

(0) a warm-up on 1,000 rows (Spark's fixed costs: first jobs, Python workers, models);
(a) `route batch` on Spark local[2]: redact, route, score on the executors (`mapInPandas`,
    the models broadcast once) → rows/s;
(b) the rollups built on Spark from the feedback joined with the routes → rows/s;
(c) `rollup --sync` of those rollups (with the sample) into cxkeeper's store → seconds;
(d) the baseline: a local import of the same Parquet file (`pipeline.import_file`: parse,
    validate, redact, route, score, store, rollups) → rows/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PHRASES = ["I can't log in to the app", "password reset never arrives", "the app keeps signing me out",
           "cannot sign in since the update", "I called the helpline and waited", "nobody answers the helpline",
           "the agent on the phone was helpful", "calling customer service took forever", "great", "asdf"]
TAILS = ["", " again", " today", " and I am annoyed", " thank you", " please fix it", " call me on +44 20 7946 0958",
         " mail me at someone@example.com"]


def write_feedback(path: Path, rows: int, *, seed: int = 16, days: int = 365, batch: int = 1_000_000) -> None:
    """N rows in batches (numpy), distinct texts (a case number in each)."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    end = np.datetime64(dt.datetime.now(dt.UTC).date(), "us")
    schema = pa.schema([("id", pa.int64()), ("received_at", pa.timestamp("us", tz="UTC")), ("channel", pa.string()),
                        ("segment", pa.string()), ("text", pa.string()), ("nps", pa.int32()), ("csat", pa.int32()),
                        ("ces", pa.int32())])
    with pq.ParquetWriter(str(path), schema) as writer:
        for start in range(0, rows, batch):
            n = min(batch, rows - start)
            phrase = rng.integers(0, len(PHRASES), n)
            tail = rng.integers(0, len(TAILS), n)
            case = rng.integers(0, 10**9, n)
            texts = [f"{PHRASES[p]}{TAILS[t]} case {c}" for p, t, c in zip(phrase, tail, case, strict=True)]
            offsets = rng.integers(0, days * 86_400_000_000, n)
            nps = rng.integers(-1, 11, n)
            csat = rng.integers(0, 6, n)
            ces = rng.integers(0, 8, n)
            table = pa.table({
                "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
                "received_at": pa.array(end - offsets.astype("timedelta64[us]"), pa.timestamp("us", tz="UTC")),
                "channel": pa.array(np.where(phrase < 4, "app", "phone")),
                "segment": pa.array(np.array(["", "gold", "silver"])[rng.integers(0, 3, n)]),
                "text": pa.array(texts),
                "nps": pa.array(nps, pa.int32(), mask=nps < 0),
                "csat": pa.array(csat, pa.int32(), mask=csat < 1),
                "ces": pa.array(ces, pa.int32(), mask=ces < 1),
            }, schema=schema)
            writer.write_table(table)


def setup(data: Path):
    os.environ["CXKEEPER_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    from cxkeeper.core.cli import setup_django

    setup_django(data)
    from cxkeeper.insights import routing
    from cxkeeper.testing.builders import build_small_org
    from cxkeeper.testing.outcomes_builders import build_outcomes

    org = build_small_org()
    build_outcomes(org, with_feedback=False)
    routing.train_router(evaluate=False, self_training=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--skip-local", action="store_true", help="Leave out the local import baseline.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cxk-bench-warehouse-"))
    table = folder / "feedback.parquet"
    when, load_before = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.getloadavg()[0]
    started = time.perf_counter()
    write_feedback(table, args.rows)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s → {table}", flush=True)
    setup(folder / "data")

    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.insights import actions, pipeline
    from cxkeeper.insights.warehouse import engine, sync

    url = f"pyspark://{args.master}"
    con = engine.connect(url, app_name="cxkeeper-bench-warehouse")
    con._session.sparkContext.setLogLevel("ERROR")
    routes = str(folder / "routes")
    results = []

    # Spark's fixed costs apart: the JVM's first jobs, Python workers starting and importing
    # scikit-learn, the models arriving. A cluster pays them once per job, not per row.
    import pyarrow.parquet as pq

    warm = folder / "warm.parquet"
    pq.write_table(pq.read_table(table).slice(0, 1000), warm)
    started = time.perf_counter()
    sync.route_batch(url, str(warm), str(folder / "warm-routes"), acting_user=SYSTEM)
    engine.rollup_cells(engine.feedback_expr(con, str(warm), str(folder / "warm-routes")), None)
    results.append(("Spark warm-up: first jobs, Python workers, models (1,000 rows)", None,
                    time.perf_counter() - started))

    started = time.perf_counter()
    routed = sync.route_batch(url, str(table), routes, acting_user=SYSTEM)
    route_s = time.perf_counter() - started
    results.append(("route batch on Spark " + args.master, routed.rows_routed, route_s))

    feedback = engine.feedback_expr(con, str(table), routes)
    started = time.perf_counter()
    cells = engine.rollup_cells(feedback, None)
    rollup_s = time.perf_counter() - started
    results.append((f"rollups on Spark {args.master} ({len(cells):,} cells)", args.rows, rollup_s))

    source = sync.register_source("bench", engine_url_or_env=url, table=str(table), routes=routes,
                                  acting_user=SYSTEM)
    started = time.perf_counter()
    synced = sync.sync_source(source, acting_user=SYSTEM)
    sync_s = time.perf_counter() - started
    results.append((f"sync into cxkeeper ({synced.cells:,} cells, {synced.samples:,} samples)", synced.rows, sync_s))
    started = time.perf_counter()
    sync.sync_source(source, acting_user=SYSTEM)
    results.append(("re-sync (watermark − 2 days)", None, time.perf_counter() - started))
    sync.remove_source(source, acting_user=SYSTEM)

    if not args.skip_local:
        local = actions.source_named("local", acting_user=SYSTEM)
        started = time.perf_counter()
        job = pipeline.import_file(table, source=local, acting_user=SYSTEM, chunk_rows=2000)
        local_s = time.perf_counter() - started
        if job.status != "done":
            print(f"local import failed: {job.message}")
            return 1
        results.append(("local import, same rows (route + rollups + store)", job.imported, local_s))

    print(f"\nWarehouse path, {args.rows:,} rows, {os.cpu_count()} cores, started {when}; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n")
    print(f"| {'step':<62} | {'rows':>11} | {'seconds':>8} | {'rows/s':>9} |")
    print(f"|{'-' * 64}|{'-' * 13}|{'-' * 10}|{'-' * 11}|")
    for name, rows, seconds in results:
        rate = f"{rows / seconds:,.0f}" if rows else "—"
        shown = f"{rows:,}" if rows else "—"
        print(f"| {name:<62} | {shown:>11} | {seconds:>8.1f} | {rate:>9} |")
    print(f"\nfolder: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
