"""The feedback text index on SQLite (decision 0036): what it costs per imported row and what it
saves on a search that matches nothing, beside the plain table in the same run.

    python bench/text_index.py [--rows 100000]
"""

import argparse
import random
import sqlite3
import time

from cxkeeper.insights import textsearch

WORDS = [
    "app",
    "login",
    "crash",
    "slow",
    "helpline",
    "billing",
    "card",
    "refund",
    "delivery",
    "late",
    "agent",
    "rude",
    "great",
    "thanks",
    "password",
    "reset",
]
NO_MATCH = "%zzzqq%"


def measure(rows, *, indexed: bool) -> tuple[float, float]:
    """CPU µs per inserted row, CPU ms per search (median of 5)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE insights_feedback (id INTEGER PRIMARY KEY, text TEXT)")
    if indexed:
        for statement in textsearch.SQLITE_CREATE:
            db.execute(statement)
    start = time.process_time()
    db.executemany("INSERT INTO insights_feedback VALUES (?, ?)", rows)
    db.commit()
    insert = (time.process_time() - start) / len(rows) * 1e6
    query = (
        textsearch.SQLITE_QUERY.replace("%s", "?") if indexed else "SELECT id FROM insights_feedback WHERE text LIKE ?"
    )
    times = []
    for _ in range(5):
        start = time.process_time()
        db.execute(query, [NO_MATCH]).fetchall()
        times.append((time.process_time() - start) * 1000)
    db.close()
    return insert, sorted(times)[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    rows = [(i, " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))) for i in range(args.rows)]
    print(f"{args.rows:,} rows of 5–40 words; CPU time")
    print("| table | insert per row | search with no match |\n|---|---:|---:|")
    for indexed in (False, True):
        insert, search = measure(rows, indexed=indexed)
        print(f"| {'FTS5 trigram index' if indexed else 'plain (baseline)'} | {insert:.1f} µs | {search:.2f} ms |")


if __name__ == "__main__":
    main()
