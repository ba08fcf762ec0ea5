"""`cxkeeper workspace …`: workspace-as-code from the command line. The same commands answer
to their first name, `cxkeeper journeys …` (both registered in `cxkeeper.cli`).

    cxkeeper workspace export FILE.yaml [--without-people]     write the workspace ("-": standard output)
    cxkeeper workspace apply FILE.yaml [--dry-run] [--without-people]
    cxkeeper workspace validate FILE.yaml [--without-people]   check only, change nothing
    cxkeeper workspace schema                                  print the published JSON Schema

Exit codes: 0 done, 2 the file has problems (each printed as FILE:LINE: path: message).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cxkeeper.core.cli import DataDir, console, err_console, setup_django

workspace_app = typer.Typer(no_args_is_help=True)


File = Annotated[str, typer.Argument(help="The workspace YAML file; '-' for standard input/output.",
                                     metavar="FILE.yaml")]
WithoutPeople = Annotated[bool, typer.Option(
    "--without-people", help="Leave people out: not written on export, ignored on apply and validate "
                             "(the usernames the file names must then already exist).")]
STYLES = {"+": "green", "~": "yellow", "-": "red"}


def _read(file: str) -> tuple[str, str]:
    if file == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(file)
    try:
        return path.read_bytes().decode("utf-8"), file
    except FileNotFoundError:
        err_console.print(Text(f"error: {file}: no such file"), style="red", soft_wrap=True)
    except UnicodeDecodeError as exc:
        err_console.print(Text(f"error: {file}: not UTF-8 text ({exc.reason} at byte {exc.start})"),
                          style="red", soft_wrap=True)
    raise typer.Exit(2)


def _print_errors(errors) -> None:
    for error in errors:
        err_console.print(Text(str(error)), style="red", soft_wrap=True, highlight=False)


@workspace_app.command()
def export(file: File, without_people: WithoutPeople = False,
           with_cocreation: Annotated[bool, typer.Option(
               "--with-cocreation", help="Add the co-creation section (perspectives, options, decisions, planned "
                                         "changes, initiatives) for review; apply checks it but never applies "
                                         "it.")] = False,
           data_dir: DataDir = None):
    """Write the whole workspace (settings, glossary, teams, people, personas, journeys, outcomes, councils,
    priority weights) as YAML."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.workspace.export import export_workspace

    text = export_workspace(people=not without_people, cocreation=with_cocreation)
    if file == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    Path(file).write_bytes(text.encode("utf-8"))
    err_console.print(Text(f"Wrote {file}."), soft_wrap=True, highlight=False)


@workspace_app.command()
def apply(
    file: File,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes, save nothing.")] = False,
    without_people: WithoutPeople = False,
    data_dir: DataDir = None,
):
    """Make the workspace exactly what FILE says (one transaction) and show the changes."""
    setup_django(data_dir)
    from cxkeeper.workspace.apply import apply_workspace

    text, name = _read(file)
    result = apply_workspace(text, filename=name, dry_run=dry_run, people=not without_people)
    if result.errors:
        _print_errors(result.errors)
        err_console.print(Text(result.summary()), style="bold red", soft_wrap=True)
        raise typer.Exit(2)
    for change in result.changes:
        console.print(Text(str(change), style=STYLES[change.op]), soft_wrap=True, highlight=False)
    console.print(Text(result.summary(), style="bold"), soft_wrap=True, highlight=False)


@workspace_app.command()
def validate(file: File, without_people: WithoutPeople = False, data_dir: DataDir = None):
    """Check FILE (syntax, schema, references, usernames) without changing anything."""
    setup_django(data_dir)
    from cxkeeper.workspace.document import validate_workspace

    text, name = _read(file)
    errors = validate_workspace(text, name, people=not without_people)
    if errors:
        _print_errors(errors)
        err_console.print(Text(f"{len(errors)} error{'s' if len(errors) != 1 else ''}."), style="bold red")
        raise typer.Exit(2)
    console.print(Text(f"{name} is valid."), style="green", soft_wrap=True, highlight=False)


@workspace_app.command()
def schema(data_dir: DataDir = None):
    """Print the published JSON Schema of the workspace file (draft 2020-12)."""
    from cxkeeper.workspace.schema import schema_text

    sys.stdout.write(schema_text())
    sys.stdout.flush()
