"""Rollups built where the feedback already lives: any Ibis backend by URL, or Spark.

`cxkeeper rollup --engine URL --table NAME` is the distributed path of the design: the
feedback table stays in the warehouse, the rollup (small) comes back or is written beside it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import ibis

from cxkeeper.insights.analytics.rollups import FEEDBACK_SCHEMA, build_rollups


class EngineError(Exception):
    """The engine cannot be reached, or the table is missing or has the wrong columns."""


def connect(url: str):
    """`pyspark://local[N]` starts a local Spark session; anything else goes to `ibis.connect`."""
    if url.startswith("pyspark://"):
        from pyspark.sql import SparkSession

        master = url.removeprefix("pyspark://") or "local[1]"
        session = (SparkSession.builder.master(master).appName("cxkeeper-rollup")
                   .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
                   .getOrCreate())
        return ibis.pyspark.connect(session)
    try:
        return ibis.connect(url)
    except Exception as exc:  # each backend raises its own kind; the message is what matters
        raise EngineError(f"cannot connect to {url}: {exc}") from exc


def check_table(con, table: str) -> None:
    try:
        columns = set(con.table(table).columns)
    except Exception as exc:
        raise EngineError(f"no table {table!r} in that engine: {exc}") from exc
    missing = [c for c in FEEDBACK_SCHEMA if c not in columns]
    if missing:
        raise EngineError(f"table {table!r} lacks the feedback columns {', '.join(missing)}; "
                          f"found {', '.join(sorted(columns))}")


def rollup_from_engine(url: str, table: str, *, into: str | None = None, out: Path | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    con = connect(url)
    check_table(con, table)
    rows = int(con.table(table).count().execute())
    expr = build_rollups(con, table)
    written_to = None
    if into:
        con.create_table(into, expr, overwrite=True)
        cells = int(con.table(into).count().execute())
        written_to = into
    elif out:
        con.to_parquet(expr, str(out))
        cells = int(expr.count().execute())
        written_to = str(out)
    else:
        cells = int(expr.count().execute())
    return {"engine": url.split(":", 1)[0], "table": table, "rows": rows, "cells": cells,
            "written_to": written_to, "seconds": time.perf_counter() - started}
