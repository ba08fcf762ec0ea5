"""`cxkeeper webhooks list|deliveries|replay`: the same log as the pages, addresses and secrets
masked; a replay sends the message again; unknown names and ids are refused saying what exists."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkeeper.channels import actions
from cxkeeper.channels.models import Delivery
from cxkeeper.cli import app
from cxkeeper.core.events import Event

runner = CliRunner()


@pytest.mark.django_db(transaction=True)
def test_list_deliveries_and_replay(org, receiver, happen, kinds):
    hook, secret = actions.create_webhook({"name": "Service desk", "url": receiver.url("/desk/abcdefgh")},
                                          acting_user=org.admin)
    receiver.answer("/desk/abcdefgh", 500, 200)
    happen(Event(kind=kinds.step_changed, message="IT changed a step."))

    listed = runner.invoke(app, ["webhooks", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert row["name"] == "Service desk" and row["url"].endswith("/…efgh") and row["active"] is True
    assert secret not in listed.output and "abcdefgh" not in listed.output
    table = runner.invoke(app, ["webhooks", "list"])
    assert "Service desk" in table.output and "every kind of event" in table.output

    log = runner.invoke(app, ["webhooks", "deliveries", "Service desk", "--json"])
    assert log.exit_code == 0, log.output
    [sent] = json.loads(log.output)
    assert sent["status"] == "delivered" and [a["status_code"] for a in sent["attempts"]] == [500, 200]
    assert "delivered" in runner.invoke(app, ["webhooks", "deliveries", str(hook.pk)]).output

    replayed = runner.invoke(app, ["webhooks", "replay", str(sent["id"])])
    assert replayed.exit_code == 0, replayed.output
    assert "Replayed as delivery" in replayed.output and "delivered" in replayed.output
    assert Delivery.objects.filter(replay_of_id=sent["id"]).count() == 1
    assert len(receiver.at("/desk/abcdefgh")) == 3

    unknown = runner.invoke(app, ["webhooks", "deliveries", "Nobody"])
    assert unknown.exit_code == 2 and "Service desk" in unknown.output
    missing = runner.invoke(app, ["webhooks", "replay", "999999"])
    assert missing.exit_code == 2 and "no webhook delivery" in missing.output
