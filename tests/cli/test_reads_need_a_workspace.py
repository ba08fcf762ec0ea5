"""A command that only reads the workspace, pointed at a data folder that holds none (a typo in
`--data-dir`, the wrong working directory), stops with an error that names the folder. Before,
it created an empty workspace there and reported that it held nothing ("No targets yet").

Each command runs as the real CLI in its own process (Django is configured once per process),
on the embedded store, as tests/workspace/test_round_trip_cli.py runs `cxkeeper init`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cxkeeper


def cxkeeper_process(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "CXKEEPER_DATA_DIR", "CXKEEPER_EXPECT_DB")}
    source = str(Path(cxkeeper.__file__).resolve().parents[1])  # this checkout's code, not an installed copy
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "cxkeeper", *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.mark.parametrize("command", [["route", "quality", "--json"], ["outcomes", "status", "--json"]])
def test_a_read_on_a_folder_that_does_not_exist_stops_and_creates_nothing(tmp_path, command):
    folder = tmp_path / "typo"
    done = cxkeeper_process(*command, "--data-dir", str(folder))
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert f"The data folder {folder} does not exist, so there is nothing to read." in said
    assert "cxkeeper init" in said and "cxkeeper demo" in said
    assert done.stdout == ""  # no JSON a script could mistake for an empty workspace
    assert not folder.exists()


def test_a_read_on_an_empty_folder_stops_and_a_read_on_a_workspace_answers(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    done = cxkeeper_process("--data-dir", str(folder), "outcomes", "status", "--json")  # the top-level option too
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"The data folder {folder} holds no workspace (no cxkeeper.sqlite3)" in " ".join(done.stderr.split())
    assert list(folder.iterdir()) == []

    made = cxkeeper_process("init", "--data-dir", str(folder))  # a command that starts a workspace still does
    assert made.returncode == 0, made.stdout + made.stderr
    assert (folder / "cxkeeper.sqlite3").is_file()
    read = cxkeeper_process("outcomes", "status", "--json", "--data-dir", str(folder))
    assert read.returncode == 0, read.stdout + read.stderr
    assert json.loads(read.stdout) is not None
