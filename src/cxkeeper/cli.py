"""The `cxkeeper` command line. Every command accepts `--data-dir` (or CXKEEPER_DATA_DIR).

Django is configured lazily, after the data folder is known, so `--data-dir` decides where
the embedded store and the generated secret key live.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cxkeeper import __version__
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, err_console, setup_django
from cxkeeper.datadir import private_files

app = typer.Typer(
    help="cxkeeper: run customer experience as a team sport.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Port = Annotated[int, typer.Option("--port", help="Port to serve on.")]
Host = Annotated[str, typer.Option("--host", help="Address to bind; keep 127.0.0.1 behind a proxy.")]
Workers = Annotated[int | None, typer.Option(
    "--workers", envvar="CXKEEPER_WEB_WORKERS", min=1, show_default=False,
    help="Worker processes (default: one per core plus one, 2 to 8). 1 = a single process (waitress).")]
Threads = Annotated[int | None, typer.Option(
    "--threads", envvar="CXKEEPER_WEB_THREADS", min=1, show_default=False,
    help="Threads per worker process (default 4; 8 with a single process).")]
NoWorker = Annotated[bool, typer.Option(
    "--no-worker", help="Do not start the background job worker beside the web server "
                        "(run `cxkeeper worker` yourself; also CXKEEPER_WORKER=off).")]


def _version(value: bool):
    if value:
        console.print(f"cxkeeper {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    data_dir: DataDir = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    if data_dir is not None:
        os.environ["CXKEEPER_DATA_DIR"] = str(data_dir)
    private_files()


@app.command()
def init(data_dir: DataDir = None):
    """Create the data folder, its secret key and the database schema."""
    setup_django(data_dir)
    from django.conf import settings

    console.print(f"[green]Ready.[/green] Data folder: {settings.DATA_DIR}")
    console.print(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} "
                  f"{settings.DATABASES['default']['NAME']}")


@app.command()
def createuser(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, keeper, member or viewer.")] = "viewer",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    full_name: Annotated[str, typer.Option("--name", help="Full name.")] = "",
    team: Annotated[list[str] | None, typer.Option("--team", help="Team name or slug (repeatable).")] = None,
    password: Annotated[str | None, typer.Option(
        help="Password; prompted when omitted (never put real passwords in shell history).")] = None,
    data_dir: DataDir = None,
):
    """Add a person with a role and teams."""
    setup_django(data_dir)
    from django.db.models import Q

    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.org.actions import create_person
    from cxkeeper.org.models import Team

    teams = []
    for name in team or []:
        found = Team.objects.filter(Q(name=name) | Q(slug=name)).first()
        if found is None:
            err_console.print(f"[red]error:[/red] --team: no team named “{name}”.")
            raise typer.Exit(2)
        teams.append(found)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        person = create_person(username=username, password=password, role=role, email=email,
                               full_name=full_name, teams=teams, acting_user=SYSTEM)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            err_console.print(f"[red]error:[/red] {field}: {' '.join(messages)}")
        raise typer.Exit(2) from None
    console.print(f"[green]Created[/green] {person} as {person.get_role_display().lower()}.")


@app.command()
def setpassword(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    password: Annotated[str | None, typer.Option(
        help="The new password; prompted when omitted (never put real passwords in shell history).")] = None,
    data_dir: DataDir = None,
):
    """Set a person's password — e.g. for people a workspace file created, who cannot sign in yet."""
    setup_django(data_dir)
    from django.contrib.auth import get_user_model

    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.org.actions import set_password

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        err_console.print(f"[red]error:[/red] there is nobody called “{username}”.")
        raise typer.Exit(2)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(user, password, acting_user=SYSTEM)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            err_console.print(f"[red]error:[/red] {field}: {' '.join(messages)}")
        raise typer.Exit(2) from None
    console.print(f"[green]Password set[/green] for {username}; they can sign in now.")


@app.command("signin-link")
def signin_link(
    username: Annotated[str, typer.Argument(help="The administrator's sign-in name.")],
    base_url: Annotated[str, typer.Option("--base-url", envvar="CXKEEPER_BASE_URL",
                                          help="Where people reach cxkeeper, e.g. https://cx.example.com.")]
    = "http://127.0.0.1:8000",
    data_dir: DataDir = None,
):
    """Break glass: a one-time sign-in link for an administrator (password sign-in off and the
    identity provider unreachable). Good once, for CXKEEPER_SIGNIN_LINK_MINUTES (15) minutes."""
    setup_django(data_dir)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from cxkeeper.org.sso import SsoRefused, one_time_token

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        err_console.print(f"[red]error:[/red] there is nobody called “{username}”.")
        raise typer.Exit(2)
    try:
        token = one_time_token(user)
    except SsoRefused as exc:
        err_console.print(f"[red]error:[/red] {exc.reason}")
        raise typer.Exit(2) from None
    console.print(base_url.rstrip("/") + reverse("one_time_sign_in", args=[token]), markup=False, highlight=False,
                  soft_wrap=True)
    err_console.print(f"Good once, for {settings.CXKEEPER_SIGNIN_LINK_MINUTES} minutes. Do not share it.")


def _serve(host: str, port: int, workers: int | None, threads: int | None, no_worker: bool = False) -> None:
    from cxkeeper import server

    server.serve(host, port, workers=workers, threads=threads, job_worker=not no_worker,
                 announce=lambda text: console.print(text, markup=False, highlight=False))


@app.command()
def serve(port: Port = 8000, host: Host = "127.0.0.1", workers: Workers = None, threads: Threads = None,
          no_worker: NoWorker = False, data_dir: DataDir = None):
    """Serve the web app and API with several worker processes, and the background job worker
    beside them. For a team, run it behind a TLS proxy."""
    setup_django(data_dir)
    _serve(host, port, workers, threads, no_worker)


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the sample organization, do not serve.")] = False,
    feedback_rows: Annotated[int, typer.Option(help="Generated feedback rows to load (0: none).")] = 120_000,
    port: Port = 8000,
    host: Host = "127.0.0.1",
    workers: Workers = None,
    threads: Threads = None,
    no_worker: NoWorker = False,
    data_dir: DataDir = None,
):
    """Load the sample organization (a broadband/mobile provider) and serve it."""
    setup_django(data_dir)
    from cxkeeper.sample.load import SampleNotLoaded, load_sample_organization

    try:
        credentials = load_sample_organization(console=console)
    except SampleNotLoaded as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if feedback_rows:
        import time

        from cxkeeper.sample.load_feedback import load_sample_feedback

        started = time.perf_counter()
        stored = load_sample_feedback(feedback_rows, console=console)
        if stored:
            console.print(f"Feedback: {stored:,} items from a year, imported in {time.perf_counter() - started:.0f} s "
                          "(redacted, routed to steps, rolled up)")
    from cxkeeper.sample.outcomes import load_sample_outcomes

    load_sample_outcomes(console=console)  # after the feedback: baselines and KPI months come from it
    from cxkeeper.sample.initiatives import load_sample_initiatives

    load_sample_initiatives(console=console)  # after the outcomes: the board weighs their targets
    from cxkeeper.sample.cocreation import load_sample_cocreation

    load_sample_cocreation(console=console)  # after the outcomes: the tensions read the targets
    from cxkeeper.sample.wins import load_sample_wins  # wins (issue 13): before the council draws its agenda

    load_sample_wins(console=console)
    from cxkeeper.sample.governance import load_sample_council

    load_sample_council(console=console)  # last: its next meeting's agenda is drawn from all of the above
    console.print("\n[bold]Sign in with any of these (password for all: "
                  f"[cyan]{credentials.password}[/cyan]):[/bold]")
    for username, what in credentials.users:
        console.print(f"  [cyan]{username:<10}[/cyan] {what}")
    if not no_serve:
        console.print()
        _serve(host, port, workers, threads, no_worker)


def _register_subcommands() -> None:
    from cxkeeper.channels.cli import webhooks_app  # outgoing webhooks (issue 15)
    from cxkeeper.governance.cli import actions_app, council_app  # the CX council (issue 12)
    from cxkeeper.governance.planning_cli import export_app  # planning exports (issue 15, item 7)
    from cxkeeper.initiatives.cli import initiatives, priorities
    from cxkeeper.initiatives.cli_perspectives import perspectives_app
    from cxkeeper.insights.cli import metrics_app
    from cxkeeper.insights.cli_ingest import erase_customer, friction, import_app, rollup, route_app
    from cxkeeper.insights.cli_route import route_audit  # noqa: F401 - registers `route audit|reroute`
    from cxkeeper.insights.warehouse.cli import sources_app  # warehouse (issue 16); registers `route batch`
    from cxkeeper.jobs.cli import jobs_app, worker  # background work (issue 15)
    from cxkeeper.journeys.cli import journey_app  # one journey: blueprint export, changes since (issue 14)
    from cxkeeper.notify.cli import digest_app  # e-mail digests (issue 15)
    from cxkeeper.outcomes.cli import kpi_app, outcomes_app, report_app
    from cxkeeper.sample.cli import sample_app
    from cxkeeper.wins.cli import impact, wins  # wins (issue 13): `impact` takes an optional INITIATIVE
    from cxkeeper.workspace.cli import workspace_app

    app.add_typer(workspace_app, name="workspace",
                  help="Workspace-as-code: export, apply and validate the workspace (people included) as YAML.")
    app.add_typer(workspace_app, name="journeys", help="The same as `cxkeeper workspace` (its first name).")
    app.add_typer(journey_app, name="journey",
                  help="One journey: its blueprint as SVG, PNG or PDF, and what changed since a day.")
    app.add_typer(import_app, name="import", help="Import feedback from files.")
    app.add_typer(route_app, name="route", help="Evaluate and retrain the step router.")
    app.add_typer(sample_app, name="sample", help="The sample organization's generated data.")
    app.add_typer(metrics_app, name="metrics", help="Print CX metrics from the rollups.")
    app.add_typer(report_app, name="report", help="Export scorecards and the organization view (PDF, PNG, Markdown).")
    app.add_typer(outcomes_app, name="outcomes", help="Shared outcomes: target status and tensions, explained.")
    app.add_typer(kpi_app, name="kpi", help="Team KPIs: import values from CSV.")
    app.add_typer(perspectives_app, name="perspectives",
                  help="Perspectives of affected teams: who has not answered, and reminders (for a scheduler).")
    app.add_typer(council_app, name="council", help="The CX council: the agenda the data proposes, the decision log.")
    app.add_typer(actions_app, name="actions", help="Action items owned by teams: the board, overdue, reminders.")
    app.add_typer(export_app, name="export", help="Initiatives and action items as CSV, Jira CSV or iCalendar.")
    app.add_typer(webhooks_app, name="webhooks", help="Outgoing webhooks: list, delivery log, replay.")
    app.add_typer(sources_app, name="sources", help="Feedback sources that live in a warehouse: list, sync, remove.")
    app.add_typer(jobs_app, name="jobs", help="Background work: what is queued, running, done or failed; retry.")
    app.command("worker")(worker)
    app.add_typer(digest_app, name="digest", help="The weekly digests of the teams: send them (cron) or preview one.")
    app.command("rollup")(rollup)
    app.command("friction")(friction)
    app.command("impact")(impact)
    app.command("erase-customer")(erase_customer)
    app.command("initiatives")(initiatives)
    app.command("priorities")(priorities)
    app.command("wins")(wins)  # wins (issue 13)


_register_subcommands()
