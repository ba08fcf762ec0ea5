"""`cxkeeper webhooks list|deliveries|replay`: the outgoing webhooks, a webhook's delivery log
and sending a delivery again. Trusted like the other commands (it runs with the data folder's
rights): it acts as SYSTEM. Secrets and addresses are shown masked, as on the pages."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxkeeper.core.cli import DataDir, console, err_console, setup_django

webhooks_app = typer.Typer(help="Outgoing webhooks: list them, read a delivery log, replay a delivery.",
                           no_args_is_help=True)
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(message: str, code: int = 2):
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _print_json(data) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _webhook_named(name: str):
    from cxkeeper.channels.models import Webhook

    value = name.strip()
    found = Webhook.objects.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or Webhook.objects.filter(name__iexact=value).first()
    if found is None:
        known = ", ".join(Webhook.objects.values_list("name", flat=True)) or "none yet"
        _fail(f"WEBHOOK: no webhook “{name}” (by id or name). Webhooks: {known}.")
    return found


@webhooks_app.command("list")
def webhooks_list(as_json: AsJson = False, data_dir: DataDir = None):
    """Every outgoing webhook: where it sends (masked), which kinds of event, on or off."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.channels.models import Webhook

    rows = [{"id": w.pk, "name": w.name, "url": w.masked_url, "kinds": w.kinds_text, "event_kinds": w.event_kinds,
             "active": w.active, "failures_in_a_row": w.consecutive_failures, "why_off": w.disabled_reason}
            for w in Webhook.objects.all()]
    if as_json:
        _print_json(rows)
        return
    if not rows:
        console.print("No webhook yet. Admins add them under Integrations.")
        return
    table = Table("Id", "Name", "Address", "Kinds of event", "Status")
    for r in rows:
        status = "on" if r["active"] else f"off: {r['why_off']}"
        table.add_row(str(r["id"]), escape(r["name"]), escape(r["url"]), escape(r["kinds"]), escape(status))
    console.print(table)


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    webhook: Annotated[str, typer.Argument(help="The webhook's id or name.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many, newest first.")] = 20,
    as_json: AsJson = False, data_dir: DataDir = None,
):
    """A webhook's delivery log: each message, its status and every attempt's answer."""
    setup_django(data_dir, reads_only=True)
    from cxkeeper.channels import queries

    found = _webhook_named(webhook)
    rows = []
    for d in queries.deliveries_of(found)[:limit]:
        attempts = [{"number": a.number, "at": a.at, "status_code": a.status_code, "response_ms": a.response_ms,
                     "error": a.error, "response_excerpt": a.response_excerpt} for a in d.attempt_log.all()]
        rows.append({"id": d.pk, "created_at": d.created_at, "message_id": d.message_id, "summary": d.summary,
                     "status": d.status, "attempts": attempts, "replay_of": d.replay_of_id,
                     "next_attempt_at": d.next_attempt_at})
    if as_json:
        _print_json(rows)
        return
    if not rows:
        console.print(f"Nothing sent to “{escape(found.name)}” yet.")
        return
    table = Table("Id", "When", "What", "Status", "Attempts", "Last answer")
    for r in rows:
        last = r["attempts"][-1] if r["attempts"] else None
        answer = "" if last is None else f"{last['status_code'] or ''} {last['error']}".strip()
        table.add_row(str(r["id"]), f"{r['created_at']:%Y-%m-%d %H:%M:%S}", escape(r["summary"][:80]),
                      r["status"] + (" (replay)" if r["replay_of"] else ""), str(len(r["attempts"])), escape(answer))
    console.print(table)


@webhooks_app.command("replay")
def webhooks_replay(
    delivery: Annotated[int, typer.Argument(help="The delivery's id (see `cxkeeper webhooks deliveries`).")],
    data_dir: DataDir = None,
):
    """Send a delivery again: the same message (same webhook-id and body), freshly signed."""
    setup_django(data_dir)
    from cxkeeper.channels import actions
    from cxkeeper.channels import delivery as engine
    from cxkeeper.channels.models import Delivery
    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.core.errors import InvalidInput

    found = Delivery.objects.select_related("webhook").filter(pk=delivery, webhook__isnull=False).first()
    if found is None:
        _fail(f"DELIVERY: no webhook delivery with id {delivery}.")
    try:
        again = actions.replay_delivery(found, acting_user=SYSTEM)
    except InvalidInput as exc:
        _fail(str(exc))
    # A person at the command line waits for the answer: the first attempt is made here (the
    # queued job then finds it logged and does nothing; a failure is retried by the worker).
    engine.attempt_delivery(again.pk, again.attempts + 1)
    again.refresh_from_db()
    console.print(f"Replayed as delivery {again.pk}: {again.get_status_display()}.")
