"""Co-creation in the workspace file: the executive sponsor and the reminder days are workspace
settings (exported and applied); the co-creation section is written for review and read, never
applied — written only when asked, an apply of it changes nothing, and a workspace without
co-creation writes no section."""

from __future__ import annotations

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions
from cxkeeper.org.models import Workspace
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.yaml_io import load

pytestmark = pytest.mark.django_db


def test_no_cocreation_no_section(small_org):
    assert "cocreation" not in export_workspace(cocreation=True) and "executive_sponsor" not in export_workspace()


def test_the_section_shows_who_said_what_and_an_apply_of_it_changes_nothing(small_org):
    o = add_cocreation(small_org)
    actions.give_perspective(o.fp, o.sales, {"stance": "object", "reason": "Scripts frozen.",
                                             "constraints": [{"kind": "timing", "text": "Not before April."}]},
                             acting_user=o.sales_member)
    option = actions.propose_option(o.fp, {"title": "SMS code"}, acting_user=o.keeper)
    actions.take_option_stance(option, o.it, {"stance": "support"}, acting_user=o.it_member)
    actions.declare_planned_change({"title": "New login page", "go_live": "2027-02-01", "steps": [o.login_step]},
                                   acting_user=o.it_member)
    assert "cocreation" not in export_workspace()  # only when asked: the default file round-trips exactly
    text = export_workspace(cocreation=True)
    assert validate_workspace(text) == []
    data, _, _ = load(text, "workspace.yaml")
    assert data["version"] == 3 and data["workspace"]["executive_sponsor"] == "vic"
    fp = data["cocreation"]["friction_points"][0]
    assert fp["owner_team"] == "IT" and fp["steps"] == ["Get help › Log in to the app"]
    assert [t["team"] for t in fp["affected_teams"]] == ["Customer service", "IT", "Sales"]
    assert fp["perspectives"] == [{"team": "Sales", "stance": "object", "reason": "Scripts frozen.", "importance": 3,
                                   "constraints": [{"kind": "timing", "text": "Not before April."}],
                                   "answered_by": "sara"}]
    assert fp["options"] == [{"title": "SMS code", "stances": [{"team": "IT", "stance": "support"}]}]
    assert data["cocreation"]["planned_changes"][0]["steps"] == ["Get help › Log in to the app"]
    result = apply_workspace(text, acting_user=SYSTEM)
    assert result.ok and result.changes == [], result.changes
    assert export_workspace(cocreation=True) == text


def test_the_sponsor_and_reminder_days_are_applied_and_checked(small_org):
    o = add_cocreation(small_org)
    text = export_workspace()
    changed = text.replace("executive_sponsor: vic", "executive_sponsor: kim\n  perspective_reminder_days: 3")
    result = apply_workspace(changed, acting_user=SYSTEM)
    assert result.ok, result.errors
    workspace = Workspace.current()
    assert workspace.executive_sponsor == o.keeper and workspace.perspective_reminder_days == 3
    errors = validate_workspace(text.replace("executive_sponsor: vic", "executive_sponsor: nobody"))
    assert [e.path for e in errors] == ["workspace.executive_sponsor"] and "unknown user 'nobody'" in errors[0].message
