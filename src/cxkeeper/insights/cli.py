"""`cxkeeper metrics …` (import, route and rollup commands live in cli_ingest.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, console, err_console, setup_django
from cxkeeper.core.params import parse_id

metrics_app = typer.Typer(help="Print CX metrics from the rollups.")


# ---------------------------------------------------------------- cxkeeper metrics

BY_CHOICES = ("step", "stage", "journey", "team", "channel", "segment", "day", "week", "month")
DEFAULT_COLUMNS = ("nps", "csat", "ces", "ces_easy", "sentiment", "churn_rate")


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]error:[/red] {option}: “{value}” is not a date (YYYY-MM-DD).")
        raise typer.Exit(2) from None


def _cell(value: dict, metric: str) -> str:
    from cxkeeper.core import numbers
    from cxkeeper.insights.metrics import bounds, format_metric

    n = value["n"]
    if not value["enough"]:
        return f"[dim]too few (n={n})[/dim]"

    def figure(x: float) -> str:  # plain text for terminals and scripts: ASCII minus, no separators
        return format_metric(x, metric, thousands=False, hyphen=True)

    text = figure(value["value"])
    if value["low"] is not None and value["high"] is not None:
        _, low, high, note = numbers.bounded(value["value"], value["low"], value["high"], bounds(metric))
        text += f" [dim][{figure(low)}, {figure(high)}]{' (cut to the scale)' if note else ''}[/dim]"
    return f"{text} [dim]n={n}[/dim]"


@metrics_app.callback(invoke_without_command=True)
def metrics(
    journey: Annotated[str | None, typer.Option("--journey", help="Journey slug or name.")] = None,
    step: Annotated[int | None, typer.Option("--step", help="Step id.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Team slug or name (steps it owns or contributes to).")]
    = None,
    by: Annotated[str, typer.Option("--by", help="step, stage, journey, team, channel, segment, day, week or month.")]
    = "step",
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    channel: Annotated[str, typer.Option("--channel", help="Only this channel.")] = "",
    segment: Annotated[str, typer.Option("--segment", help="Only this segment.")] = "",
    min_n: Annotated[int, typer.Option("--min-n", min=1, help="Below it: “too few responses”.")] = 30,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="Columns of the table (repeatable); "
                                                     "default NPS, CSAT, CES, % easy, sentiment, churn; "
                                                     "field:NAME for a custom declared field's mean.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, the same shape as GET /api/v1/metrics.")]
    = False,
    data_dir: DataDir = None,
):
    """CX metrics with their 95% interval and n, grouped by one dimension (from the rollups)."""
    if by not in BY_CHOICES:
        err_console.print(f"[red]error:[/red] --by: choose one of {', '.join(BY_CHOICES)}.")
        raise typer.Exit(2)
    first, last = _date(start, "--from"), _date(end, "--to")
    setup_django(data_dir, reads_only=True)
    from django.db.models import Q

    from cxkeeper.insights.api import metrics_payload
    from cxkeeper.insights.metrics import CATALOGUE
    from cxkeeper.insights.queries import FIELD_DIMENSIONS, FIELD_PREFIX, field_names
    from cxkeeper.journeys.models import Journey, Step
    from cxkeeper.org.models import Team

    columns = list(metric or DEFAULT_COLUMNS)
    fields = [m.removeprefix(FIELD_PREFIX).strip() for m in columns if m.startswith(FIELD_PREFIX)]
    unknown = [m for m in columns if m not in CATALOGUE and not (m.startswith(FIELD_PREFIX) and
                                                              m.removeprefix(FIELD_PREFIX).strip())]
    if unknown:
        choices = ", ".join(CATALOGUE)
        err_console.print(f"[red]error:[/red] --metric: unknown {', '.join(unknown)}; choose from {choices}, "
                          f"or field:NAME for a custom declared field.")
        raise typer.Exit(2)
    if fields and (by not in FIELD_DIMENSIONS or channel or segment):
        err_console.print(f"[red]error:[/red] --metric field:…: custom fields are summed per step and day; use "
                          f"--by {', '.join(FIELD_DIMENSIONS)} without --channel or --segment.")
        raise typer.Exit(2)
    if fields:
        declared = set(field_names())
        missing = [f for f in fields if f not in declared]
        if missing:
            known = ", ".join(sorted(declared)) or "none yet"
            err_console.print(f"[red]error:[/red] --metric: no feedback declares {', '.join(missing)} "
                              f"(declared fields: {known}).")
            raise typer.Exit(2)
    columns = [FIELD_PREFIX + m.removeprefix(FIELD_PREFIX).strip() if m.startswith(FIELD_PREFIX) else m
               for m in columns]

    def find(model, value, option, *fields):
        if value is None:
            return None
        pk = parse_id(value)
        condition = Q(pk=pk) if pk is not None else Q()
        for name in fields:
            condition |= Q(**{f"{name}__iexact": str(value)})
        found = model.objects.filter(condition).first()
        if found is None:
            err_console.print(f"[red]error:[/red] {option}: no {model._meta.verbose_name} “{value}”.")
            raise typer.Exit(2)
        return found

    payload = metrics_payload(
        by=by, journey=find(Journey, journey, "--journey", "slug", "name"), step=find(Step, step, "--step"),
        team=find(Team, team, "--team", "slug", "name"), channel=channel, segment=segment,
        start=first, end=last, min_n=min_n, fields=fields,
    )
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
        return
    from rich.table import Table

    period = f"{payload['from']} – {payload['to']}"
    through = payload["data_through"] or "no feedback yet"
    table = Table(title=f"CX metrics by {by} · {period} · data through {through} · min n {min_n} · 95% intervals",
                  title_justify="left")
    table.add_column(by.capitalize())
    table.add_column("n", justify="right")
    for name in columns:
        table.add_column(CATALOGUE[name].label if name in CATALOGUE else f"{name.removeprefix(FIELD_PREFIX)} (mean)",
                         justify="right")
    for row in payload["rows"]:
        table.add_row(str(row["label"]), str(row["n"]), *(_cell(row["metrics"][name], name) for name in columns))
    if not payload["rows"]:
        console.print("No feedback matches.")
        return
    console.print(table)


# ---------------------------------------------------------------- cxkeeper impact


def impact(
    steps: Annotated[str, typer.Option("--steps", help="Changed steps: “Journey/Step, Journey/Step” (or step ids).")],
    metric: Annotated[str, typer.Option("--metric", help="NPS, CSAT, CES, % easy, sentiment, negative_share, "
                                        "complaint_share, churn_rate, retention_rate, volume, complaint_count, "
                                        "negative_count or mentions.")],
    since: Annotated[str, typer.Option("--since", help="The date of the change, YYYY-MM-DD.")],
    topic: Annotated[str, typer.Option("--topic", help="Words counted by --metric mentions.")] = "",
    grain: Annotated[str, typer.Option("--grain", help="week or day.")] = "week",
    channel: Annotated[str, typer.Option("--channel", help="Only feedback from this channel.")] = "",
    segment: Annotated[str, typer.Option("--segment", help="Only feedback from this segment.")] = "",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Last day of data to use (default: data through).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: verdict, sentence and details.")] = False,
    data_dir: DataDir = None,
    organization: Annotated[bool, typer.Option(
        "--organization", help="Measure the whole organization (no comparison steps; placebo dates instead). "
                               "Give --steps \"\" or leave them out.")] = False,
):
    """Did a change at these steps on this date move this metric? Win, no credible change, worse or too early."""
    change_date, last = _date(since, "--since"), _date(as_of, "--as-of")
    setup_django(data_dir)
    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.insights.impact import measure_impact, steps_named

    try:
        named = steps_named(steps) if steps else []
        scope = {"scope": "organization"} if organization else {}
        result = measure_impact(named, metric, change_date, as_of=last, topic=topic, grain=grain,
                                channel=channel, segment=segment, **scope)
    except InvalidInput as error:
        for name, messages in error.errors.items():
            option = "organization" if name == "scope" else name.replace("_", "-")
            err_console.print(f"[red]error:[/red] --{option}: {' '.join(messages)}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    from rich.markup import escape

    d = result.details
    console.print(f"[bold]{escape(result.verdict_label)}[/bold] · {escape(result.sentence)}")
    console.print(f"[dim]{escape(d['method'])}; {result.grain}ly periods, {d['periods_before']} before and "
                  f"{d['periods_after']} after; n {d['n_before']} before, {d['n_after']} after; minimum effect "
                  f"{d['min_effect']:g}; data through {result.as_of}.[/dim]")
    for name in ("effect", "level_change", "slope_change_per_period"):
        e = d[name]
        if e:
            console.print(f"[dim]  {name.replace('_', ' ')}: {e['value']:+.3g} [{e['low']:+.3g}, {e['high']:+.3g}] "
                          f"p={e['p']:.3g} ({d['effect_unit']})[/dim]")
    if d["comparison_steps"]:
        console.print("[dim]Comparison steps:[/dim]")
        for c in d["comparison_steps"]:
            console.print(f"[dim]  {escape(c['journey'])}/{escape(c['step'])}: {escape(c['set_aside'] or c['reason'])}"
                          "[/dim]")
