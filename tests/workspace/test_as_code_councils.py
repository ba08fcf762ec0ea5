"""Workspace-as-code, the `councils` section: each council's charter and seats — export, the
published schema, round trips, the diff, bad references with their line, and what the file
leaves alone (a file without the section; meetings, decisions and action items)."""

from __future__ import annotations

import pytest
import yaml
from jsonschema import Draft202012Validator

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions
from cxkeeper.governance.models import Council, CouncilMember, Decision
from cxkeeper.testing.governance_builders import build_council
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.schema import published_schema

from .test_as_code_errors import assert_refused
from .test_as_code_support import edited_export, fast_password_hashing, history_count, line_of  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(small_org):
    return build_council(small_org)


def councils_of(text: str) -> list[dict]:
    return yaml.safe_load(text)["councils"]


def lines(result) -> list[str]:
    return [str(change) for change in result.changes]


def test_export_carries_the_charter_and_the_seats_not_the_record(world):
    text = export_workspace()
    assert text.index("\noutcomes:") < text.index("\ncouncils:")
    assert councils_of(text) == [{
        "name": "CX council", "purpose": "Decide together what customers need fixed first.",
        "sponsor": "vic", "facilitator": "kim", "council_decides": "Priorities across teams.",
        "sponsor_decides": "Ties and escalations.", "teams_decide": "How to do their part.", "quorum": 2,
        "cadence_days": 28, "meeting_minutes": 60, "escalation_path": "To the sponsor within a week.",
        "members": [{"team": "Customer service"}, {"team": "IT", "representative": "ivan"},
                    {"team": "Sales", "representative": "sara"}],
    }]
    assert "reset e-mails" not in text and "Send reset" not in text  # decisions and actions stay out
    assert list(Draft202012Validator(published_schema()).iter_errors(yaml.safe_load(text))) == []


def test_applying_the_own_export_changes_nothing(world):
    text, history = export_workspace(), history_count()
    result = apply_workspace(text)
    assert result.ok and result.changes == [] and history_count() == history


def test_a_file_without_councils_leaves_them_and_their_record(world):
    text = edited_export(lambda data: data.pop("councils"))
    assert apply_workspace(text).changes == []
    assert Council.objects.count() == 1 and Decision.objects.count() == 1


def test_charter_and_seat_changes_are_applied_through_the_actions(world):
    def edit(data):
        council = data["councils"][0]
        council["quorum"] = 3
        council["journeys"] = ["Get help"]
        council["members"] = [{"team": "IT", "representative": "ivan", "deputy": "kim"},
                              {"team": "Sales", "representative": "sara"}]
        data["councils"].append({"name": "Help council", "purpose": "Fix the helpline.", "sponsor": "ada",
                                 "members": [{"team": "Customer service"}]})

    dry = apply_workspace(edited_export(edit), dry_run=True)
    assert lines(dry) == ['~ council "CX council": journeys, quorum',
                          '- council "CX council" › seat of "Customer service"',
                          '~ council "CX council" › seat of "IT": deputy',
                          '+ council "Help council"',
                          '+ council "Help council" › seat of "Customer service"']
    assert Council.objects.count() == 1
    result = apply_workspace(edited_export(edit))
    assert lines(result) == lines(dry)
    council = Council.objects.get(name="CX council")
    assert (council.quorum, council.all_journeys, [j.name for j in council.journeys.all()]) == (3, False, ["Get help"])
    assert CouncilMember.objects.get(council=council, team__name="IT").deputy == world.keeper
    assert apply_workspace(export_workspace()).changes == []  # and the new export reads back the same


def test_dropping_a_council_that_never_met_deletes_it(world):
    actions.create_council({"name": "Spare", "purpose": "Never met."}, acting_user=SYSTEM)
    text = edited_export(lambda data: data.__setitem__("councils", [c for c in data["councils"]
                                                                    if c["name"] != "Spare"]))
    assert lines(apply_workspace(text)) == ['- council "Spare"']


def test_dropping_a_council_that_met_is_refused(world):
    text = edited_export(lambda data: data.__setitem__("councils", []))
    result = apply_workspace(text)
    assert not result.ok and "has met, decided or assigned action items" in result.errors[0].message
    assert Council.objects.count() == 1


def test_a_seat_for_an_unknown_team_is_refused_at_its_line(world):
    text = edited_export(lambda data: data["councils"][0]["members"].append({"team": "Legal"}))
    assert_refused(text, line=line_of(text, "team: Legal"), path="councils[0].members[3].team",
                   message="unknown team 'Legal'; teams: Customer service, IT, Sales")


def test_an_unknown_journey_or_sponsor_is_refused_at_its_line(world):
    text = edited_export(lambda data: data["councils"][0].__setitem__("journeys", ["Pay"]))
    assert_refused(text, line=line_of(text, "- Pay"), path="councils[0].journeys[0]",
                   message="unknown journey 'Pay'")
    text = edited_export(lambda data: data["councils"][0].__setitem__("sponsor", "zed"))
    assert_refused(text, line=line_of(text, "sponsor: zed"), path="councils[0].sponsor", message="unknown user 'zed'")
