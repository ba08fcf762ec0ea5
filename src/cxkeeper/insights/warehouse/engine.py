"""The engine side of the warehouse path, without Django: routing and scoring a feedback
table where it lives, and reading back its rollups, newest day and a bounded sample.

Two ways to route (`route_table`):

* **Spark** — the redactor, router and sentiment model are pickled once, broadcast, and
  applied on the executors with `mapInPandas`; the output is appended one slice at a time
  (one Spark job commit per slice), so an interrupted run keeps every finished slice.
* **Any other Ibis backend** (SQLite, PostgreSQL, DuckDB …: no Python UDFs) — rows stream
  through this process in bounded chunks, ordered by id, each chunk written with one INSERT
  (one statement: all of it or nothing).

Either way a run first skips the ids already in the output table: rerunning continues an
interrupted run. Each row is prepared exactly as a local import prepares it
(`text.batch.prepare_texts` on `ingest.validate.cell_text`, then the same step/confidence/
routed-by rule as `actions.ingest_feedback_batch`), so results equal a local import's.
"""

from __future__ import annotations

import math
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir

from cxkeeper.insights.analytics.rollups import rollup_expr
from cxkeeper.insights.warehouse.rows import TextModels, route_texts, spark_mapper

DEFAULT_CHUNK_ROWS = 10_000
DEFAULT_SPARK_SLICE_ROWS = 1_000_000
# Feedback columns the rollups read, besides the routed ones; only these two must exist.
REQUIRED_FEEDBACK = ("received_at",)
OPTIONAL_FEEDBACK = {"channel": "string", "segment": "string", "nps": "int32", "csat": "int32",
                     "csat_max": "int32", "ces": "int32", "event_type": "string"}
ROUTED = ("step_id", "sentiment")


class EngineError(Exception):
    """The engine cannot be reached, or a table is missing or lacks a column (named)."""


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url.split("@")[-1]
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def connect(url: str, *, app_name: str = "cxkeeper-warehouse"):
    """`pyspark://local[N]` (or `pyspark://` + a master URL) gets or starts a Spark session;
    anything else goes to `ibis.connect`. Unreachable → EngineError naming the engine."""
    if url.startswith("pyspark://"):
        import os
        import sys

        from pyspark.sql import SparkSession

        # Python workers run this interpreter (with cxkeeper and its models), not `python3`.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        package_root = str(Path(__file__).resolve().parents[3])
        if package_root not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))

        master = url.removeprefix("pyspark://") or "local[1]"
        builder = (SparkSession.builder.master(master).appName(app_name)
                   .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false"))
        if master.startswith("local"):
            # One machine: a few shuffle partitions, not Spark's 200 (each a task to schedule).
            cores = re.search(r"\[(\d+)\]", master)
            builder = builder.config("spark.sql.shuffle.partitions", str(2 * int(cores.group(1)) if cores else 4))
        try:
            session = builder.getOrCreate()
        except Exception as exc:
            raise EngineError(f"cannot start Spark at {master}: {exc}") from exc
        return ibis.pyspark.connect(session)
    try:
        con = ibis.connect(url)
        con.list_tables()  # a lazy backend connects here
    except Exception as exc:  # each backend raises its own kind; the message is what matters
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineError(f"cannot reach the engine {shown_url(url)}: {first}") from exc
    return con


def is_spark(con) -> bool:
    return getattr(con, "name", "") == "pyspark"


_PATH = re.compile(r"[/\\]|\.parquet$")


def is_path(table: str) -> bool:
    """A Parquet file or folder rather than a table name (`/data/feedback.parquet`)."""
    return bool(_PATH.search(table))


def table_of(con, table: str) -> ir.Table:
    try:
        if is_path(table):
            return con.read_parquet(table)
        return con.table(table)
    except Exception as exc:
        raise EngineError(f"no table {table!r} in that engine ({str(exc).strip().splitlines()[0][:200]})") from exc


def require_columns(t: ir.Table, table: str, wanted: dict[str, str]) -> None:
    """`wanted`: column → the option or meaning that names it in the message."""
    missing = [f"{column!r} ({why})" for column, why in wanted.items() if column not in t.columns]
    if missing:
        raise EngineError(f"table {table!r} has no column {', '.join(missing)}; "
                          f"its columns are {', '.join(sorted(t.columns))}")


def _arrow_schema(id_type, with_text: bool):
    import pyarrow as pa

    fields = [("id", id_type), ("step_id", pa.int64()), ("step_confidence", pa.float64()),
              ("routed_by", pa.string()), ("sentiment", pa.float64())]
    if with_text:
        fields.append(("redacted_text", pa.string()))
    return pa.schema(fields)


# ---------------------------------------------------------------- routing a table


@dataclass
class RouteResult:
    engine: str
    table: str
    into: str
    rows_routed: int
    rows_skipped: int
    chunks: int
    seconds: float

    def as_dict(self) -> dict:
        return {**self.__dict__, "rows_per_second": self.rows_routed / self.seconds if self.seconds else None}


Progress = Callable[[int], None]


def route_table(con, table: str, into: str, models: TextModels, *, id_column: str = "id",
                text_column: str = "text", chunk_rows: int = DEFAULT_CHUNK_ROWS,
                spark_slice_rows: int = DEFAULT_SPARK_SLICE_ROWS, with_text: bool = False,
                progress: Progress | None = None) -> RouteResult:
    if chunk_rows < 1:
        raise EngineError("--chunk-rows must be at least 1")
    started = time.perf_counter()
    source = table_of(con, table)
    require_columns(source, table, {id_column: "--id-column", text_column: "--text-column"})
    if is_spark(con):
        routed, skipped, chunks = _route_on_spark(con, table, into, models, id_column, text_column,
                                                  spark_slice_rows, with_text, progress)
    else:
        routed, skipped, chunks = _route_streaming(con, source, into, models, id_column, text_column,
                                                   chunk_rows, with_text, progress)
    return RouteResult(getattr(con, "name", "?"), table, into, routed, skipped, chunks,
                       time.perf_counter() - started)


def _route_streaming(con, source: ir.Table, into: str, models: TextModels, id_column: str, text_column: str,
                     chunk_rows: int, with_text: bool, progress: Progress | None) -> tuple[int, int, int]:
    import pyarrow as pa

    rows = source.select(id=source[id_column], text=source[text_column])
    id_type = rows.schema()["id"].to_pyarrow()
    schema = _arrow_schema(id_type, with_text)
    if into not in con.list_tables():
        con.create_table(into, schema=ibis.Schema.from_pyarrow(schema))
    done = con.table(into)
    require_columns(done, into, {c: "written by route batch" for c in schema.names})
    skipped = int(done.count().execute())
    pending = rows.anti_join(done, rows.id == done.id)
    routed = chunks = 0
    last = None
    while True:
        query = pending if last is None else pending.filter(pending.id > last)
        batch = query.order_by("id").limit(chunk_rows).to_pyarrow()
        if batch.num_rows == 0:
            break
        ids = batch.column("id").to_pylist()
        out = route_texts(ids, batch.column("text").to_pylist(), models, with_text=with_text)
        con.insert(into, ibis.memtable(pa.table(out, schema=schema)))  # one INSERT … SELECT: atomic
        routed += len(ids)
        chunks += 1
        last = ids[-1]
        if progress:
            progress(routed)
    return routed, skipped, chunks


def _spark_frame(session, table: str):
    return session.read.parquet(table) if is_path(table) else session.table(table)


def _route_on_spark(con, table: str, into: str, models: TextModels, id_column: str, text_column: str,
                    slice_rows: int, with_text: bool, progress: Progress | None) -> tuple[int, int, int]:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    session = con._session
    frame = _spark_frame(session, table).select(F.col(id_column).alias("id"), F.col(text_column).alias("text"))
    # Every core routes: a small file is often one partition.
    cores = session.sparkContext.defaultParallelism
    if frame.rdd.getNumPartitions() < cores:
        frame = frame.repartition(cores)
    id_type = frame.schema["id"].dataType
    fields = [T.StructField("id", id_type), T.StructField("step_id", T.LongType()),
              T.StructField("step_confidence", T.DoubleType()), T.StructField("routed_by", T.StringType()),
              T.StructField("sentiment", T.DoubleType())]
    if with_text:
        fields.append(T.StructField("redacted_text", T.StringType()))
    schema = T.StructType(fields)
    skipped = 0
    if _spark_exists(session, into):
        done = _spark_frame(session, into).select("id")
        skipped = done.count()
        frame = frame.join(done, on="id", how="left_anti")
    pending = frame.count()
    if pending == 0:
        return 0, skipped, 0
    broadcast = session.sparkContext.broadcast(models.to_bytes())  # serialized once, shipped once per executor
    mapper = spark_mapper(broadcast, models.version, with_text)
    slices = max(1, math.ceil(pending / max(1, slice_rows)))
    try:
        for k in range(slices):
            part = frame if slices == 1 else frame.filter(F.pmod(F.xxhash64("id"), F.lit(slices)) == k)
            out = part.mapInPandas(mapper, schema)
            writer = out.write.mode("append")
            if is_path(into):
                writer.parquet(into)  # one job: its files appear at job commit, or none do
            else:
                writer.saveAsTable(into)
            if progress:
                progress(k + 1)
    finally:
        broadcast.unpersist()
    return pending, skipped, slices


def _spark_exists(session, into: str) -> bool:
    if is_path(into):
        path = Path(into)
        return path.exists() and any(path.glob("*.parquet"))
    return session.catalog.tableExists(into)


# ---------------------------------------------------------------- reading rollups back


def feedback_expr(con, table: str, routes: str | None = None, *, id_column: str = "id") -> ir.Table:
    """The feedback table as the rollups read it; with `routes` (a `route batch` output) its
    step and sentiment come from there (only routed rows count until they are routed)."""
    t = table_of(con, table)
    if id_column != "id" and id_column in t.columns:
        t = t.drop(*[c for c in ("id",) if c in t.columns]).rename({"id": id_column})
    require_columns(t, table, {"id": "the feedback's id (--id-column)", **{c: "when the feedback was received"
                                                            for c in REQUIRED_FEEDBACK}})
    fill = {c: ibis.null(kind) for c, kind in OPTIONAL_FEEDBACK.items() if c not in t.columns}
    if "channel" in fill:
        fill["channel"] = ibis.literal("unknown")
    if fill:
        t = t.mutate(**fill)
    if routes:
        r = table_of(con, routes)
        require_columns(r, routes, {"id": "written by route batch", "step_id": "written by route batch",
                                    "sentiment": "written by route batch"})
        keep = [c for c in t.columns if c not in (*ROUTED, "routed_by", "redacted_text")]
        picked = {"rid": r.id, "step_id": r.step_id, "sentiment": r.sentiment}
        if "redacted_text" in r.columns:
            picked["redacted_text"] = r.redacted_text
        r = r.select(**picked)
        t = t.select(*keep).inner_join(r, t.id == r.rid).drop("rid")
    else:
        require_columns(t, table, {c: "run `cxkeeper route batch` and pass --routes" for c in ROUTED})
    return t.mutate(cx_day=t.received_at.date())


def rollup_cells(feedback: ir.Table, since) -> list[dict]:
    """Rollup cells of the days ≥ `since` (None: every day), as dicts."""
    t = feedback if since is None else feedback.filter(feedback.cx_day >= since)
    cells = rollup_expr(t.drop("cx_day")).to_pyarrow().to_pylist()
    for cell in cells:
        cell["day"] = as_date(cell["day"])
    return cells


def as_date(value):
    """A day from whatever an engine returns for a date (date, datetime, pandas Timestamp, NaT)."""
    import datetime as dt

    if value is None or value != value:  # None, NaN / NaT
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def newest_day(feedback: ir.Table):
    return as_date(feedback.cx_day.max().to_pyarrow().as_py())


def sample(feedback: ir.Table, since, per_cell: int, text_column: str) -> list[dict]:
    """At most `per_cell` rows per step × day (the lowest ids, so a re-sync picks the same
    ones), with the text to show: `redacted_text` when the routes carry it, else the raw text
    (redacted by the caller before it is stored)."""
    if per_cell <= 0:
        return []
    t = feedback if since is None else feedback.filter(feedback.cx_day >= since)
    text = t.redacted_text if "redacted_text" in t.columns else (
        t[text_column] if text_column in t.columns else None)
    if text is None:
        return []
    if "routed_by" in t.columns:
        t = t.filter(t.routed_by.isnull() | (t.routed_by != "off_topic"))
    t = t.mutate(shown=text.cast("string"))
    t = t.filter(t.shown.notnull() & (t.shown.strip() != ""))
    window = ibis.window(group_by=[t.step_id, t.cx_day], order_by=[t.id])
    ranked = t.mutate(rank=ibis.row_number().over(window))
    picked = ranked.filter(ranked["rank"] < per_cell).select(
        "id", "step_id", "channel", "sentiment", day=ranked.cx_day, text=ranked.shown)
    rows = picked.to_pyarrow().to_pylist()
    for row in rows:
        row["day"] = as_date(row["day"])
    return rows
