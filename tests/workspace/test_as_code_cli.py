"""`cxkeeper journeys export|apply|validate|schema` through the real Typer app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.org.models import Team
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.schema import published_schema

from .test_as_code_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    history_count,
    line_of,
)

pytestmark = pytest.mark.django_db

runner = CliRunner()


def test_export_then_apply_reports_no_changes(small_org, tmp_path):
    target = tmp_path / "workspace.yaml"

    exported = runner.invoke(app, ["journeys", "export", str(target)])
    applied = runner.invoke(app, ["journeys", "apply", str(target)])

    assert exported.exit_code == 0, exported.output
    assert target.read_bytes().decode() == export_workspace()
    assert applied.exit_code == 0, applied.output
    assert "No changes" in applied.output


def test_export_to_standard_output(small_org):
    result = runner.invoke(app, ["journeys", "export", "-"])

    assert result.exit_code == 0
    assert result.stdout == export_workspace()


def test_dry_run_prints_the_diff_and_saves_nothing(small_org, tmp_path):
    text = export_workspace().replace("teams:\n", "teams:\n  - name: Billing\n    office: back\n", 1)
    path = tmp_path / "workspace.yaml"
    path.write_text(text, encoding="utf-8")
    before = history_count()

    result = runner.invoke(app, ["journeys", "apply", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert '+ team "Billing"' in result.output
    assert "Dry run: would create 1, change 0, delete 0; nothing was saved." in result.output
    assert not Team.objects.filter(name="Billing").exists() and history_count() == before


def test_apply_prints_the_diff_and_saves(small_org, tmp_path):
    stage = "      - name: Ask for help\n"
    text = export_workspace().replace(stage, stage + "        description: Customers ask us.\n", 1)
    path = tmp_path / "workspace.yaml"
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["journeys", "apply", str(path)])

    assert result.exit_code == 0, result.output
    assert '~ journey "Get help" › stage "Ask for help": description' in result.output
    assert "Applied: 0 created, 1 changed, 0 deleted." in result.output


def test_apply_from_standard_input(small_org):
    result = runner.invoke(app, ["journeys", "apply", "-", "--dry-run"], input=export_workspace())

    assert result.exit_code == 0, result.output
    assert "No changes" in result.output


def test_a_bad_file_exits_2_naming_file_and_line(small_org, tmp_path):
    text = export_workspace().replace("lane: frontstage", "lane: front")
    text = text.replace("- team: IT\n", "- team: Finance\n")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    before = history_count()

    result = runner.invoke(app, ["journeys", "apply", str(path)])

    assert result.exit_code == 2
    lane_line = line_of(text, "lane: front")
    assert f"{path}:{lane_line}: journeys[0].stages[0].steps[1].lane: 'front' is not one of" in result.stderr
    assert f"{path}:{line_of(text, 'team: Finance')}: " in result.stderr
    assert "2 errors; nothing was applied." in result.stderr
    assert history_count() == before


def test_invalid_yaml_exits_2_with_the_line(small_org, tmp_path):
    text = export_workspace().replace("channel: app", "channel: app: web")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["journeys", "apply", str(path), "--dry-run"])

    assert result.exit_code == 2
    assert f"bad.yaml:{line_of(text, 'channel: app: web')}: invalid YAML" in result.output


def test_missing_file_exits_2(db, tmp_path):
    result = runner.invoke(app, ["journeys", "apply", str(tmp_path / "nope.yaml")])

    assert result.exit_code == 2
    assert "no such file" in result.output


def test_validate(small_org, tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(export_workspace(), encoding="utf-8")
    bad.write_text(export_workspace().replace("keeper: kim", "keeper: nobody"), encoding="utf-8")

    assert runner.invoke(app, ["journeys", "validate", str(good)]).exit_code == 0
    result = runner.invoke(app, ["journeys", "validate", str(bad)])
    assert result.exit_code == 2
    assert "journeys[0].keeper: unknown user 'nobody'" in result.output


def test_schema_prints_the_published_schema():
    result = runner.invoke(app, ["journeys", "schema"])

    assert result.exit_code == 0
    assert json.loads(result.stdout) == published_schema()


def test_every_command_accepts_data_dir(small_org, tmp_path, monkeypatch):
    monkeypatch.setenv("CXKEEPER_DATA_DIR", str(tmp_path))  # restored after the test
    target = tmp_path / "workspace.yaml"

    for args in (["export", str(target)], ["validate", str(target)], ["apply", str(target), "--dry-run"],
                 ["schema"]):
        result = runner.invoke(app, ["journeys", *args, "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, (args, result.output)
