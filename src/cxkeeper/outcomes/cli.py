"""`cxkeeper report …`, `cxkeeper outcomes …` and `cxkeeper kpi …`.

- `report scorecard --team NAME --format pdf|md|png --out FILE` and `report org --format … --out FILE`
  write the same documents as the export links on the scorecard pages (see `reports`).
- `outcomes status` and `outcomes tensions` print every target's status and every tension
  test, explained; `--json` gives the same data to scripts.
- `kpi import --team NAME --kpi NAME FILE` loads a KPI's values from CSV: every problem is
  reported with file, row and column, and then nothing is stored.

The CLI is trusted like the other commands (it runs with the data folder's rights), so it acts
without a user (`acting_user=SYSTEM`), as `cxkeeper import` does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, err_console, setup_django

report_app = typer.Typer(help="Export team scorecards and the organization view as PDF, PNG or Markdown.",
                         no_args_is_help=True)
outcomes_app = typer.Typer(help="Shared outcomes: target status and tensions.", no_args_is_help=True)
kpi_app = typer.Typer(help="Team KPIs: import values from CSV.", no_args_is_help=True)

FORMAT_CHOICES = ("pdf", "md", "png")
SUFFIXES = {".pdf": "pdf", ".md": "md", ".markdown": "md", ".png": "png"}

Format = Annotated[str | None, typer.Option(
    "--format", help="pdf, md or png (default: from the --out file's extension).", show_default=False)]
Out = Annotated[Path, typer.Option("--out", help="File to write; “-” writes to standard output.")]
PeriodDays = Annotated[int, typer.Option("--period-days", min=7, max=732,
                                         help="Days in the period, compared with the same number before it.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="The day to compute as of, YYYY-MM-DD (default: the last "
                                                          "day with feedback).", show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(message: str, code: int = 2):
    err_console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def _format(fmt: str | None, out: Path) -> str:
    if fmt is None:
        fmt = SUFFIXES.get(out.suffix.lower())
        if fmt is None:
            _fail(f"--format: give pdf, md or png (cannot tell from “{out}”).")
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMAT_CHOICES:
        _fail(f"--format: unknown format “{fmt}”; choose one of {', '.join(FORMAT_CHOICES)}.")
    return fmt


def _check_writable(out: Path) -> None:
    """Refuse before the (slow) rendering when the file could not be written anyway."""
    if str(out) == "-":
        return
    if out.is_dir():
        _fail(f"--out: “{out}” is a folder; give a file name, e.g. {out / 'scorecard.pdf'}.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        _fail(f"--out: the folder “{folder}” does not exist.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        _fail(f"--out: cannot write “{out}” (permission denied).")


def _as_of(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of: “{value}” is not a date (YYYY-MM-DD).")


def _write(report, out: Path) -> None:
    if str(out) == "-":
        sys.stdout.buffer.write(report.content)
        sys.stdout.buffer.flush()
        return
    try:
        out.write_bytes(report.content)
    except OSError as exc:
        _fail(f"--out: cannot write “{out}”: {exc.strerror or exc}.")
    kind = report.content_type.split(";")[0]
    err_console.print(f"[green]Wrote[/green] {out} ({len(report.content):,} bytes, {kind}).")


def _team(name: str):
    from cxkeeper.org.models import Team
    from cxkeeper.outcomes.queries import team_named

    try:
        return team_named(name)
    except Team.DoesNotExist as exc:
        _fail(f"--team: {exc}")


# ---------------------------------------------------------------- cxkeeper report


@report_app.command("scorecard")
def report_scorecard(
    team: Annotated[str, typer.Option("--team", help="Team name or slug.")],
    out: Out,
    fmt: Format = None,
    period_days: PeriodDays = 90,
    as_of: AsOf = None,
    data_dir: DataDir = None,
):
    """A team's scorecard as PDF, PNG or Markdown.

    Targets at the team's steps, measures against the previous period, KPIs, tensions,
    friction signals and handoffs: the same as the scorecard page and its export links."""
    fmt = _format(fmt, out)
    _check_writable(out)
    day = _as_of(as_of)
    setup_django(data_dir, reads_only=True)
    from cxkeeper.outcomes import reports

    _write(reports.scorecard_report(_team(team), fmt, period_days=period_days, as_of=day), out)


@report_app.command("org")
def report_org(
    out: Out,
    fmt: Format = None,
    period_days: PeriodDays = 90,
    as_of: AsOf = None,
    data_dir: DataDir = None,
):
    """The organization view as PDF, PNG or Markdown.

    Every shared outcome against target, tensions, the worst steps and their owners, coverage
    gaps and journeys overdue for review."""
    fmt = _format(fmt, out)
    _check_writable(out)
    day = _as_of(as_of)
    setup_django(data_dir, reads_only=True)
    from cxkeeper.outcomes import reports

    _write(reports.org_report(fmt, period_days=period_days, as_of=day), out)


# ---------------------------------------------------------------- cxkeeper outcomes


def _value_dict(value) -> dict | None:
    if value is None:
        return None
    return {"value": value.value, "low": value.low, "high": value.high, "n": value.n, "enough": value.enough}


@outcomes_app.command("status")
def outcomes_status(as_json: AsJson = False, as_of: AsOf = None, data_dir: DataDir = None):
    """Every target with its status (on track, at risk, off track, not enough data) and why."""
    day = _as_of(as_of)
    setup_django(data_dir, reads_only=True)
    from cxkeeper.core import numbers
    from cxkeeper.insights import clock
    from cxkeeper.outcomes import queries, reports

    through = clock.data_through()
    views = queries.all_target_views(as_of=day or through)
    if as_json:
        payload = [{
            "id": v.target.pk, "outcome": v.target.outcome.name, "metric": v.target.metric.name,
            "metric_key": v.target.metric.key, "scope": v.target.scope, "scope_label": v.target.scope_label,
            "comparator": v.target.comparator, "value": v.target.value, "due": v.target.due.isoformat(),
            "status": v.status, "status_label": v.status_label, "current": _value_dict(v.assessment.current),
            "projected": v.assessment.projected, "projected_low": v.assessment.projected_low,
            "projected_high": v.assessment.projected_high, "projection_note": v.assessment.projection_note,
            "plain": v.assessment.plain, "explanation": v.assessment.explanation,
            "period": v.period.as_dict(), "data_through": through.isoformat() if through else None,
        } for v in views]
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not views:
        console.print("No targets yet: keepers set them on the outcome pages or through /api/v1.")
        return
    console.print(f"Data through {through:%d %b %Y}" if through else "No feedback yet", style="dim")
    colours = {"on_track": "green", "at_risk": "yellow", "off_track": "red", "no_data": "dim"}
    outcome = None
    for v in views:
        target, current = v.target, v.assessment.current
        if target.outcome_id != outcome:
            outcome = target.outcome_id
            console.print(f"\n[bold]{target.outcome.name}[/bold]")
        base = target.metric.base
        value = reports.value_text(current, base) if current is not None else "not enough data (n = 0)"
        if current is not None and current.enough:
            value += f" ({reports.interval_text(current, base)}, n = {numbers.count(current.n)})"
        colour = colours[v.status]
        console.print(f"  [{colour}]{v.status_label}[/{colour}]  {target.metric.name} {target.comparator} "
                      f"{reports.target_text(target.value, base)} at {target.scope_label} "
                      f"by {target.due:%d %b %Y}: {value}",
                      soft_wrap=True)
        console.print(f"    {escape(v.assessment.plain)}", soft_wrap=True)
        console.print(f"    [dim]Details: {escape(v.assessment.explanation)}[/dim]", soft_wrap=True)


@outcomes_app.command("tensions")
def outcomes_tensions(
    as_json: AsJson = False,
    show_all: Annotated[bool, typer.Option("--all", help="Also list the comparisons where no tension was found.")]
    = False,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's KPIs.")] = None,
    as_of: AsOf = None,
    data_dir: DataDir = None,
):
    """Team KPIs improving while a shared measure at that team's steps worsens, with the evidence."""
    day = _as_of(as_of)
    setup_django(data_dir, reads_only=True)
    from cxkeeper.outcomes import queries

    findings = queries.tension_findings(as_of=day, team=_team(team) if team else None)
    shown = findings if show_all else [f for f in findings if f.found]
    if as_json:
        payload = [{
            "kpi": f.kpi.name, "kpi_id": f.kpi.pk, "team": f.kpi.team.name, "metric": f.metric.name,
            "metric_key": f.metric.key, "outcomes": [o.name for o in f.outcomes], "found": f.found,
            "strength": f.test.strength, "declared": f.declared is not None, "periods": f.test.periods,
            "p_value": f.test.p_value, "p_adjusted": f.test.p_adjusted, "effect": f.test.effect,
            "correlation": f.test.correlation, "explanation": f.test.explanation,
        } for f in shown]
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not shown:
        console.print(f"No tension found ({len(findings)} KPI × shared-measure comparison"
                      f"{'s' if len(findings) != 1 else ''} tested). --all shows them.")
        return
    for f in shown:
        colour = "red" if f.found else "dim"
        label = f"tension ({f.test.strength})" if f.found else f.test.strength
        console.print(f"[bold]{f.kpi.name}[/bold] ({f.kpi.team.name}) ↔ [bold]{f.metric.name}[/bold]: "
                      f"[{colour}]{label}[/{colour}]", soft_wrap=True)
        console.print(f"  {f.test.explanation}", soft_wrap=True)


# ---------------------------------------------------------------- cxkeeper kpi


@kpi_app.command("import")
def kpi_import(
    file: Annotated[Path, typer.Argument(help="CSV with a period (or date, month) column, value, and optional unit.")],
    team: Annotated[str, typer.Option("--team", help="Team name or slug.")],
    kpi: Annotated[str, typer.Option("--kpi", help="The KPI's name (as declared by the team).")],
    data_dir: DataDir = None,
):
    """Load a KPI's values from CSV; one value per period, upserted. Any bad row → nothing stored."""
    if not file.is_file():
        _fail(f"{file}: no such file.")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{file}: not UTF-8 text; save the CSV as UTF-8.")
    setup_django(data_dir)
    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.outcomes.actions import import_kpi_values
    from cxkeeper.outcomes.models import TeamKpi

    found_team = _team(team)
    found = TeamKpi.objects.filter(team=found_team, name__iexact=kpi).first()
    if found is None:
        names = ", ".join(f"“{n}”" for n in found_team.kpis.values_list("name", flat=True)) or "none yet"
        _fail(f"--kpi: {found_team.name} has no KPI named “{kpi}”. Its KPIs: {names}.")
    try:
        stored = import_kpi_values(found, text, filename=file.name, acting_user=SYSTEM)
    except InvalidInput as exc:
        for messages in exc.errors.values():
            for message in messages:
                err_console.print(f"[red]error:[/red] {message}", soft_wrap=True)
        err_console.print("Nothing was stored.")
        raise typer.Exit(1) from None
    console.print(f"[green]Stored[/green] {stored} value{'s' if stored != 1 else ''} for "
                  f"{found_team.name}: {found.name}.")
