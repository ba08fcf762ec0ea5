"""The warehouse path end to end on PySpark local mode: a Parquet feedback table without
steps → routed and scored on Spark (the models broadcast to the executors, `mapInPandas`) →
rollups built on Spark and synced → the heatmap, targets and team scorecards show the same
figures as a local import of the same rows (counts exact, sums within 1e-9)."""

from __future__ import annotations

import os
import sys
import tempfile

import pyarrow.parquet as pq
import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights.models import Feedback
from cxkeeper.insights.warehouse import sync
from cxkeeper.insights.warehouse.models import ExternalSample

from .conftest import assert_close, generated_rows, import_locally, page_figures, rollup_tables, write_parquet

pytestmark = pytest.mark.spark
ROWS = 600


@pytest.fixture(scope="session")
def spark_session():
    """One local[2] session for the warehouse tests (small data: one shuffle partition per core)."""
    if os.environ.get("CXKEEPER_SKIP_SPARK") == "1":
        pytest.skip("CXKEEPER_SKIP_SPARK=1")
    from cxkeeper.insights.warehouse.engine import connect

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("cxkeeper-warehouse-tests")
               .config("spark.sql.shuffle.partitions", "2").config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC -XX:+UseSerialGC "
                                                        "-XX:TieredStopAtLevel=1")
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="cxk-wh-"))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    connect("pyspark://local[2]")  # the URL the commands take finds this session
    yield session
    session.stop()


def test_spark_route_rollup_sync_equals_a_local_import(world, spark_session, tmp_path):
    org, outcomes = world
    rows = generated_rows(ROWS, seed=42)
    table = write_parquet(rows, tmp_path / "feedback.parquet")
    routes = str(tmp_path / "routes")
    url = "pyspark://local[2]"

    routed = sync.route_batch(url, table, routes, spark_slice_rows=400, with_text=True, acting_user=SYSTEM)
    assert (routed.rows_routed, routed.chunks) == (ROWS, 2)
    again = sync.route_batch(url, table, routes, acting_user=SYSTEM)  # a rerun skips what is there
    assert (again.rows_routed, again.rows_skipped) == (0, ROWS)
    written = pq.read_table(routes).to_pylist()
    assert sorted(r["id"] for r in written) == sorted(r["id"] for r in rows)
    assert not any("@example.com" in (r["redacted_text"] or "") for r in written)

    source = sync.register_source("spark warehouse", engine_url_or_env=url, table=table, routes=routes,
                                  acting_user=SYSTEM)
    synced = sync.sync_source(source, acting_user=SYSTEM)
    assert synced.rows == ROWS and ExternalSample.objects.exists()
    from_spark, spark_tables = page_figures(org, outcomes), rollup_tables()
    sync.remove_source(source, acting_user=SYSTEM)

    import_locally(table)
    assert_close(rollup_tables(), spark_tables)
    assert_close(page_figures(org, outcomes), from_spark)
    local = {int(f.external_id): (f.step_id, f.sentiment) for f in Feedback.objects.all()}
    assert {r["id"]: (r["step_id"], r["sentiment"]) for r in written} == local
