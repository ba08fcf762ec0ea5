"""Export → apply into a workspace made by `cxkeeper init` → export gives the same bytes, through
the real command line (`cxkeeper workspace …` and its first name `cxkeeper journeys …`).

Django is configured once per process, so a second data folder needs a second process: the
fresh workspace is made and filled by `python -m cxkeeper --data-dir …` in its own embedded
store, as tests/insights/test_import_pipeline.py runs its worker.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

import cxkeeper
from cxkeeper.cli import app
from cxkeeper.workspace.export import export_workspace

from .test_as_code_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    wipe_workspace,
)

pytestmark = pytest.mark.django_db
runner = CliRunner()
User = get_user_model()


def cxkeeper_process(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI in its own process, on its own data folder and embedded store."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "CXKEEPER_DATA_DIR", "CXKEEPER_EXPECT_DB")}
    source = str(Path(cxkeeper.__file__).resolve().parents[1])  # this checkout's code, not an installed copy
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "cxkeeper", "--data-dir", str(data_dir), *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def demo_file(settings, tmp_path, monkeypatch):
    """The demo's sample organization (without feedback), exported by `cxkeeper workspace export`."""
    folder = tmp_path / "demo"
    folder.mkdir()
    settings.DATA_DIR = folder
    monkeypatch.setenv("CXKEEPER_DATA_DIR", str(folder))  # the CLI sets it; restored after the test
    loaded = runner.invoke(app, ["--data-dir", str(folder), "demo", "--no-serve", "--feedback-rows", "0"])
    assert loaded.exit_code == 0, loaded.output
    path = tmp_path / "demo.yaml"
    exported = runner.invoke(app, ["--data-dir", str(folder), "workspace", "export", str(path)])
    assert exported.exit_code == 0, exported.output
    return path


def test_the_demo_exported_applies_to_a_workspace_made_by_init_and_exports_the_same_bytes(demo_file, tmp_path):
    fresh = tmp_path / "fresh"
    people = [p["username"] for p in yaml.safe_load(demo_file.read_text(encoding="utf-8"))["people"]]

    made = cxkeeper_process(fresh, "init")
    applied = cxkeeper_process(fresh, "workspace", "apply", str(demo_file))
    exported = cxkeeper_process(fresh, "journeys", "export", str(tmp_path / "again.yaml"))  # the first name

    assert made.returncode == 0 and "Ready" in made.stdout, made.stderr
    assert applied.returncode == 0, applied.stderr
    assert '+ person "alex"' in applied.stdout and '+ team "Billing & Collections"' in applied.stdout
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "again.yaml").read_bytes() == demo_file.read_bytes()
    with sqlite3.connect(fresh / "cxkeeper.sqlite3") as store:
        accounts = dict(store.execute("SELECT username, password FROM auth_user").fetchall())
    assert sorted(accounts) == sorted(people) and len(people) > 10
    # Nobody's password travels in the file: people made by apply cannot sign in until an admin sets one.
    assert all(password.startswith("!") for password in accounts.values())


def test_export_then_apply_into_an_emptied_workspace_gives_the_same_bytes(small_org, tmp_path):
    path, again = tmp_path / "workspace.yaml", tmp_path / "again.yaml"
    assert runner.invoke(app, ["workspace", "export", str(path)]).exit_code == 0
    wipe_workspace()
    User.objects.all().delete()

    applied = runner.invoke(app, ["journeys", "apply", str(path)])
    exported = runner.invoke(app, ["workspace", "export", str(again)])

    assert applied.exit_code == 0, applied.output
    assert '+ person "ada"' in applied.output
    assert exported.exit_code == 0 and again.read_bytes() == path.read_bytes()
    assert not any(user.has_usable_password() for user in User.objects.all())


@pytest.mark.parametrize("command", ["workspace", "journeys"])
def test_export_without_people_writes_todays_format(small_org, command):
    result = runner.invoke(app, [command, "export", "-", "--without-people"])

    assert result.exit_code == 0, result.output
    assert result.stdout == export_workspace(people=False)
    assert result.stdout.startswith("version: 1\n") and "\npeople:" not in result.stdout


@pytest.mark.parametrize("command", ["workspace", "journeys"])
def test_apply_and_validate_without_people_need_the_people_to_exist(small_org, tmp_path, command):
    path = tmp_path / "workspace.yaml"
    path.write_text(export_workspace(), encoding="utf-8")
    wipe_workspace()
    User.objects.exclude(username="ada").delete()

    applied = runner.invoke(app, [command, "apply", str(path), "--without-people"])
    validated = runner.invoke(app, [command, "validate", str(path), "--without-people"])
    with_people = runner.invoke(app, [command, "validate", str(path)])

    assert applied.exit_code == 2
    assert "journeys[0].keeper: unknown user 'kim'; people are not part of this file" in applied.stderr
    assert validated.exit_code == 2 and "unknown user 'kim'" in validated.stderr
    assert with_people.exit_code == 0, with_people.output
    assert not User.objects.filter(username="kim").exists()


def test_workspace_schema_is_the_published_schema():
    from cxkeeper.workspace.schema import schema_text

    result = runner.invoke(app, ["workspace", "schema"])

    assert result.exit_code == 0 and result.stdout == schema_text()
