"""`make bench`: every benchmark, one after the other, each printing its table with the
baseline measured in the same run. Results: docs/performance.md.

    python bench/run.py            # full size (1M import, every page at 1M and 10M, full routing sets)
    python bench/run.py --quick    # minutes, for a smoke check
    python bench/load.py           # 50 signed-in people against `cxkeeper serve` (docs/performance.md)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> int:
    print(f"\n## {script} {' '.join(args)}\n", flush=True)
    return subprocess.call([sys.executable, str(HERE / script), *args])


def main() -> int:
    quick = "--quick" in sys.argv
    failures = 0
    failures += run("import_and_pages.py", *(["--rows", "100000", "--page-rows", "1000000"] if quick else []))
    failures += run("pages.py", *(["--quick"] if quick else []))
    failures += run("routing.py", *(["--quick"] if quick else []))
    failures += run("routing_ceiling.py", *(["--rows", "30000"] if quick else []))  # what routing_demo can reach
    failures += run("routing_demo.py", *(["--rows", "30000"] if quick else []))
    failures += run("content_reach.py", *(["--rows", "30000"] if quick else []))  # how far one answer reaches
    failures += run("rollups.py", *(["--rows", "1000000"] if quick else ["--rows", "10000000"]))
    # Many people at once: the multi-process server beside the single-process baseline (SQLite;
    # `python bench/load.py --database-url … --data-dir …` for PostgreSQL).
    failures += run("load.py", *(["--quick"] if quick else []))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
