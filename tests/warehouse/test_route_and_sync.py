"""Routing a warehouse table on an engine without Python UDFs (SQLite through Ibis, streamed in chunks),
syncing its rollups as an external source, and the same figures as a local import."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights.models import Feedback, FeedbackRollup
from cxkeeper.insights.warehouse import sync
from cxkeeper.insights.warehouse.engine import EngineError
from cxkeeper.insights.warehouse.models import ExternalCell, ExternalSample, ExternalSource, SyncStatus

from .conftest import assert_close, generated_rows, import_locally, page_figures, rollup_tables, write_parquet

ROWS = 400


@pytest.fixture
def warehouse(tmp_path):
    """A SQLite file holding the feedback table, and the same rows as a Parquet export."""
    import pyarrow.parquet as pq

    rows = generated_rows(ROWS)
    parquet = write_parquet(rows, tmp_path / "feedback.parquet")
    url = f"sqlite://{tmp_path / 'warehouse.db'}"
    con = ibis.connect(url)
    con.create_table("feedback", ibis.memtable(pq.read_table(parquet)))
    con.disconnect()
    return url, parquet, rows


def _route(url, **kwargs):
    return sync.route_batch(url, "feedback", "routes", acting_user=SYSTEM, **kwargs)


def _register(url, name="warehouse", **kwargs):
    return sync.register_source(name, engine_url_or_env=url, table="feedback", routes="routes",
                                acting_user=SYSTEM, **kwargs)


def test_warehouse_figures_equal_a_local_import_and_removal_is_exact(world, warehouse):
    org, outcomes = world
    url, parquet, rows = warehouse
    empty = rollup_tables()
    result = _route(url, chunk_rows=150)
    assert (result.rows_routed, result.chunks) == (ROWS, 3)
    source = _register(url)
    synced = sync.sync_source(source, acting_user=SYSTEM)
    assert synced.rows == ROWS and source.status == SyncStatus.DONE
    assert source.data_up_to == max(r["received_at"].date() for r in rows)
    from_warehouse, warehouse_tables = page_figures(org, outcomes), rollup_tables()
    # The sample: redacted, bounded per step and day, nothing raw.
    samples = list(ExternalSample.objects.values_list("text", flat=True))
    assert samples and not any("@example.com" in t or "7946" in t for t in samples)
    assert max(ExternalSample.objects.values("step_id", "day").annotate(
        n=__import__("django.db.models", fromlist=["Count"]).Count("pk")).values_list("n", flat=True)) <= 5

    removed = sync.remove_source(source, acting_user=SYSTEM)
    assert removed == ROWS
    assert rollup_tables() == empty  # exact: the figures are back to before
    assert not ExternalCell.objects.exists() and not ExternalSample.objects.exists()

    import_locally(parquet)
    assert_close(rollup_tables(), warehouse_tables)
    assert_close(page_figures(org, outcomes), from_warehouse)
    # Row by row: the step and sentiment the engine wrote are those the import stored.
    local = {int(f.external_id): (f.step_id, f.sentiment, f.routed_by, f.routing_confidence)
             for f in Feedback.objects.all()}
    con = ibis.connect(url)
    routed = {r["id"]: (r["step_id"], r["sentiment"], r["routed_by"], r["step_confidence"])
              for r in con.table("routes").to_pyarrow().to_pylist()}
    assert set(routed) == set(local)
    assert {k: v[:3] for k, v in routed.items()} == {k: v[:3] for k, v in local.items()}
    assert any(v[0] is not None for v in routed.values()) and any(v[0] is None for v in routed.values())


def test_an_interrupted_route_batch_continues_where_it_stopped(world, warehouse):
    url, _, _ = warehouse
    seen = []

    def stop_after_two_chunks(done):
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _route(url, chunk_rows=100, progress=stop_after_two_chunks)
    con = ibis.connect(url)
    assert con.table("routes").count().execute() == 200  # two whole chunks, nothing half-written
    again = _route(url, chunk_rows=100)
    assert (again.rows_skipped, again.rows_routed) == (200, ROWS - 200)
    ids = con.table("routes").id.to_pyarrow().to_pylist()
    assert len(ids) == len(set(ids)) == ROWS


def test_resync_is_idempotent_and_picks_up_new_and_late_rows(world, warehouse, tmp_path):
    org, outcomes = world
    url, _, rows = warehouse
    _route(url)
    source = _register(url, overlap_days=1)
    sync.sync_source(source, acting_user=SYSTEM)
    first = rollup_tables()
    again = sync.sync_source(source, acting_user=SYSTEM)
    assert again.since == source.watermark - dt.timedelta(days=1)  # only from the watermark − overlap
    assert rollup_tables() == first

    # New rows on the newest day, and a late row for a day long before the watermark.
    newest = max(r["received_at"] for r in rows)
    more = [dict(rows[0], id=90_001, received_at=newest, text="nobody answers the helpline"),
            dict(rows[1], id=90_002, received_at=newest - dt.timedelta(days=40), text="I can't log in to the app")]
    con = ibis.connect(url)
    con.insert("feedback", ibis.memtable(more, schema=con.table("feedback").schema()))
    con.disconnect()
    _route(url)
    late = sync.sync_source(source, acting_user=SYSTEM)
    assert late.late_days == [more[1]["received_at"].date()]
    after_increments = rollup_tables()
    sync.sync_source(source, acting_user=SYSTEM, full=True)  # every day again: the same
    assert_close(rollup_tables(), after_increments)
    assert sum(c["n"] for c in after_increments["StepDayRollup"].values()) == ROWS + 2


def test_a_sync_stopped_half_way_leaves_the_previous_state_and_a_rerun_completes_it(world, warehouse):
    org, outcomes = world
    url, _, _ = warehouse
    _route(url)
    source = _register(url)
    before = rollup_tables()

    def stop(stage):
        if stage == "storing the sample":  # the figures already changed inside the transaction
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync.sync_source(source, acting_user=SYSTEM, progress=stop)
    source.refresh_from_db()
    assert rollup_tables() == before
    assert not ExternalCell.objects.exists() and source.watermark is None
    assert source.status == SyncStatus.FAILED and "Run it again" in source.message

    class Broken(Exception):
        pass

    def fail(stage):
        if stage == "moving the watermark":
            raise Broken("disk full")

    with pytest.raises(sync.SyncError, match="disk full"):
        sync.sync_source(source, acting_user=SYSTEM, progress=fail)
    assert rollup_tables() == before
    done = sync.sync_source(source, acting_user=SYSTEM)
    assert done.rows == ROWS and sum(c.n for c in FeedbackRollup.objects.all()) == ROWS
    source.refresh_from_db()
    assert source.status == SyncStatus.DONE and source.message == ""


def test_bad_tables_and_engines_are_named(world, warehouse, tmp_path):
    url, _, _ = warehouse
    con = ibis.connect(url)
    con.create_table("no_text", con.table("feedback").drop("text"))
    con.create_table("no_id", con.table("feedback").drop("id"))
    con.create_table("no_time", con.table("feedback").drop("received_at"))
    con.disconnect()
    with pytest.raises(EngineError, match=r"no column 'text' \(--text-column\)"):
        sync.route_batch(url, "no_text", "r1", acting_user=SYSTEM)
    with pytest.raises(EngineError, match=r"no column 'comment' \(--text-column\)"):
        sync.route_batch(url, "feedback", "r1", text_column="comment", acting_user=SYSTEM)
    with pytest.raises(EngineError, match=r"no column 'id' \(--id-column\)"):
        sync.route_batch(url, "no_id", "r1", acting_user=SYSTEM)
    with pytest.raises(EngineError, match="no table 'missing'"):
        sync.route_batch(url, "missing", "r1", acting_user=SYSTEM)
    source = sync.register_source("no time", engine_url_or_env=url, table="no_time", routes="",
                                  acting_user=SYSTEM)
    with pytest.raises(EngineError, match="no column 'received_at'"):
        sync.sync_source(source, acting_user=SYSTEM)
    source.refresh_from_db()
    assert source.status == SyncStatus.FAILED and "received_at" in source.message
    unreachable = "postgres://cx:secret@127.0.0.1:9/warehouse"
    with pytest.raises(EngineError, match=r"cannot reach the engine postgres://cx:\*\*\*@127.0.0.1:9") as caught:
        sync.route_batch(unreachable, "feedback", "r1", acting_user=SYSTEM)
    assert "secret" not in str(caught.value)
    source = sync.register_source("gone", engine_url_or_env="env:CX_TEST_NO_SUCH_VARIABLE", table="feedback",
                                  acting_user=SYSTEM)
    with pytest.raises(EngineError, match="CX_TEST_NO_SUCH_VARIABLE"):
        sync.sync_source(source, acting_user=SYSTEM)
    assert not FeedbackRollup.objects.exists() and ExternalSource.objects.count() == 2


def test_removing_a_source_beside_imported_feedback_restores_its_figures(world, warehouse, tmp_path):
    org, outcomes = world
    url, _, _ = warehouse
    import_locally(write_parquet(generated_rows(150, seed=5), tmp_path / "local.parquet"))
    before_tables, before_pages = rollup_tables(), page_figures(org, outcomes)
    _route(url)
    source = _register(url)
    sync.sync_source(source, acting_user=SYSTEM)
    assert rollup_tables() != before_tables
    sync.remove_source(source, acting_user=SYSTEM)
    # Counts exactly as before; sentiment sums within rounding of one add and one subtract.
    assert_close(rollup_tables(), before_tables)
    assert_close(page_figures(org, outcomes), before_pages)
