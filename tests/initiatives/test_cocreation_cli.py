"""`cxkeeper perspectives remind` and `cxkeeper perspectives pending [--json]`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.models import Notification
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import AffectedTeam
from cxkeeper.testing.cocreation import add_cocreation

runner = CliRunner()


@pytest.mark.django_db(transaction=True)
def test_remind_reaches_the_teams_not_heard_after_the_configured_days(small_org):
    o = add_cocreation(small_org)
    actions.give_perspective(o.fp, o.it, {"stance": "support"}, acting_user=o.it_member)
    result = runner.invoke(app, ["perspectives", "pending", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(r["team"] for r in json.loads(result.output)) == ["Customer service", "Sales"]
    result = runner.invoke(app, ["perspectives", "remind"])
    assert result.exit_code == 0 and "0 teams reminded (teams not heard after 7 days)" in result.output
    AffectedTeam.objects.update(asked_at=timezone.now() - dt.timedelta(days=8))  # a week has passed
    result = runner.invoke(app, ["perspectives", "remind"])
    assert result.exit_code == 0 and "2 teams reminded" in result.output, result.output
    assert set(Notification.objects.filter(message__startswith="Reminder").values_list(
        "recipient__username", flat=True)) == {"sven", "sara"}
