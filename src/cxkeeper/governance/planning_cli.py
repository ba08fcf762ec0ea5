"""`cxkeeper export initiatives|action-items --format csv|jira|ics [--out FILE]`: the planning
exports (issue 15, item 7) — the same files as the pages' download links and the API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, err_console, setup_django

export_app = typer.Typer(help="Planning exports: initiatives and action items as CSV, Jira CSV or iCalendar.",
                         no_args_is_help=True)

FORMATS = {"csv": ("csv", "plain"), "jira": ("csv", "jira"), "ics": ("ics", "plain")}
Format = Annotated[str, typer.Option("--format", help="csv (every field), jira (Jira's CSV importer) or ics "
                                                      "(iCalendar).")]
Out = Annotated[Path, typer.Option("--out", help="File to write; “-” writes to standard output.")]
BaseUrl = Annotated[str, typer.Option("--base-url", help="The address people open cxkeeper at, for the links in "
                                                         "the file (e.g. https://cx.example.com).")]


def _run(what: str, fmt: str, out: Path, base_url: str, data_dir) -> None:
    choice = FORMATS.get(fmt.lower())
    if choice is None:
        err_console.print(f"[red]error:[/red] --format: unknown format “{fmt}”; choose one of "
                          f"{', '.join(FORMATS)}.", soft_wrap=True)
        raise typer.Exit(2)
    setup_django(data_dir, reads_only=True)
    from cxkeeper.governance import planning_exports

    export = planning_exports.export(what, choice[0], layout=choice[1], base_url=base_url)
    if str(out) == "-":
        sys.stdout.buffer.write(export.content)
        sys.stdout.flush()
        return
    out.write_bytes(export.content)
    err_console.print(f"Wrote {out} ({len(export.content):,} bytes).")


@export_app.command("initiatives")
def export_initiatives(fmt: Format = "csv", out: Out = Path("-"), base_url: BaseUrl = "", data_dir: DataDir = None):
    """Initiatives: CSV, Jira CSV (an Epic each, its milestones as Tasks) or iCalendar (ship dates, milestones)."""
    _run("initiatives", fmt, out, base_url, data_dir)


@export_app.command("action-items")
def export_action_items(fmt: Format = "csv", out: Out = Path("-"), base_url: BaseUrl = "",
                        data_dir: DataDir = None):
    """Action items: CSV, Jira CSV (Tasks, under their initiative's Epic) or iCalendar (due dates)."""
    _run("action-items", fmt, out, base_url, data_dir)
