"""`cxkeeper worker` (run queued background work) and `cxkeeper jobs list|show|retry` (what
the queue holds, how far each job got, what went wrong)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, console, err_console, setup_django

jobs_app = typer.Typer(no_args_is_help=True, help="Background work: what is queued, running, done or failed.")


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run the jobs due now, then stop.")] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=32,
                                             help="Jobs run at the same time (threads).")] = 1,
    data_dir: DataDir = None,
):
    """Run background work (imports, learning from review answers, digests, webhook deliveries …)
    from the queue in the workspace database. `cxkeeper serve` starts one by itself; run this
    when the web server runs with --no-worker (e.g. as its own systemd service). Stops
    gracefully on SIGTERM or Ctrl+C: jobs under way finish first (or are handed back)."""
    setup_django(data_dir)
    from cxkeeper.jobs.worker import Worker

    runner = Worker(concurrency, announce=lambda text: err_console.print(text, markup=False, highlight=False))
    runner.install_signals()
    err_console.print(f"Worker {runner.id} running jobs ({concurrency} at a time); Ctrl+C to stop.",
                      markup=False, highlight=False)
    ran = runner.run(once=once)
    err_console.print(f"Worker stopped after {ran} job{'s' if ran != 1 else ''}.", markup=False, highlight=False)


def _dict(row) -> dict:
    return {"id": row.id, "task": row.task, "title": row.title, "status": row.status, "state": row.state,
            "attempts": row.attempts, "max_attempts": row.max_attempts, "progress_done": row.progress_done,
            "progress_total": row.progress_total, "stage": row.stage, "last_error": row.last_error,
            "created_at": row.created_at, "run_at": row.run_at, "started_at": row.started_at,
            "finished_at": row.finished_at}


def _progress(row) -> str:
    if row.progress_total:
        return f"{row.progress_done:,} of {row.progress_total:,}"
    return f"{row.progress_done:,}" if row.progress_done else ""


@jobs_app.command("list")
def list_jobs(
    status: Annotated[str, typer.Option("--status", help="Only jobs queued, running, done or failed.")] = "",
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many (newest first).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
):
    """The newest background jobs: what each is, its state, progress, attempts and last error."""
    setup_django(data_dir, reads_only=True)
    from rich.markup import escape
    from rich.table import Table

    from cxkeeper.jobs import queries
    from cxkeeper.jobs.models import JobStatus

    if status and status not in JobStatus.values:
        err_console.print(f"[red]error:[/red] --status: one of {', '.join(JobStatus.values)}, not “{escape(status)}”.")
        raise typer.Exit(2)
    rows = queries.recent(status=status or None, limit=limit)
    if as_json:
        typer.echo(json.dumps([_dict(r) for r in rows], indent=2, ensure_ascii=False, default=str))
        return
    if not rows:
        console.print("No background jobs yet.")
        return
    table = Table("Job", "What", "State", "Progress", "Last error")
    for r in rows:
        table.add_row(str(r.id), escape(r.title), escape(r.state), escape(" · ".join(filter(None, [_progress(r),
                                                                                                   r.stage]))),
                      escape(r.last_error))
    console.print(table)


def _job_or_exit(job_id: int):
    from cxkeeper.jobs import queries

    job = queries.one(job_id)
    if job is None:
        err_console.print(f"[red]error:[/red] there is no background job {job_id}; see `cxkeeper jobs list`.")
        raise typer.Exit(2)
    return job


@jobs_app.command("show")
def show_job(
    job_id: Annotated[int, typer.Argument(metavar="ID", help="The job's number (from `cxkeeper jobs list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
):
    """One background job: its state, progress, attempts, times and last error."""
    setup_django(data_dir, reads_only=True)
    from rich.markup import escape

    from cxkeeper.jobs import queries

    row = queries.row(_job_or_exit(job_id))
    if as_json:
        typer.echo(json.dumps(_dict(row), indent=2, ensure_ascii=False, default=str))
        return
    console.print(f"[bold]Job {row.id}[/bold]: {escape(row.title)}")
    console.print(f"  State:     {escape(row.state)}")
    if row.progress_done or row.stage:
        console.print(f"  Progress:  {escape(' · '.join(filter(None, [_progress(row), row.stage])))}")
    console.print(f"  Attempts:  {row.attempts} of {row.max_attempts}")
    for label, when in (("Queued", row.created_at), ("Started", row.started_at), ("Finished", row.finished_at)):
        if when:
            console.print(f"  {label + ':':<10} {when:%Y-%m-%d %H:%M:%S}")
    if row.last_error:
        console.print(f"  Last error: {escape(row.last_error)}")


@jobs_app.command("retry")
def retry_job(
    job_id: Annotated[int, typer.Argument(metavar="ID", help="A failed job's number.")],
    data_dir: DataDir = None,
):
    """Queue a failed job again now, with all its attempts afresh (a worker runs it)."""
    setup_django(data_dir)
    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.jobs import actions

    job = _job_or_exit(job_id)
    try:
        actions.retry(job, acting_user=SYSTEM)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            err_console.print(f"[red]error:[/red] {field}: {' '.join(messages)}")
        raise typer.Exit(2) from None
    console.print(f"Job {job.pk} queued again; a worker runs it next.")
