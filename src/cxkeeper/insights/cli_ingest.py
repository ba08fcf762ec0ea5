"""`cxkeeper import feedback …`, `cxkeeper route evaluate|retrain`, `cxkeeper rollup …`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, err_console, setup_django

import_app = typer.Typer(no_args_is_help=True, help="Import feedback from files.")
route_app = typer.Typer(no_args_is_help=True, help="Evaluate and retrain the step router.")

FORMATS = "csv, xlsx, jsonl, parquet, qualtrics, zendesk"


def _write_error_report(job) -> Path | None:
    from django.conf import settings

    from cxkeeper.insights.pipeline import error_report_csv

    if not job.rejected:
        return None
    folder = Path(settings.DATA_DIR) / "import-errors"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"job-{job.pk}-{Path(job.filename).stem}-errors.csv"
    # Rejected values are raw customer data: readable by this account only, whatever the umask.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", newline="",
              encoding="utf-8") as handle:
        for line in error_report_csv(job):
            handle.write(line)
    return path


@import_app.command("feedback")
def import_feedback(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX, JSONL or Parquet export.")],
    source: Annotated[str | None, typer.Option(help="Feedback source name (created if new); default: file name.")]
    = None,
    format: Annotated[str | None, typer.Option("--format", help=f"One of {FORMATS}; default: from the extension.")]
    = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping file (YAML or JSON).")] = None,
    channel: Annotated[str | None, typer.Option(help="Channel for rows without one (saved on a new source).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    resume: Annotated[int | None, typer.Option(help="Resume the import job with this id after a crash.")] = None,
    chunk_rows: Annotated[int, typer.Option(help="Rows per atomic chunk.")] = 2000,
    data_dir: DataDir = None,
):
    """Import a feedback file: validate every row, redact PII, route to steps, update rollups."""
    setup_django(data_dir)
    from cxkeeper.insights import actions, import_jobs, pipeline
    from cxkeeper.insights.import_jobs import JobStateError
    from cxkeeper.insights.models import ImportJob

    if resume is not None:
        job = ImportJob.objects.filter(pk=resume).first()
        if job is None:
            err_console.print(f"[red]error:[/red] --resume: there is no import job {resume}.")
            raise typer.Exit(2)
    else:
        if not file.is_file():
            err_console.print(f"[red]error:[/red] {file}: no such file.")
            raise typer.Exit(2)
        feedback_source = actions.source_named(source or file.stem, acting_user=SYSTEM,
                                               defaults={"default_channel": channel or ""})
        job = pipeline.start_import(file, source=feedback_source, format=format, mapping_file=mapping,
                                    acting_user=SYSTEM)
    size = file.stat().st_size if file.is_file() else 0
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[counts]}"),
                  TimeElapsedColumn(), console=err_console, disable=as_json, transient=False) as bar:
        task = bar.add_task(f"Importing {file.name}", total=None, counts="")

        def show(current):
            bar.update(task, counts=f"{current.imported} imported · {current.duplicates} duplicates · "
                                    f"{current.rejected} rejected · row {current.rows_done}")

        try:
            job = pipeline.resume_import(job, progress=show, chunk_rows=chunk_rows, acting_user=SYSTEM) \
                if resume is not None else pipeline.run_import(job, file, chunk_rows=chunk_rows, progress=show)
        except JobStateError as exc:  # e.g. the job is running in a server process right now
            err_console.print(f"[red]error:[/red] --resume: {exc}")
            raise typer.Exit(2) from None
        bar.update(task, total=1, completed=1)
    report = _write_error_report(job)
    summary = {"job": job.pk, "status": job.status, "file": job.filename, "source": job.source.name,
               "imported": job.imported, "duplicates": job.duplicates, "rejected": job.rejected,
               "error_report": str(report) if report else None, "redactions": job.redactions,
               "message": job.message, "status_changes": job.status_changes, "bytes": size,
               "rejected_unlisted": import_jobs.unlisted_rejections(job)}
    if as_json:
        console.print_json(json.dumps(summary))
    else:
        colour = "green" if job.status == "done" else "red"
        console.print(f"[{colour}]{job.get_status_display()}[/{colour}]: {job.message}")
        if report:
            console.print(f"Rejected rows (file, row, column, value, reason): {report}")
    if job.status != "done":
        raise typer.Exit(1)


@import_app.command("sweep-uploads")
def sweep_uploads(data_dir: DataDir = None):
    """Delete uploaded files kept longer than CXKEEPER_UPLOAD_RETENTION_HOURS (for a scheduler)."""
    setup_django(data_dir)
    from cxkeeper.insights import uploads

    deleted = uploads.sweep()
    console.print(f"Deleted {len(deleted)} expired upload(s).")


@route_app.command("evaluate")
def route_evaluate(
    train: Annotated[Path, typer.Option("--train", help="Labelled training data, CSV or JSONL.")],
    test: Annotated[Path, typer.Option("--test", help="Labelled test data, CSV or JSONL.")],
    text_column: Annotated[str, typer.Option(help="Column with the text.")] = "text",
    label_column: Annotated[str, typer.Option(help="Column with the label (the step).")] = "label",
    shots: Annotated[int | None, typer.Option(help="Train on K examples per label (few-shot).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed for --shots.")] = 0,
    oos_label: Annotated[str | None, typer.Option(help="Label meaning 'belongs to no step'.")] = None,
    backend: Annotated[str, typer.Option(help="wordllama (default), tfidf or minilm.")] = "wordllama",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
):
    """Accuracy, macro-F1, unrouted rate and messages/s of the router on labelled data."""
    from cxkeeper.insights.text.evaluation import main_evaluate

    try:
        report = main_evaluate(train, test, text_column=text_column, label_column=label_column, shots=shots,
                               seed=seed, out_of_scope_label=oos_label, backend=backend)
    except (ValueError, OSError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        console.print_json(json.dumps(report, default=str))
        return
    table = Table(title="Routing evaluation")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("n_train", "n_test", "accuracy", "macro_f1", "unrouted_rate", "oos_unrouted_rate",
                "messages_per_second", "train_seconds"):
        if key in report and report[key] is not None:
            value = report[key]
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)


@route_app.command("retrain")
def route_retrain(data_dir: DataDir = None):
    """Retrain the step router from the journey map and every correction."""
    setup_django(data_dir)
    from cxkeeper.insights.routing import train_router

    model = train_router(evaluate=True)
    if model is None:
        err_console.print("[red]error:[/red] the workspace needs at least two journey steps to route feedback.")
        raise typer.Exit(2)
    accuracy = f"{model.cv_accuracy:.1%}" if model.cv_accuracy is not None else "not measurable"
    console.print(f"Router trained on {model.n_examples} examples ({model.n_corrections} corrections) for "
                  f"{model.n_labels} steps; cross-validated accuracy {accuracy}.")


def rollup(
    engine: Annotated[str, typer.Option(help="Ibis connection URL, e.g. duckdb:///feedback.duckdb, "
                                             "postgres://…, pyspark://local, sqlite:///file.db")],
    table: Annotated[str, typer.Option(help="Feedback table in that engine (cxkeeper's feedback columns).")],
    into: Annotated[str | None, typer.Option(help="Write the rollups to this table in the same engine.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the rollups to a Parquet file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
    sync: Annotated[bool, typer.Option("--sync", help="Bring the rollups into cxkeeper as the external source "
                                                      "--source (incrementally by day; see docs/warehouse.md).")]
    = False,
    source: Annotated[str | None, typer.Option(help="With --sync: the external source's name.")] = None,
    routes: Annotated[str | None, typer.Option(help="With --sync: the table `route batch` wrote (step and "
                                                    "sentiment per id), when the feedback table has none.")] = None,
    id_column: Annotated[str, typer.Option(help="With --sync: the feedback's id column.")] = "id",
    text_column: Annotated[str, typer.Option(help="With --sync: the text column the sample is taken from.")]
    = "text",
    overlap_days: Annotated[int, typer.Option(help="With --sync: days before the watermark read again.")] = 2,
    sample_per_cell: Annotated[int, typer.Option(help="With --sync: redacted verbatims kept per step and day.")]
    = 5,
    full: Annotated[bool, typer.Option("--full", help="With --sync: every day again.")] = False,
    data_dir: DataDir = None,
):
    """Build rollups from a feedback table that lives in another engine (the distributed path);
    with --sync, load them into cxkeeper's figures as a named external source."""
    if sync:
        if not source:
            err_console.print("[red]error:[/red] --sync needs --source NAME (the external source's name).")
            raise typer.Exit(2)
        setup_django(data_dir)
        from cxkeeper.insights.warehouse.cli_sync import sync_from_cli

        sync_from_cli(engine=engine, table=table, source=source, routes=routes, id_column=id_column,
                      text_column=text_column, overlap_days=overlap_days, sample_per_cell=sample_per_cell,
                      full=full, as_json=as_json)
        return
    from cxkeeper.insights.analytics import engines

    try:
        result = engines.rollup_from_engine(engine, table, into=into, out=out)
    except engines.EngineError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        console.print_json(json.dumps(result, default=str))
    else:
        console.print(f"{result['cells']} rollup cells from {result['rows']} feedback rows "
                      f"({result['engine']}, {result['seconds']:.1f} s)"
                      + (f" → {result['written_to']}" if result.get("written_to") else ""))


def friction(
    journey: Annotated[str | None, typer.Option(help="Journey slug or name; all journeys when omitted.")] = None,
    window: Annotated[int, typer.Option(help="Days compared: 14, 28 or 56.")] = 28,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, the shape of GET /api/v1/metrics/friction.")]
    = False,
    data_dir: DataDir = None,
):
    """Credible friction signals: steps worse than their journey or their own past, volume spikes."""
    if window not in (14, 28, 56):
        err_console.print("[red]error:[/red] --window: choose 14, 28 or 56.")
        raise typer.Exit(2)
    setup_django(data_dir, reads_only=True)
    from django.db.models import Q

    from cxkeeper.insights import queries
    from cxkeeper.journeys.models import Journey

    chosen = None
    if journey:
        chosen = Journey.objects.filter(Q(slug=journey) | Q(name__iexact=journey)).first()
        if chosen is None:
            err_console.print(f"[red]error:[/red] --journey: no journey “{journey}”.")
            raise typer.Exit(2)
    result = queries.friction_signals(chosen, window_days=window, with_themes=False)
    signals = [queries.signal_dict(s) for s in result["signals"]]
    if as_json:
        console.print_json(json.dumps({"as_of": result["as_of"].isoformat() if result["as_of"] else None,
                                       "window_days": window, "comparisons": result["family_size"],
                                       "signals": signals}, default=str))
        return
    if result["as_of"] is None:
        console.print("No feedback yet.")
        return
    console.print(f"{len(signals)} signal(s) among {result['family_size']} comparisons, up to {result['as_of']} "
                  "(5% false-discovery rate, minimum effects applied):")
    for signal in signals:
        console.print(f"• [bold]{signal['step_name'] or 'theme'}[/bold] ({signal['kind']}): {signal['explanation']}")


def erase_customer(
    customer_id: Annotated[str, typer.Argument(help="The customer id exactly as it was in the imported data.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    data_dir: DataDir = None,
):
    """Erase every piece of one customer's feedback (a data-subject request); figures update."""
    setup_django(data_dir)
    from cxkeeper.insights.actions import erase_customer as erase

    if not yes and not typer.confirm(f"Erase all feedback of customer {customer_id}?"):
        raise typer.Exit(1)
    result = erase(customer_id, acting_user=SYSTEM)
    if as_json:
        console.print_json(json.dumps({"erased": result.erased, "uploads_deleted": result.uploads_deleted,
                                       "rejected_rows_erased": result.rejected_rows_erased,
                                       "error_files_deleted": result.error_files_deleted}))
    else:
        console.print(f"Erased {result.erased} feedback item(s); rollups updated."
                      + (f" Deleted {result.uploads_deleted} raw upload(s) of unfinished imports."
                         if result.uploads_deleted else "")
                      + (f" Erased what {result.rejected_rows_erased} rejected row(s) kept about the customer"
                         f" ({result.error_files_deleted} error file(s) deleted)."
                         if result.rejected_rows_erased else ""))
