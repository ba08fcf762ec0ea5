"""`cxkeeper rollup --sync` (called by cli_ingest.rollup) and how a sync is printed; apart
from `cli.py`, which registers on cli_ingest's `route` group, so neither imports the other."""

from __future__ import annotations

import json

import typer

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import console, err_console


def fail(message: str, code: int = 2):
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def sync_from_cli(*, engine: str, table: str, source: str, routes: str | None, id_column: str, text_column: str,
                  overlap_days: int, sample_per_cell: int, full: bool, as_json: bool) -> None:
    """`cxkeeper rollup --sync`: register (or update) the external source, then sync it."""
    from cxkeeper.insights.warehouse import sync
    from cxkeeper.insights.warehouse.engine import EngineError

    try:
        external = sync.register_source(source, engine_url_or_env=engine, table=table, routes=routes or "",
                                        id_column=id_column, text_column=text_column, overlap_days=overlap_days,
                                        sample_per_cell=sample_per_cell, acting_user=SYSTEM)
        result = sync.sync_source(external, acting_user=SYSTEM, full=full)
    except (EngineError, sync.SyncError) as exc:
        fail(str(exc))
    _print_sync(result, as_json)


def _print_sync(result, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(result.as_dict(), default=str))
        return
    since = f"from {result.since:%d %b %Y}" if result.since else "every day"
    late = f"; late rows on {len(result.late_days)} earlier day(s)" if result.late_days else ""
    console.print(f"Synced “{result.source}”: {since}, {result.days} day(s), {result.rows:,} feedback rows in "
                  f"{result.cells:,} cells, {result.samples} sampled verbatims{late}; data up to "
                  f"{result.data_up_to or 'no feedback'} ({result.seconds:.1f} s).")


