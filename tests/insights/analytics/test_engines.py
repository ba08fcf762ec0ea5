"""The same Ibis rollup and metric code gives identical numbers on every engine.

(a) SQLite, (b) PostgreSQL, (c) DuckDB over Parquet, (d) PySpark local mode — each
checked against the pure-Python reference (rollup_delta), hence against each other.

PostgreSQL: ``CXKEEPER_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test);
an unreachable server FAILS the test unless ``CXKEEPER_SKIP_POSTGRES=1``.
"""

from __future__ import annotations

import os
import urllib.parse
import uuid

import ibis
import pytest

from cxkeeper.insights.analytics import rollups

from .engine_checks import QUERIES, assert_metrics_close, check_engine

POSTGRES_URL = os.environ.get("CXKEEPER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

_results: dict[str, dict[str, list[dict]]] = {}


def _record(engine: str, results: dict[str, list[dict]]) -> None:
    """Keep each engine's metrics and compare with every engine seen before."""
    for other, other_results in _results.items():
        for name, _, _ in QUERIES:
            mine, theirs = results[name], other_results[name]
            assert len(mine) == len(theirs), f"{engine} vs {other}: {name}"
            for a, b in zip(mine, theirs, strict=True):
                assert_metrics_close(a["metrics"], b["metrics"], f"{engine} vs {other}: {name}")
    _results[engine] = results


def test_sqlite(feedback_arrow, reference_cells, step_map):
    con = ibis.sqlite.connect()
    con.create_table("feedback", ibis.memtable(feedback_arrow))
    results = check_engine(
        con,
        "feedback",
        "feedback_rollup",
        reference_cells=reference_cells,
        step_map=step_map,
        label="sqlite",
    )
    _record("sqlite", results)


@pytest.fixture
def postgres():
    """An Ibis connection whose tables live in a fresh, uniquely named schema (dropped after)."""
    if os.environ.get("CXKEEPER_SKIP_POSTGRES") == "1":
        pytest.skip("CXKEEPER_SKIP_POSTGRES=1")
    import psycopg

    url = urllib.parse.urlsplit(POSTGRES_URL)
    params = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": urllib.parse.unquote(url.username or "postgres"),
        "password": urllib.parse.unquote(url.password) if url.password else None,
        "database": (url.path or "/test").lstrip("/") or "test",
    }
    schema = f"cxk_analytics_{uuid.uuid4().hex[:12]}"
    conninfo = {("dbname" if k == "database" else k): v for k, v in params.items() if v is not None}
    try:
        admin = psycopg.connect(**conninfo, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL unreachable at {POSTGRES_URL} ({exc}); set CXKEEPER_SKIP_POSTGRES=1 to skip")
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            con = ibis.postgres.connect(**{k: v for k, v in params.items() if v is not None}, schema=schema)
            con.raw_sql(f'SET search_path TO "{schema}"')
            yield con, schema
            con.disconnect()
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_postgres(postgres, feedback_arrow, reference_cells, step_map):
    con, schema = postgres
    con.create_table("feedback", ibis.memtable(feedback_arrow), database=schema)
    results = check_engine(
        con,
        "feedback",
        "feedback_rollup",
        reference_cells=reference_cells,
        step_map=step_map,
        label="postgres",
    )
    _record("postgres", results)


def test_duckdb_over_parquet(feedback_parquet, reference_cells, step_map, tmp_path):
    con = ibis.duckdb.connect()
    con.read_parquet(feedback_parquet, table_name="feedback")
    results = check_engine(
        con,
        "feedback",
        "feedback_rollup",
        reference_cells=reference_cells,
        step_map=step_map,
        label="duckdb",
    )
    _record("duckdb", results)

    # Rollups written to Parquet and queried from there give the same answers.
    path = str(tmp_path / "rollups.parquet")
    rollups.write_rollups_parquet(con, "feedback", path)
    from_parquet = con.read_parquet(path, table_name="rollups_from_parquet")
    for name, by, kwargs in QUERIES:
        rows = rollups.fetch_metrics(rollups.metric_sums(from_parquet, by, step_map=step_map, **kwargs))
        assert len(rows) == len(results[name])


@pytest.mark.spark
def test_pyspark_local(spark, feedback_parquet, reference_cells, step_map):
    con = ibis.pyspark.connect(spark)
    # Load through Parquet (how Spark meets the feedback in a warehouse). Note: ibis
    # memtables with NULLs go through pandas on PySpark and lose NULLs — avoid them there.
    con.read_parquet(feedback_parquet, table_name="feedback")
    step_map_table = con.create_view("step_map", ibis.memtable(step_map), overwrite=True)
    results = check_engine(
        con,
        "feedback",
        "feedback_rollup",
        reference_cells=reference_cells,
        step_map=step_map,
        step_map_table=step_map_table,
        label="pyspark",
        # Cached in Spark memory: the same expression materialize_rollups() saves as a
        # managed table, without the ~8 s of writing one in a test.
        materialize=lambda con, feedback, _name: rollups.build_rollups(con, feedback).cache(),
    )
    _record("pyspark", results)
