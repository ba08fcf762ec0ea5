"""Memory stays flat however long the file is (tracemalloc peak while iterating)."""

from __future__ import annotations

import time
import tracemalloc
from itertools import islice

import pytest

from cxkeeper.insights.ingest import CanonicalRow, chunked, convert, detect_mapping, iter_records

ROWS = 200_000
MB = 1024 * 1024


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.csv"
    line = "{i},2024-03-{d:02d} 10:{m:02d}:00,email,\"Comment number {i}, with a comma\nand a second line\",{n},C{c}\n"
    with path.open("w", encoding="utf-8") as f:
        f.write("id,date,channel,comment,nps,customer\n")
        f.writelines(line.format(i=i, d=1 + i % 28, m=i % 60, n=i % 11, c=i % 997) for i in range(ROWS))
    assert path.stat().st_size > 15 * MB
    return path


def test_200k_row_csv_is_read_with_flat_memory(big_csv):
    started = time.perf_counter()
    tracemalloc.start()
    try:
        stream = iter_records(big_csv)
        count, last = 0, None
        for chunk in stream.chunks(5_000):
            count += len(chunk)
            last = chunk[-1]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == ROWS and last[0] == ROWS + 1  # header + one row per (multi-line) record
    assert peak < 30 * MB, f"peak {peak / MB:.1f} MiB"
    assert time.perf_counter() - started < 60  # ~3-5 s traced; generous for a loaded CI machine


def test_conversion_does_not_accumulate(big_csv):
    """Peak after 20k converted rows is the peak after 2k rows: nothing is kept per row."""
    tracemalloc.start()
    try:
        stream = iter_records(big_csv)
        results = chunked(convert(stream, detect_mapping(stream)), 1_000)
        for _ in islice(results, 2):
            pass
        _, early = tracemalloc.get_traced_memory()
        last = None
        for chunk in islice(results, 18):
            last = chunk[-1]
        _, peak = tracemalloc.get_traced_memory()
        stream.close()
    finally:
        tracemalloc.stop()
    assert isinstance(last, CanonicalRow) and last.row_number == 20_001
    assert last.text == "Comment number 19999, with a comma\nand a second line"
    assert peak < 30 * MB and peak - early < 1 * MB, (early, peak)
