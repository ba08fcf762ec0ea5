"""`cxkeeper journey …`: one journey shared outside the app (issue 14, docs/journeys.md).

- `journey export SLUG --format svg|png|pdf [--team SLUG] [--out FILE]` writes the service
  blueprint, the same file as the download links on the journey page.
- `journey changes SLUG --since YYYY-MM-DD` prints what changed on the map since that day.

(`cxkeeper journeys …`, plural, is the workspace-as-code YAML of every journey.) Trusted like
the other commands: it reads with the data folder's rights.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, console, err_console, setup_django

journey_app = typer.Typer(help="One journey: export its blueprint (SVG, PNG, PDF), what changed since a day.",
                          no_args_is_help=True)

FORMATS = ("svg", "png", "pdf")


def _fail(message: str, code: int = 2):
    err_console.print(f"[red]{message}[/red]")
    raise typer.Exit(code)


def _journey(slug: str):
    from cxkeeper.journeys.models import Journey

    journey = Journey.objects.filter(slug=slug).first() or Journey.objects.filter(name=slug).first()
    if journey is None:
        known = ", ".join(Journey.objects.values_list("slug", flat=True)[:12]) or "none yet"
        _fail(f"No journey “{slug}”. Journeys: {known}.")
    return journey


@journey_app.command("export")
def export(
    slug: Annotated[str, typer.Argument(help="The journey's slug (as in its address) or name.")],
    fmt: Annotated[str | None, typer.Option("--format", help="svg, png or pdf (default: from --out, else pdf).",
                                            show_default=False)] = None,
    team: Annotated[str | None, typer.Option("--team", help="Slug of a team to highlight; the others are dimmed.")]
    = None,
    out: Annotated[Path | None, typer.Option("--out", help="File to write; “-” is standard output "
                                                           "(default: blueprint-SLUG[-TEAM].FORMAT here).")] = None,
    data_dir: DataDir = None,
):
    """The journey's service blueprint as SVG, PNG or PDF, all teams or one highlighted."""
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = suffix if suffix in FORMATS else "pdf"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        _fail(f"--format: give svg, png or pdf, not “{fmt}”.")
    if out is not None and str(out) != "-" and not (out.parent if str(out.parent) else Path(".")).is_dir():
        _fail(f"--out: the folder “{out.parent}” does not exist.")
    setup_django(data_dir, reads_only=True)
    from cxkeeper.journeys import blueprint_export, queries
    from cxkeeper.org.models import Team

    journey = _journey(slug)
    highlight = None
    if team:
        highlight = Team.objects.filter(slug=team).first() or Team.objects.filter(name=team).first()
        if highlight is None:
            _fail(f"--team: no team “{team}”. Teams: {', '.join(Team.objects.values_list('slug', flat=True)[:20])}.")
    blueprint = queries.journey_blueprint(journey, highlight)
    content = blueprint_export.render(blueprint, fmt)
    if out is not None and str(out) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    target = out or Path(blueprint_export.filename(blueprint, fmt))
    try:
        target.write_bytes(content)
    except OSError as exc:
        _fail(f"--out: cannot write “{target}”: {exc.strerror or exc}.")
    err_console.print(f"[green]Wrote[/green] {target} ({len(content):,} bytes, {blueprint_export.CONTENT_TYPES[fmt]}).")


@journey_app.command("changes")
def changes(
    slug: Annotated[str, typer.Argument(help="The journey's slug or name.")],
    since: Annotated[str, typer.Option("--since", help="A day, YYYY-MM-DD: changes from the start of it.")],
    data_dir: DataDir = None,
):
    """Steps added, removed, re-owned, renamed or moved since a day, in plain words."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.journeys import queries

    journey = _journey(slug)
    try:
        day = queries.parse_since(since)
    except InvalidInput as exc:
        _fail(f"--since: {' '.join(exc.errors['since'])}")
    found = queries.map_changes_since(journey, day)
    console.print(f"[bold]{journey.name}[/bold]: changes since {day:%-d %b %Y} — "
                  + " · ".join(f"{label}: {n}" for _, label, n in found.counts), highlight=False)
    for change in found.changes:
        console.print(f"{change.at:%Y-%m-%d %H:%M}  [{change.kind_label}] {change.text}", highlight=False,
                      markup=False)
