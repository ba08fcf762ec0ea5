"""`cxkeeper metrics`: the same figures as GET /api/v1/metrics, as a Rich table or as JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app

from .test_pages import LOGIN_NPS_HIGH, LOGIN_NPS_LOW, load_feedback

runner = CliRunner()


@pytest.fixture
def org(small_org):
    return load_feedback(small_org)


def run(*args):
    result = runner.invoke(app, ["metrics", *args], terminal_width=200)
    return result


def test_json_has_the_api_shape_and_hand_computed_numbers(org):
    result = run("--journey", org.journey.slug, "--by", "step", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["by"] == "step" and payload["min_n"] == 30
    rows = {row["label"]: row for row in payload["rows"]}
    nps = rows["Get help › Log in to the app"]["metrics"]["nps"]
    assert nps["value"] == pytest.approx(20.0) and nps["n"] == 40 and nps["enough"]
    assert nps["low"] == pytest.approx(LOGIN_NPS_LOW, abs=1e-3)
    assert nps["high"] == pytest.approx(LOGIN_NPS_HIGH, abs=1e-3)
    assert rows["Get help › Call the helpline"]["metrics"]["nps"]["enough"] is False


def test_json_equals_the_api(org):
    from django.test import Client

    client = Client()
    client.force_login(org.viewer)
    api = client.get("/api/v1/metrics", {"by": "team", "from": "2000-01-01", "min_n": 10}).json()
    cli = json.loads(run("--by", "team", "--from", "2000-01-01", "--min-n", "10", "--json").output)
    assert cli == api


def test_table_shows_value_interval_n_and_too_few(org):
    result = run("--by", "step", "--team", "customer-service", "--metric", "nps", "--metric", "ces")
    assert result.exit_code == 0, result.output
    assert "CX metrics by step" in result.output
    assert "20.0 [-7.0, 47.0] n=40" in result.output
    assert "5.00" in result.output
    assert "too few (n=5)" in result.output


def test_filters_and_time_grains(org):
    week = json.loads(run("--by", "week", "--step", str(org.login_step.pk), "--min-n", "1", "--json").output)
    assert sum(row["metrics"]["nps"]["n"] for row in week["rows"]) == 40
    channel = json.loads(run("--by", "channel", "--step", str(org.login_step.pk), "--to", "2000-01-01",
                             "--json").output)
    assert channel["rows"] == [] and channel["to"] == "2000-01-01"
    assert "No feedback matches" in run("--by", "month", "--from", "2100-01-01").output


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "planet"], "--by: choose one of"),
    (["--from", "yesterday"], "is not a date"),
    (["--journey", "nope"], "no journey “nope”"),
    (["--metric", "karma"], "unknown karma"),
])
def test_bad_input_names_the_problem(org, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
