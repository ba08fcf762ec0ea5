"""Fixtures for the analytics tests: one generated data set, engines, a SparkSession."""

from __future__ import annotations

import os
import tempfile
import time

import pytest

from cxkeeper.insights.analytics import rollups, synthetic

ROWS = 5000


@pytest.fixture(scope="session")
def feedback_rows():
    return synthetic.feedback_rows(ROWS)


@pytest.fixture(scope="session")
def feedback_arrow(feedback_rows):
    return synthetic.rows_to_arrow(feedback_rows)


@pytest.fixture(scope="session")
def feedback_parquet(feedback_arrow, tmp_path_factory):
    import pyarrow.parquet as pq

    path = tmp_path_factory.mktemp("analytics") / "feedback.parquet"
    pq.write_table(feedback_arrow, path)
    return str(path)


@pytest.fixture(scope="session")
def step_map():
    return synthetic.step_map_rows()


@pytest.fixture(scope="session")
def reference_cells(feedback_rows):
    """Rollups computed by the pure-Python delta path: the reference every engine must match."""
    return rollups.rollup_delta(feedback_rows)


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test session (local[1], 1 shuffle partition, UTC)."""
    if os.environ.get("CXKEEPER_SKIP_SPARK") == "1":
        pytest.skip("CXKEEPER_SKIP_SPARK=1")
    from pyspark.sql import SparkSession

    warehouse = tempfile.mkdtemp(prefix="cxk-spark-wh-")
    started = time.perf_counter()
    session = (
        SparkSession.builder.master("local[1]")
        .appName("cxkeeper-analytics-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # C1-only JIT and no code generation: faster for a short-lived JVM on tiny data
        .config(
            "spark.driver.extraJavaOptions",
            "-Duser.timezone=UTC -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        )
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    print(f"SparkSession started in {time.perf_counter() - started:.1f}s")
    yield session
    session.stop()


def pytest_collection_modifyitems(items):
    """Silence two known third-party deprecation warnings (ibis 12 on pandas 3 and DuckDB 2)."""
    for item in items:
        if "insights/analytics" in str(item.path):
            item.add_marker(pytest.mark.filterwarnings("ignore:The 'future.infer_string' option"))
            item.add_marker(pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated"))
