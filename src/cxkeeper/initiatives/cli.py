"""`cxkeeper initiatives` and `cxkeeper priorities`: the initiatives with their teams and status,
and the priority board with every term of its score; `--json` gives scripts the same data as
`GET /api/v1/initiatives` (its items) and `GET /api/v1/priorities`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, console, err_console, setup_django

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def initiatives(
    status: Annotated[str | None, typer.Option(help="Only this status: proposed, approved, in_progress, shipped, "
                                                    "measured or closed.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
):
    """Initiatives: who leads, contributes and is consulted, status, ship date and milestones."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.initiatives import queries
    from cxkeeper.initiatives.choices import InitiativeStatus

    if status is not None and status not in InitiativeStatus.values:
        err_console.print(f"[red]error:[/red] --status: choose one of {', '.join(InitiativeStatus.values)}.")
        raise typer.Exit(2)
    rows = [queries.initiative_dict(i) for i in queries.initiatives(status=status)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        console.print("No initiatives yet: plan one on /initiatives/ or through /api/v1/initiatives.")
        return
    for row in rows:
        teams = ", ".join(f"{t['team']} ({t['role']})" for t in row["teams"]) or "no team"
        ship = f"ships {row['ship_date']}" if row["ship_date"] else "no ship date"
        done = sum(1 for m in row["milestones"] if m.get("done"))
        console.print(f"[bold]{row['title']}[/bold] — {row['status_label']}, {ship}", soft_wrap=True)
        console.print(f"  teams: {teams}", soft_wrap=True)
        if row["metrics"]:
            console.print("  should move: " + ", ".join(f"{m['metric']} {m['direction']}" for m in row["metrics"]),
                          soft_wrap=True)
        if row["milestones"]:
            console.print(f"  milestones: {done} of {len(row['milestones'])} done")


def priorities(as_json: AsJson = False, data_dir: DataDir = None):
    """The priority board: open friction points ranked, each term of the score explained."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.initiatives import priority

    data = priority.board_dict(priority.board())
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    period, weights = data["period"], data["weights"]
    console.print(f"Period {period['start']} to {period['end']} ({period['days']} days). "
                  f"Weights: impact {weights['impact']:g}, strategic fit {weights['fit']:g}, "
                  f"effort {weights['effort']:g}, confidence {weights['confidence']:g}.", soft_wrap=True)
    console.print(f"[dim]{data['formula']}[/dim]", soft_wrap=True)
    if not data["entries"]:
        console.print("No open friction points to rank.")
        return
    for entry in data["entries"]:
        terms = entry["terms"]
        console.print(f"\n#{entry['rank']} [bold]{entry['title']}[/bold] — score {entry['score']:.1f} "
                      f"(impact {terms['impact']:.2f}, fit {terms['fit']:.2f}, effort {terms['effort']:.2f}, "
                      f"confidence {terms['confidence']:.2f})", soft_wrap=True)
        for name, sentence in entry["explanation"].items():
            console.print(f"  [dim]{name}: {sentence}[/dim]", soft_wrap=True)
        if entry["to_sponsor"]:
            console.print(f"  [yellow]goes to the executive sponsor:[/yellow] {'; '.join(entry['flags'])}",
                          soft_wrap=True)
