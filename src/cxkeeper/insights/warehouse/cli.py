"""`cxkeeper route batch` (registered on cli_ingest.route_app), `cxkeeper sources list|sync|remove`,
and the `--sync` half of `cxkeeper rollup` (`sync_from_cli`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, err_console, setup_django
from cxkeeper.insights.cli_ingest import route_app
from cxkeeper.insights.warehouse.cli_sync import _print_sync
from cxkeeper.insights.warehouse.cli_sync import fail as _fail

sources_app = typer.Typer(no_args_is_help=True, help="Feedback sources that live in a warehouse: list, sync, remove.")


@route_app.command("batch")
def route_batch(
    engine: Annotated[str, typer.Option(help="Ibis URL of the engine (pyspark://local[2], duckdb:///f.duckdb, "
                                             "postgres://…, sqlite:///f.db) or env:VARIABLE holding it.")],
    table: Annotated[str, typer.Option(help="Feedback table (or Parquet path on Spark/DuckDB) with an id and a text.")],
    into: Annotated[str, typer.Option(help="Table (or Parquet folder on Spark) to write the routes to; rows "
                                           "already there are skipped, so a rerun continues.")],
    text_column: Annotated[str, typer.Option(help="Column with the feedback text.")] = "text",
    id_column: Annotated[str, typer.Option(help="Column with the feedback's id.")] = "id",
    chunk_rows: Annotated[int, typer.Option(help="Rows streamed per chunk on engines without Python UDFs.")]
    = 10_000,
    spark_slice_rows: Annotated[int, typer.Option(help="Rows per committed Spark job (resume granularity).")]
    = 1_000_000,
    redacted_text: Annotated[bool, typer.Option("--redacted-text", help="Also write the PII-redacted text.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
    data_dir: DataDir = None,
):
    """Route, score and redact a warehouse table with the workspace's current models, on the
    engine: id, step_id, step_confidence, routed_by, sentiment per row (raw text stays there)."""
    setup_django(data_dir)
    from cxkeeper.insights.warehouse import sync
    from cxkeeper.insights.warehouse.engine import EngineError

    try:
        result = sync.route_batch(engine, table, into, id_column=id_column, text_column=text_column,
                                  chunk_rows=chunk_rows, spark_slice_rows=spark_slice_rows,
                                  with_text=redacted_text, acting_user=SYSTEM)
    except EngineError as exc:
        _fail(str(exc))
    summary = result.as_dict()
    if as_json:
        console.print_json(json.dumps(summary, default=str))
    else:
        console.print(f"Routed {result.rows_routed:,} rows of {table} into {into} "
                      f"({result.rows_skipped:,} already there, {result.seconds:.1f} s).")


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
                 data_dir: DataDir = None):
    """Every external source: last synced, data up to, rows, status."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.insights.warehouse.queries import freshness

    rows = freshness()
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in rows], default=str))
        return
    if not rows:
        console.print("No warehouse sources yet (`cxkeeper rollup --engine … --table … --sync --source NAME`).")
        return
    table = Table(title="Warehouse sources")
    for column in ("source", "last synced", "data up to", "rows", "status"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.name, f"{r.last_synced_at:%Y-%m-%d %H:%M}" if r.last_synced_at else "never",
                      str(r.data_up_to or "—"), f"{r.rows:,}", r.message or r.status_label)
    console.print(table)


@sources_app.command("sync")
def sources_sync(
    name: Annotated[str | None, typer.Argument(help="The source; omit with --all.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Every source (for cron).")] = False,
    full: Annotated[bool, typer.Option("--full", help="Every day again, not only from the watermark.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
):
    """Sync one source, or every source (`--all`, what cron or the schedule runs). A source
    whose last sync failed continues from where its last good sync left off."""
    setup_django(data_dir)
    from cxkeeper.insights.warehouse import sync
    from cxkeeper.insights.warehouse.engine import EngineError
    from cxkeeper.insights.warehouse.queries import source_by_name

    if all_sources == bool(name):
        _fail("name one source, or pass --all")
    if all_sources:
        results = sync.sync_all(acting_user=SYSTEM)
        failed = [(n, r) for n, r in results if isinstance(r, str)]
        if as_json:
            console.print_json(json.dumps([{"source": n, **(r.as_dict() if not isinstance(r, str) else {"error": r})}
                                           for n, r in results], default=str))
        else:
            for n, r in results:
                if isinstance(r, str):
                    err_console.print(f"[red]{n}:[/red] {r}")
                else:
                    _print_sync(r, False)
        if failed:
            raise typer.Exit(1)
        return
    source = source_by_name(name)
    if source is None:
        _fail(f"there is no warehouse source “{name}” (see `cxkeeper sources list`).")
    try:
        result = sync.sync_source(source, acting_user=SYSTEM, full=full)
    except (EngineError, sync.SyncError) as exc:
        _fail(str(exc), 1)
    _print_sync(result, as_json)


@sources_app.command("remove")
def sources_remove(
    name: Annotated[str, typer.Argument(help="The source to remove.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    data_dir: DataDir = None,
):
    """Remove a warehouse source: its figures leave every page exactly (the warehouse is untouched)."""
    setup_django(data_dir)
    from cxkeeper.insights.warehouse import sync
    from cxkeeper.insights.warehouse.queries import source_by_name

    source = source_by_name(name)
    if source is None:
        _fail(f"there is no warehouse source “{name}” (see `cxkeeper sources list`).")
    if not yes and not typer.confirm(f"Remove the warehouse source {name} and its figures?"):
        raise typer.Exit(1)
    rows = sync.remove_source(source, acting_user=SYSTEM)
    console.print(f"Removed “{name}”: {rows:,} feedback rows left the figures.")
