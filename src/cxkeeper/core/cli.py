"""Plumbing shared by every app's command line: the consoles, the `--data-dir` option and
Django's set-up. Apps build their Typer sub-apps on this; `cxkeeper.cli` (an entry point
above every app) registers them, so no app imports the entry point."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder for the embedded store and secret key (default ./cxkeeper-data).",
                 envvar="CXKEEPER_DATA_DIR", show_default=False),
]


def setup_django(data_dir: Path | None) -> None:
    """Point Django at the data folder, configure it and bring the schema up to date."""
    if data_dir is not None:
        os.environ["CXKEEPER_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
