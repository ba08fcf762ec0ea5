"""`cxkeeper initiatives` and `cxkeeper priorities`, with and without `--json`, run in-process
against the test database: the JSON is the API's shape, the tables say the same in words."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.initiatives import actions, priority

from .initiative_world import plan_login_fix
from .priority_world import AS_OF, friction_points, plant_feedback

pytestmark = pytest.mark.django_db
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], terminal_width=200)


def test_initiatives_json_and_table(small_org):
    initiative = plan_login_fix(small_org)
    actions.set_initiative_status(initiative, "approved", expected_version=1, acting_user=small_org.keeper)
    result = run("initiatives", "--json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["title"] == "Fix the app login" and row["status"] == "approved" and row["version"] == 2
    assert row["teams"] == [{"team_id": small_org.it.pk, "team": "IT", "role": "lead"},
                            {"team_id": small_org.service.pk, "team": "Customer service", "role": "contributes"},
                            {"team_id": small_org.sales.pk, "team": "Sales", "role": "consulted"}]
    assert {m["metric_key"]: m["direction"] for m in row["metrics"]} == {"ces": "up", "complaints": "down"}
    assert json.loads(run("initiatives", "--status", "shipped", "--json").stdout) == []
    table = run("initiatives")
    assert "Fix the app login" in table.output and "IT (lead)" in table.output and "1 of 2 done" in table.output
    bad = run("initiatives", "--status", "done")
    assert bad.exit_code == 2 and "choose one of" in bad.output


def test_priorities_json_is_the_board_the_api_gives(small_org, monkeypatch):
    plant_feedback(small_org)
    friction_points(small_org)
    real = priority.board
    monkeypatch.setattr(priority, "board", lambda **kw: real(as_of=AS_OF))  # the period of the known world
    result = run("priorities", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == {"start": "2026-04-02", "end": "2026-06-30", "days": 90}
    assert [e["title"] for e in data["entries"]] == ["Login keeps failing", "Helpline hold music"]
    assert data["entries"][0]["measures"]["n"] == 50 and data["entries"][0]["terms"]["impact"] == 1.0
    table = run("priorities")
    assert "#1 Login keeps failing" in table.output and "impact:" in table.output
