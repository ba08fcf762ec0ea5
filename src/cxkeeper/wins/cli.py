"""`cxkeeper wins` (every measured win, its teams and their roles) and `cxkeeper impact INITIATIVE`
(an initiative's measurements). `cxkeeper impact --steps … --metric … --since …` without an
initiative is the impact engine's own question (`insights.cli.impact`), unchanged."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, console, err_console, setup_django
from cxkeeper.insights import cli as insights_cli


def _json(value) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _win_dict(row) -> dict:
    from cxkeeper.wins import queries

    d = queries.row_dict(row)
    return {"initiative": d["initiative"], "kind": d["kind"], "metric": d["metric"], "label": d["label"],
            "scope": d["scope"], "change_date": d["change_date"], "effect": d["effect_text"],
            "effect_value": d["effect"], "interval": d["interval_text"], "low": d["low"], "high": d["high"],
            "n_before": d["n_before"], "n_after": d["n_after"], "verdict": d["verdict"], "sentence": d["sentence"],
            "teams": d["teams"], "url": d["url"]}


def wins(
    team: Annotated[str, typer.Option("--team", help="Only wins this team contributed to (its name).")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: each win's initiative, metric, scope, "
                                                         "effect, interval, verdict and teams with roles.")] = False,
    data_dir: DataDir = None,
):
    """Every measured win: the initiative, what moved where, by how much (with its interval), and
    every team that made it happen with its role — hidden heroes (back office) marked."""
    setup_django(data_dir, reads_only=True)
    from rich.markup import escape

    from cxkeeper.org.models import Team
    from cxkeeper.wins import queries

    chosen = None
    if team:
        chosen = Team.objects.filter(name__iexact=team.strip()).first()
        if chosen is None:
            err_console.print(f"[red]error:[/red] --team: no team “{escape(team)}”.")
            raise typer.Exit(2)
    rows = queries.sorted_rows(queries.wins(team=chosen))
    if as_json:
        _json([_win_dict(r) for r in rows])
        return
    if not rows:
        console.print("No measured wins yet.")
        return
    for r in rows:
        d = _win_dict(r)
        teams = ", ".join(f"{t['team']} ({t['role']}{', hidden hero' if t['hidden_hero'] else ''})"
                          for t in d["teams"])
        console.print(f"[bold]{escape(d['initiative'])}[/bold] · {escape(d['label'])} at {escape(d['scope'])}: "
                      f"{escape(d['effect'] or '')} ({escape(d['interval'] or '')})")
        console.print(f"  {escape(d['sentence'])}")
        console.print(f"  [dim]Teams: {escape(teams)}[/dim]")


def impact(
    initiative: Annotated[str | None, typer.Argument(help="An initiative (id or title): its measured effects. "
                                                          "Leave out to ask about steps, a metric and a date.")] = None,
    steps: Annotated[str | None, typer.Option("--steps", help="Changed steps: “Journey/Step, Journey/Step” "
                                                              "(or step ids).")] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="NPS, CSAT, CES, % easy, sentiment, negative_share, "
                                               "complaint_share, churn_rate, retention_rate, volume, complaint_count, "
                                               "negative_count or mentions.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="The date of the change, YYYY-MM-DD.")] = None,
    topic: Annotated[str, typer.Option("--topic", help="Words counted by --metric mentions.")] = "",
    grain: Annotated[str, typer.Option("--grain", help="week or day.")] = "week",
    channel: Annotated[str, typer.Option("--channel", help="Only feedback from this channel.")] = "",
    segment: Annotated[str, typer.Option("--segment", help="Only feedback from this segment.")] = "",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Last day of data to use (default: data through).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
    organization: Annotated[bool, typer.Option(
        "--organization", help="With --metric and --since: measure the whole organization (no comparison "
                               "steps; placebo dates instead).")] = False,
):
    """Did a change move a metric? `cxkeeper impact INITIATIVE` answers for an initiative (each metric
    it aims to move, at its steps, from its ship date); with --steps, --metric and --since, for any
    change. Win, no credible change, worse, too early — or why it cannot be measured yet."""
    if initiative is None:
        needed = (("--metric", metric), ("--since", since)) + (() if organization else (("--steps", steps),))
        missing = [name for name, value in needed if not value]
        if missing:
            err_console.print(f"[red]error:[/red] {', '.join(missing)}: give an initiative (id or title), or "
                              "--steps, --metric and --since.")
            raise typer.Exit(2)
        return insights_cli.impact(steps=steps or "", metric=metric, since=since, topic=topic, grain=grain,
                                   channel=channel, segment=segment, as_of=as_of, as_json=as_json, data_dir=data_dir,
                                   organization=organization)
    if steps or metric or since or organization:
        err_console.print("[red]error:[/red] --steps, --metric, --since: an initiative brings its own steps, metrics "
                          "and ship date; give either the initiative or the three options.")
        raise typer.Exit(2)
    setup_django(data_dir)
    from rich.markup import escape

    from cxkeeper.wins import queries

    try:
        subject = queries.initiative_by_ref(initiative)
    except LookupError as error:
        err_console.print(f"[red]error:[/red] INITIATIVE: {escape(str(error))}")
        raise typer.Exit(2) from None
    report = queries.subject_report(subject)
    if as_json:
        _json({"initiative": subject.title, "id": subject.pk, "status": subject.status,
               "ship_date": subject.ship_date, "as_of": report["as_of"], "problem": report["problem"] or None,
               "teams": [c.as_dict() for c in report["credit"]],
               "results": [queries.row_dict(r, with_details=True) for r in report["rows"]]})
        return
    console.print(f"[bold]{escape(subject.title)}[/bold] · data through {report['as_of']:%d %b %Y}")
    if report["problem"]:
        console.print(escape(report["problem"]))
        return
    for r in report["rows"]:
        console.print(f"[bold]{escape(r.get_verdict_display().capitalize())}[/bold] · {escape(r.label)}: "
                      f"{escape(r.sentence)}")
        if r.interval_text:
            console.print(f"  [dim]effect {escape(r.effect_text)} ({escape(r.interval_text)}), n {r.n_before} "
                          f"before, {r.n_after} after[/dim]")
    teams = ", ".join(f"{c.team.name} ({c.role}{', hidden hero' if c.hidden_hero else ''})" for c in report["credit"])
    console.print(f"[dim]Teams: {escape(teams)}[/dim]")
