"""`cxkeeper route audit`, `cxkeeper route reroute` and `cxkeeper route quality` (registered on
cli_ingest.route_app)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.cli import DataDir, console, err_console, setup_django
from cxkeeper.insights.cli_ingest import route_app

AUDIT_LINES = (
    ("accuracy", "n_right", "n_on_topic", "accuracy: on-topic messages placed at their true step"),
    ("precision", "n_right", "n_routed", "precision: placed messages that are at their true step"),
    ("unrouted_rate", "n_unrouted", "n_on_topic", "unrouted: on-topic messages at no step"),
    ("off_topic_unrouted", "n_off_topic_unrouted", "n_off_topic", "off-topic handling: off-topic messages "
                                                                   "left at no step"),
)


@route_app.command("audit")
def route_audit(
    truth: Annotated[Path, typer.Option("--truth", help="CSV or JSONL: external_id and true_step (a step's name "
                                                       "or id; blank, none or off-topic for no step).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    data_dir: DataDir = None,
):
    """How stored feedback is routed, against the true steps: accuracy, precision of what is
    routed, unrouted rate and off-topic handling, each with its n."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.core.errors import InvalidInput
    from cxkeeper.insights.routing_audit import audit, read_truth

    try:
        figures = audit(read_truth(truth))
    except (InvalidInput, OSError, UnicodeDecodeError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        console.print_json(json.dumps(figures))
        return
    table = Table(title="Routing against the true steps")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("of", justify="right")
    for key, part, whole, label in AUDIT_LINES:
        value = figures[key]
        table.add_row(label, "–" if value is None else f"{value:.1%}", f"{figures[part]:,} of {figures[whole]:,}")
    console.print(table)
    if figures["n_not_found"] or figures["n_ambiguous"]:
        console.print(f"{figures['n_not_found']:,} of {figures['n_truth_rows']:,} truth rows are not in the stored "
                      f"feedback; {figures['n_ambiguous']:,} match several sources (add a “source” column).")


@route_app.command("reroute")
def route_reroute(data_dir: DataDir = None):
    """Route the stored feedback again with the current router (people's and rules' placements stay)."""
    setup_django(data_dir)
    from cxkeeper.insights.actions import reroute_feedback

    counts = reroute_feedback(acting_user=SYSTEM)
    console.print(f"{counts['considered']:,} messages routed again: {counts['changed']:,} moved; "
                  f"{counts['routed_before']:,} were at a step, {counts['routed_after']:,} are now.")


@route_app.command("quality")
def route_quality(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON (as GET /review/routing-quality).")]
    = False,
    data_dir: DataDir = None,
):
    """The routing quality page's figures: the router's measured accuracy, the routed, unrouted
    and off-topic shares of stored feedback, and what the router learnt from."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.core.numbers import count, percent
    from cxkeeper.insights.queries import routing_quality

    quality = routing_quality()
    data = quality.as_data()
    if as_json:
        from django.core.serializers.json import DjangoJSONEncoder

        console.print_json(json.dumps(data, cls=DjangoJSONEncoder))  # dates written as the API writes them
        return
    stored, off_topic, accuracy = data["stored"], data["off_topic"], data["accuracy"]
    table = Table(title="Routing quality")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("of", justify="right")
    # the page's digits: one decimal for every share (core.numbers, as its `percent` filter)
    table.add_row("cross-validated accuracy on the router's examples",
                  percent(None if accuracy is None else accuracy["percent"], 1),
                  "not measured yet" if accuracy is None else f"{count(accuracy['n_examples'])} examples")
    for label, key, part in (("routed share of stored feedback", "routed_share", "routed"),
                             ("unrouted share of stored feedback", "unrouted_share", "unrouted")):
        table.add_row(label, percent(stored[key], 1), f"{count(stored[part])} of {count(stored['total'])}")
    table.add_row("off-topic share", percent(off_topic["share"], 1),
                  f"{count(off_topic['n'])} of {count(off_topic['of'])}")
    console.print(table)
    if quality.self_training_sentence:
        console.print(quality.self_training_sentence)
