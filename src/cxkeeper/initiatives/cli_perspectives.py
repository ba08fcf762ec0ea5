"""`cxkeeper perspectives remind` (what a scheduler — cron, a systemd timer — runs once a day)
and `cxkeeper perspectives pending [--json]`: affected teams of open friction points and
planned changes not live yet that have not given their perspective.

A team is reminded once it has waited the workspace's "remind teams after (days)" since it was
asked or last reminded; every member of it gets an in-app notice, and the reminder is recorded
in history. The CLI is trusted like the other commands (acting_user=SYSTEM)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, setup_django

perspectives_app = typer.Typer(help="Perspectives of affected teams: who has not answered, and reminders.",
                               no_args_is_help=True)


@perspectives_app.command("remind")
def remind(data_dir: DataDir = None):
    """Remind every affected team that has not answered after the configured number of days."""
    setup_django(data_dir)
    from cxkeeper.initiatives import actions
    from cxkeeper.org.models import Workspace

    n = actions.remind_pending(acting_user=SYSTEM)
    days = Workspace.current().perspective_reminder_days
    console.print(f"{n:,} {'team' if n == 1 else 'teams'} reminded (teams not heard after {days} days).")


@perspectives_app.command("pending")
def pending(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
            data_dir: DataDir = None):
    """List the affected teams not heard from yet, per friction point and planned change."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.initiatives import queries
    from cxkeeper.initiatives.choices import FrictionStatus, PlannedStatus

    rows = []
    subjects = [*queries.friction_points(status=FrictionStatus.OPEN),
                *queries.planned_changes(status=PlannedStatus.PLANNED)]
    for subject in subjects:
        for row in queries.not_heard(subject):
            rows.append({"kind": "planned change" if row.planned_change_id else "friction point",
                         "id": subject.pk, "title": subject.title, "team": row.team.name,
                         "asked_at": row.asked_at.isoformat() if row.asked_at else None,
                         "reminded_at": row.reminded_at.isoformat() if row.reminded_at else None})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("Every affected team has been heard.")
    for r in rows:
        console.print(f"{r['kind']} {r['id']} “{r['title']}”: {r['team']} (asked {(r['asked_at'] or '—')[:10]})",
                      markup=False)
