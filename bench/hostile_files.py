"""Hostile files at their real sizes (issue 10, findings 6, 7 and 9): how long each takes and
how much memory it costs, through the two ways a file goes in — the command line's import
(`cxkeeper import feedback`, into a fresh data folder) and the mapping preview the web page
builds — beside an ordinary file of about the same size, measured in the same run.

    python bench/hostile_files.py            # the sizes of issue 10 (a few minutes)
    python bench/hostile_files.py --quick    # a tenth of the rows of the bad-rows file
    python bench/hostile_files.py --only ordinary,bad   # some of the files (the baseline: ordinary)

The command line imports into one data folder in a temporary directory, migrated by a
warm-up import first.

Each measurement is one subprocess; its peak memory is the high-water mark of its own
resident set (`VmHWM`, read as it exits: `ru_maxrss` would include the parent's memory
inherited at fork), so one run cannot inflate the next. Results: docs/security.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cxkeeper.testing import workbooks  # noqa: E402 - after the path above

PEAK = """
import atexit, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            sys.stdout.write("\\nPEAK_KB " + line.split()[1] + "\\n")
atexit.register(_peak)
"""
PREVIEW = PEAK + """
from cxkeeper.insights.ingest import ImportFileError, preview
try:
    shown = preview(sys.argv[1], n=10)
    print("ok:", len(shown.columns), "columns,", len(shown.errors), "problems in the first rows")
except ImportFileError as exc:
    print("refused:", exc)
"""
CLI = PEAK + """
from cxkeeper.cli import app
sys.argv[0] = "cxkeeper"
app()
"""


def ordinary(path: Path, rows: int) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Response ID", "Submitted", "Channel", "Comment", "NPS"])
        for i in range(rows):
            writer.writerow([f"R{i}", f"2026-05-{1 + i % 28:02d} 10:00", "app",
                             f"the installer came late and nobody called, visit {i}", i % 11])


def many_columns(path: Path, columns: int, name_chars: int) -> None:
    """Written in pieces: this process's memory must stay small (see PEAK)."""
    with path.open("w") as out:
        for start in range(0, columns, 100_000):
            names = (f"c{i}".rjust(name_chars, "x")[-name_chars:] for i in range(start, min(columns, start + 100_000)))
            out.write(("," if start else "") + ",".join(names))
        out.write("\n")
        for start in range(0, columns, 100_000):
            out.write(("," if start else "") + ",".join("1" * min(100_000, columns - start)))
        out.write("\n")


def bad_rows(path: Path, rows: int) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Response ID", "Submitted", "Channel", "Comment", "NPS"])
        for i in range(rows):
            writer.writerow([f"R{i}", "not a date", "app", "=HYPERLINK(\"http://evil.example\")", "eleven"])


def deep_json(path: Path, depth: int) -> None:
    good = {"external_id": "1", "received_at": "2026-05-01", "channel": "app", "text": "fine", "nps": 9}
    path.write_text(json.dumps(good) + "\n" + "[" * depth + "]" * depth + "\n")


def measure(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak MB, outcome) of one subprocess. CPU time is what the
    file cost; wall time also holds whatever else the machine was doing."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = done.stdout
    peak = next((int(line.split()[1]) for line in text.splitlines() if line.startswith("PEAK_KB ")), 0)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("PEAK_KB "))
    return seconds, cpu, peak / 1024, _outcome(text + done.stderr[-300:])


def _outcome(text: str) -> str:
    try:
        start = text.index("{")
        summary = json.loads(text[start:text.rindex("}") + 1])
    except ValueError:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        return (lines[-1] if lines else "")[:110]
    words = f"{summary['status']}: {summary['imported']} imported, {summary['rejected']} rejected"
    if summary.get("rejected_unlisted"):
        words += f" ({summary['rejected_unlisted']:,} only counted)"
    if summary["status"] != "done":
        words += " — " + summary["message"][:80]
    return words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated file names to measure, e.g. ordinary,bad")
    args = parser.parse_args()
    bad = 100_000 if args.quick else 1_000_000
    folder = Path(tempfile.mkdtemp(prefix="cxkeeper-hostile-"))
    files = [
        ("ordinary CSV, 60,000 rows (baseline)", "ordinary.csv", lambda p: ordinary(p, 60_000)),
        ("300,000 columns", "wide.csv", lambda p: many_columns(p, 300_000, 12)),
        ("10,000,000 columns", "huge.csv", lambda p: many_columns(p, 10_000_000, 1)),
        ("XLSX shared strings: 348 MB unzipped", "bomb.xlsx", lambda p: workbooks.shared_strings_bomb(p, 348 << 20)),
        (f"{bad:,} bad rows (formulas in every cell)", "bad.csv", lambda p: bad_rows(p, bad)),
        ("JSON nested 500,000 deep", "deep.jsonl", lambda p: deep_json(p, 500_000)),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CXKEEPER_IMPORT_WORKERS": "0"}
    cli = [sys.executable, "-c", CLI]
    # One data folder, migrated before the first measurement, so no row pays for migrations.
    data = folder / "data"
    warm = folder / "warm-up.csv"
    ordinary(warm, 10)
    measure([*cli, "import", "feedback", str(warm), "--json", "--data-dir", str(data)], env)
    print("| file | size | way in | wall s | CPU s | peak MB | outcome |")
    print("|---|---:|---|---:|---:|---:|---|")
    chosen = [word.strip() for word in args.only.split(",") if word.strip()]
    for label, name, build in files:
        if chosen and not any(name.startswith(word) for word in chosen):
            continue
        path = folder / name
        build(path)
        size = f"{path.stat().st_size / (1 << 20):.1f} MB"
        seconds, cpu, peak, outcome = measure([*cli, "import", "feedback", str(path), "--json", "--data-dir",
                                               str(data), "--channel", "web"], env)
        print(f"| {label} | {size} | command line | {seconds:.1f} | {cpu:.1f} | {peak:.0f} | {outcome} |", flush=True)
        seconds, cpu, peak, outcome = measure([sys.executable, "-c", PREVIEW, str(path)], env)
        print(f"| {label} | {size} | preview | {seconds:.1f} | {cpu:.1f} | {peak:.0f} | {outcome[:110]} |", flush=True)
        path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
