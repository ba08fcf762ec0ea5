"""`cxkeeper council agenda|decisions` and `cxkeeper actions [remind]`: the same data as the
pages, as tables or JSON; bad names are refused with the choices."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import Notification
from cxkeeper.governance import actions
from cxkeeper.testing.governance_builders import build_council

runner = CliRunner()


@pytest.fixture
def w(small_org):
    w = build_council(small_org)
    w.late = actions.raise_action_item(w.council, {"title": "Late sales item", "owner_team": w.sales,
                                                   "owner": w.sales_member,
                                                   "due": dt.date.today() - dt.timedelta(days=3)}, acting_user=SYSTEM)
    return w


def run(*args):
    result = runner.invoke(app, list(args))
    return result


@pytest.mark.django_db(transaction=True)
def test_the_agenda_the_data_proposes_as_json(w):
    result = run("council", "agenda", "--council", "CX council", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agenda"] == "proposed" and data["since"] == w.past.day.isoformat()
    assert [(i["kind"], i["title"]) for i in data["items"]] == [
        ("overdue_action", "Overdue by 3 days: Late sales item (Sales)")]


@pytest.mark.django_db(transaction=True)
def test_the_next_meetings_stored_agenda(w):
    actions.add_agenda_item(w.upcoming, {"title": "Welcome Legal", "time_box_minutes": 5}, acting_user=SYSTEM)
    result = run("council", "agenda", "--next", "--json")
    data = json.loads(result.output)
    assert data["agenda"] == "stored" and [i["title"] for i in data["items"]] == ["Welcome Legal"]
    table = run("council", "agenda", "--next")
    assert table.exit_code == 0 and "Welcome Legal" in table.output


@pytest.mark.django_db(transaction=True)
def test_an_unknown_council_is_refused_with_the_choices(w):
    result = run("council", "agenda", "--council", "Board")
    assert result.exit_code == 2 and "No council named “Board”. Councils: CX council." in result.output


@pytest.mark.django_db(transaction=True)
def test_the_decision_log_searched(w):
    result = run("council", "decisions", "--search", "reset", "--json")
    assert [d["statement"] for d in json.loads(result.output)] == [w.decision.statement]
    assert json.loads(run("council", "decisions", "--search", "pricing", "--json").output) == []


@pytest.mark.django_db(transaction=True)
def test_the_action_board_by_team_and_overdue(w):
    data = json.loads(run("actions", "--overdue", "--json").output)
    assert [(a["title"], a["team"], a["overdue"]) for a in data] == [("Late sales item", "Sales", True)]
    it = json.loads(run("actions", "--team", "IT", "--json").output)
    assert [a["title"] for a in it] == [w.it_action.title]
    bad = run("actions", "--team", "Nobody")
    assert bad.exit_code == 2 and "No team named “Nobody”" in bad.output
    table = run("actions")
    assert table.exit_code == 0 and "1 overdue." in table.output


@pytest.mark.django_db(transaction=True)
def test_remind_notifies_the_owners_of_overdue_items_once_a_day(w):
    result = run("actions", "remind")
    assert result.exit_code == 0 and "Reminded 1 overdue action item." in result.output
    assert Notification.objects.filter(recipient=w.sales_member, message__startswith="Overdue by 3 days").count() == 1
    assert "Reminded 0 overdue action items." in run("actions", "remind").output
    assert run("actions", "remind", "--as-of", "soon").exit_code == 2
