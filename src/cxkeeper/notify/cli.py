"""`cxkeeper digest …`: the weekly digests of the teams, for cron and for looking at them.

- `digest send [--team SLUG] [--dry-run]`: send this week's digest of every team (or one) to
  each member who has it on; a digest already sent this week is not sent again, an empty one
  never. `--dry-run` prints who would get which, and sends nothing.
- `digest preview --team SLUG [--html]`: the digest as its members would read it now (plain text,
  or the HTML part).

Trusted like the other commands (it runs with the data folder's rights).
"""

from __future__ import annotations

from typing import Annotated

import typer

from cxkeeper.core.cli import DataDir, console, err_console, setup_django

digest_app = typer.Typer(help="The weekly digests of the teams: send them (for cron) or preview one.",
                         no_args_is_help=True)

TeamSlug = Annotated[str, typer.Option("--team", help="The team's slug (as in its page's address) or name.")]


def _team(slug: str):
    from cxkeeper.org.models import Team
    from cxkeeper.outcomes import queries as outcome_queries

    try:
        return outcome_queries.team_named(slug)
    except Team.DoesNotExist as exc:  # its message names the teams there are
        err_console.print(str(exc), markup=False)
        raise typer.Exit(2) from None


@digest_app.command("send")
def send(team: Annotated[str, typer.Option("--team", help="Only this team (slug or name).")] = "",
         dry_run: Annotated[bool, typer.Option("--dry-run", help="Print who would get which digest; send nothing.")]
         = False,
         data_dir: DataDir = None):
    """Send this week's digests (each at most once per team, week and person)."""
    setup_django(data_dir)
    from cxkeeper.jobs import run_pending
    from cxkeeper.notify import mail, tasks

    chosen = _team(team) if team else None
    if not mail.configured() and not dry_run:
        err_console.print("E-mail is not set up: set CXKEEPER_EMAIL_HOST (see docs/deployment.md). Nothing was sent.")
        raise typer.Exit(1)
    if dry_run:
        if not mail.configured():
            console.print("E-mail is not set up (CXKEEPER_EMAIL_HOST): a real run would send nothing.", markup=False)
        for planned in tasks.plan(team=chosen):
            name = planned.team or "People in no team (their own digest lines)"
            if planned.empty and planned.team:
                console.print(f"{name}: nothing to tell this week, no digest.", markup=False)
                continue
            to = ", ".join(planned.recipients) or "nobody"
            already = f" (sent already: {', '.join(planned.already)})" if planned.already else ""
            console.print(f"{name}: would go to {to}{already}.", markup=False)
        return
    count = tasks.send_digests(team=chosen)
    run_pending()
    console.print(f"{count} digest{'s' if count != 1 else ''} sent." if count else
                  "No digest to send (empty, or sent already this week).", markup=False)


@digest_app.command("preview")
def preview(team: TeamSlug, html: Annotated[bool, typer.Option("--html", help="Print the HTML part.")] = False,
            data_dir: DataDir = None):
    """The digest of a team as its members would read it if it were sent now."""
    setup_django(data_dir, reads_only=True)
    from django.template.loader import render_to_string

    from cxkeeper.notify import digest, mail

    built = digest.team_digest(_team(team))
    if built.is_empty:
        console.print(f"Nothing to tell {built.team.name} this week: no digest would be sent.", markup=False)
        return
    context = {"digest": built, "reader": None, "unsubscribe_url": "(each reader's own link)",
               "preferences_url": mail.absolute("/notifications/preferences/"),
               "team_url": mail.absolute(f"/teams/{built.team.slug}/")}
    typer.echo(render_to_string("notify/email/digest.html" if html else "notify/email/digest.txt", context))
