"""The commands a person or cron types, the freshness pages and API show, and the scheduled
sync (through the jobs interface) resuming after a failure."""

from __future__ import annotations

import json

import ibis
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from cxkeeper import jobs
from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights.models import StepDayRollup
from cxkeeper.insights.warehouse import sync
from cxkeeper.insights.warehouse.jobs import SYNC_ALL
from cxkeeper.insights.warehouse.models import ExternalSample, ExternalSource, SyncStatus
from cxkeeper.org.actions import create_api_token

from .conftest import generated_rows, write_parquet

runner = CliRunner()
ROWS = 120


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def engine_url(tmp_path):
    parquet = write_parquet(generated_rows(ROWS, seed=3), tmp_path / "feedback.parquet")
    url = f"sqlite://{tmp_path / 'warehouse.db'}"
    con = ibis.connect(url)
    con.create_table("feedback", ibis.memtable(pq.read_table(parquet)))
    con.disconnect()
    return url


def test_route_batch_rollup_sync_sources_list_and_remove_from_the_command_line(world, engine_url):
    code, out = invoke("route", "batch", "--engine", engine_url, "--table", "feedback", "--into", "routes",
                       "--chunk-rows", 50, "--json")
    assert code == 0, out
    assert json.loads(out)["rows_routed"] == ROWS
    code, out = invoke("rollup", "--engine", engine_url, "--table", "feedback", "--routes", "routes", "--sync",
                       "--source", "Survey warehouse", "--json")
    assert code == 0, out
    assert json.loads(out)["rows"] == ROWS
    assert sum(StepDayRollup.objects.values_list("n", flat=True)) == ROWS
    code, out = invoke("sources", "list", "--json")
    listed = json.loads(out)
    assert [s["name"] for s in listed] == ["Survey warehouse"] and listed[0]["rows"] == ROWS
    assert "sqlite" not in out  # the engine URL is not shown
    code, out = invoke("sources", "sync", "--all")
    assert code == 0 and "Synced “Survey warehouse”" in out, out
    code, out = invoke("sources", "remove", "Survey warehouse", "--yes")
    assert code == 0 and f"{ROWS:,} feedback rows left the figures" in out
    assert not StepDayRollup.objects.exists()


def test_command_line_errors_name_the_column_or_the_engine(world, engine_url):
    code, out = invoke("route", "batch", "--engine", engine_url, "--table", "feedback", "--into", "routes",
                       "--text-column", "comment")
    assert code == 2 and "comment" in out and "--text-column" in out
    code, out = invoke("route", "batch", "--engine", "postgres://u:pw@127.0.0.1:9/x", "--table", "feedback",
                       "--into", "routes")
    assert code == 2 and "cannot reach the engine" in out and "pw" not in out
    code, out = invoke("rollup", "--engine", engine_url, "--table", "feedback", "--sync")
    assert code == 2 and "--source" in out
    code, out = invoke("rollup", "--engine", engine_url, "--table", "feedback", "--sync", "--source", "x")
    assert code == 2 and "step_id" in out and "--routes" in out
    code, out = invoke("sources", "sync", "nothing-here")
    assert code == 2 and "no warehouse source" in out


def test_freshness_and_sample_on_pages_and_in_the_api(world, engine_url):
    org, _ = world
    sync.route_batch(engine_url, "feedback", "routes", acting_user=SYSTEM)
    source = sync.register_source("Survey warehouse", engine_url_or_env=engine_url, table="feedback",
                                  routes="routes", acting_user=SYSTEM)
    sync.sync_source(source, acting_user=SYSTEM)
    client = Client()
    client.force_login(org.viewer)
    step_url = reverse("insights:step", args=[org.login_step.pk])
    for url in (reverse("insights:heatmap", args=[org.journey.slug]), step_url):
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "“Survey warehouse”: last synced" in text and "data up to" in text, url
    step_page = client.get(step_url).content.decode()
    sampled = ExternalSample.objects.filter(step_id=org.login_step.pk).first()
    assert sampled is not None and sampled.text in step_page.replace("&#x27;", "'")
    client.force_login(org.keeper)
    imports = client.get(reverse("imports:home")).content.decode()
    assert "Feedback from a warehouse" in imports and "Survey warehouse" in imports
    token = create_api_token(org.viewer, "t", acting_user=SYSTEM)[1]
    answer = client.get("/api/v1/warehouse-sources", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    [item] = answer.json()
    assert item["name"] == "Survey warehouse" and item["rows"] == ROWS and item["data_up_to"]
    assert item["status"] == "done" and "engine" not in item and "table" not in item


def test_the_scheduled_sync_resumes_after_a_failure(world, engine_url, monkeypatch):
    assert jobs.SCHEDULES[SYNC_ALL].every.total_seconds() > 0
    sync.route_batch(engine_url, "feedback", "routes", acting_user=SYSTEM)
    monkeypatch.delenv("CX_TEST_WAREHOUSE_URL", raising=False)
    source = sync.register_source("Survey warehouse", engine_url_or_env="env:CX_TEST_WAREHOUSE_URL",
                                  table="feedback", routes="routes", acting_user=SYSTEM)
    jobs.enqueue(SYNC_ALL)  # the engine's URL is missing: recorded on the source, nothing loaded
    jobs.run_pending()  # the worker's part
    source.refresh_from_db()
    assert source.status == SyncStatus.FAILED and "CX_TEST_WAREHOUSE_URL" in source.message
    assert not StepDayRollup.objects.exists()
    monkeypatch.setenv("CX_TEST_WAREHOUSE_URL", engine_url)
    jobs.enqueue(SYNC_ALL)
    jobs.run_pending()
    source.refresh_from_db()
    assert source.status == SyncStatus.DONE and source.rows == ROWS and source.last_synced_at
    assert ExternalSource.objects.count() == 1
