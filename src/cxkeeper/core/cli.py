"""Plumbing shared by every app's command line: the consoles, the `--data-dir` option and
Django's set-up. Apps build their Typer sub-apps on this; `cxkeeper.cli` (an entry point
above every app) registers them, so no app imports the entry point."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cxkeeper.core.datafolder import DEFAULT_DATA_DIR, STORE_FILE

console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder for the embedded store and secret key (default ./cxkeeper-data).",
                 envvar="CXKEEPER_DATA_DIR", show_default=False),
]


def setup_django(data_dir: Path | None, *, reads_only: bool = False) -> None:
    """Point Django at the data folder, configure it and bring the schema up to date.
    ``reads_only``: the command only reads the workspace, so a data folder without one is a
    mistake (a typo in `--data-dir`, the wrong working directory) and it stops with a clear
    error instead of creating an empty workspace there and reporting that it holds nothing."""
    if data_dir is not None:
        os.environ["CXKEEPER_DATA_DIR"] = str(data_dir)
    if reads_only:
        _stop_without_a_workspace()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _stop_without_a_workspace() -> None:
    from django.conf import settings

    if settings.configured or os.environ.get("DATABASE_URL"):
        return  # already set up in this process (tests), or a server database: nothing to create by mistake
    folder = Path(os.environ.get("CXKEEPER_DATA_DIR") or DEFAULT_DATA_DIR).expanduser()
    if (folder / STORE_FILE).is_file():
        return
    where = "does not exist" if not folder.exists() else f"holds no workspace (no {STORE_FILE})"
    err_console.print(f"The data folder {folder} {where}, so there is nothing to read. Point --data-dir "
                      "(or CXKEEPER_DATA_DIR) at the folder of your workspace, or start one with "
                      "`cxkeeper init` (empty) or `cxkeeper demo` (the sample organization).",
                      markup=False, highlight=False)
    raise typer.Exit(2)
