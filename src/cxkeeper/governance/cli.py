"""`cxkeeper council …` and `cxkeeper actions …`.

- `council agenda [--council NAME] [--next] [--json]`: what the data proposes for the agenda
  since the council's last meeting (today), or with `--next` the next meeting's stored agenda
  (the proposal for it while none is stored);
- `council decisions [--council NAME] [--search WORDS] [--json]`: the decision log;
- `actions [--team NAME] [--council NAME] [--overdue] [--json]`: the action board;
- `actions remind [--as-of DAY]`: notify the owners of overdue items (once a day per item) —
  what a scheduler (cron, a systemd timer) calls.

Trusted like the other commands (it runs with the data folder's rights): it acts as SYSTEM.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, err_console, setup_django

council_app = typer.Typer(help="The CX council: the agenda the data proposes, the decision log.",
                          no_args_is_help=True)
actions_app = typer.Typer(help="Action items owned by teams: the board, overdue items, reminders.",
                          invoke_without_command=True)

CouncilName = Annotated[str | None, typer.Option("--council", help="Council name or slug (default: the first).",
                                                 show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(message: str, code: int = 2):
    err_console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def _council(name: str | None):
    from cxkeeper.governance import queries
    from cxkeeper.governance.models import Council

    try:
        return queries.council_named(name)
    except Council.DoesNotExist as exc:
        _fail(f"--council: {exc}")


def _print_json(data) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@council_app.command("agenda")
def council_agenda(council: CouncilName = None,
                   next_meeting: Annotated[bool, typer.Option("--next", help="The next meeting's agenda.")] = False,
                   as_json: AsJson = False, data_dir: DataDir = None):
    """The agenda: each item with why it is there, its evidence link, the teams and a time box."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.governance import agenda, queries

    found = _council(council)
    meeting, stored = None, []
    if next_meeting:
        meeting = queries.next_meeting(found)
        if meeting is None:
            _fail(f"“{found.name}” has no meeting planned; schedule one on its page.", 1)
        stored = list(queries.agenda_of(meeting))
    if stored:
        since, end = queries.period_of(meeting)
        items = [{"kind": i.kind, "kind_label": agenda.KIND_LABELS.get(i.kind, i.kind), "title": i.title,
                  "evidence_url": i.evidence_url, "teams": [t.name for t in i.teams.all()],
                  "time_box_minutes": i.time_box_minutes, "detail": i.detail,
                  "statistics": i.statistics} for i in stored]
        source = "stored"
    else:
        if meeting is not None:
            since, end = queries.period_of(meeting)
            proposal = agenda.propose_for_meeting(meeting)
            end = min(end, queries.today())
        else:
            end = queries.today()
            last = queries.last_meeting_before(found, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(),
                                                                          tzinfo=dt.UTC))
            since = last.day if last is not None else end - dt.timedelta(days=found.cadence_days)
            proposal = agenda.propose(found, since=since, as_of=end)
        items = [{**p.as_dict(), "kind_label": agenda.KIND_LABELS.get(p.kind, p.kind)} for p in proposal]
        source = "proposed"
    result = {"council": found.name, "meeting": meeting.starts_at.isoformat() if meeting else None,
              "since": since.isoformat(), "as_of": end.isoformat(), "agenda": source, "items": items}
    if as_json:
        _print_json(result)
        return
    when = f" for the meeting of {meeting.starts_at:%d %b %Y %H:%M} UTC" if meeting else ""
    console.print(f"[bold]{found.name}[/bold]: {source} agenda{when}, from {since:%d %b %Y} to {end:%d %b %Y}")
    table = Table("#", "Item", "Why", "Teams", "Min", "Evidence")
    for n, item in enumerate(items, start=1):
        table.add_row(str(n), item["title"], item["kind_label"], ", ".join(item["teams"]) or "all",
                      str(item["time_box_minutes"]), item["evidence_url"])
    console.print(table if items else "Nothing on the agenda: no item's condition holds in the data.")


@council_app.command("decisions")
def council_decisions(council: CouncilName = None,
                      search: Annotated[str, typer.Option("--search", help="Words in a statement, option or "
                                                                           "rationale.")] = "",
                      as_json: AsJson = False, data_dir: DataDir = None):
    """The decision log, newest first (escalations waiting for the sponsor included)."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.governance import queries

    found = _council(council) if council else None
    rows = list(queries.decisions(council=found, q=search.strip()))
    data = [{"id": d.pk, "council": d.council.name, "statement": d.statement, "options": d.options,
             "status": d.status, "decided_by": d.decided_by, "rationale": d.rationale,
             "decided_on": d.decided_on.isoformat() if d.decided_on else None,
             "review_on": d.review_on.isoformat() if d.review_on else None} for d in rows]
    if as_json:
        _print_json(data)
        return
    table = Table("Decided", "Council", "Decision", "By", "Review")
    for d in rows:
        table.add_row(f"{d.decided_on:%d %b %Y}" if d.decided_on else "—", d.council.name, d.statement,
                      d.get_decided_by_display() if d.decided_by else d.get_status_display(),
                      f"{d.review_on:%d %b %Y}" if d.review_on else "—")
    console.print(table if rows else "No decision recorded.")


@actions_app.callback()
def actions_board(ctx: typer.Context,
                  team: Annotated[str | None, typer.Option("--team", help="Owner team name or slug.",
                                                           show_default=False)] = None,
                  council: CouncilName = None,
                  overdue: Annotated[bool, typer.Option("--overdue", help="Only open items past due.")] = False,
                  as_json: AsJson = False, data_dir: DataDir = None):
    """The action board: every team's action items (or one team's), overdue ones flagged."""
    if ctx.invoked_subcommand is not None:
        return
    setup_django(data_dir, reads_only=True)
    from cxkeeper.governance import queries
    from cxkeeper.org.models import Team

    owner = None
    if team:
        try:
            owner = queries.team_by_name(team)
        except Team.DoesNotExist as exc:
            _fail(f"--team: {exc}")
    found = _council(council) if council else None
    today = queries.today()
    rows = list(queries.action_items(team=owner, council=found, overdue=overdue))
    data = [{"id": a.pk, "title": a.title, "team": a.owner_team.name,
             "owner": a.owner.get_username() if a.owner else None, "due": a.due.isoformat() if a.due else None,
             "status": a.status, "overdue": a.is_overdue(today), "council": a.council.name,
             "decision": a.decision.statement if a.decision else None} for a in rows]
    if as_json:
        _print_json(data)
        return
    table = Table("Due", "Team", "Action", "Owner", "Status")
    for a in rows:
        late = a.is_overdue(today)
        table.add_row(f"{a.due:%d %b %Y}" if a.due else "—", a.owner_team.name, a.title,
                      a.owner.get_username() if a.owner else "—",
                      f"[red]{a.get_status_display()}, overdue[/red]" if late else a.get_status_display())
    console.print(table if rows else "No action item.")
    n = sum(1 for d in data if d["overdue"])
    if n:
        console.print(f"{n} overdue.")


@actions_app.command("remind")
def actions_remind(as_of: Annotated[str | None, typer.Option("--as-of", help="The day, YYYY-MM-DD (default "
                                                                             "today).", show_default=False)] = None,
                   data_dir: DataDir = None):
    """Notify the owner (or the owner team) of each overdue action item, once a day per item."""
    day = None
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of: “{as_of}” is not a date (YYYY-MM-DD).")
    setup_django(data_dir)
    from cxkeeper.governance import actions

    reminded = actions.remind_overdue(as_of=day, acting_user=SYSTEM)
    console.print(f"Reminded {len(reminded)} overdue action item{'s' if len(reminded) != 1 else ''}.")
    for item in reminded:
        console.print(f"  {item.owner_team.name}: {item.title} (due {item.due:%d %b %Y})")
