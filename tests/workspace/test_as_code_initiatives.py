"""Initiatives and the priority weights in the workspace file: the weights are a keeper's
setting, exported when set and applied with history; the initiatives are written with the
co-creation section for review, checked (every team, step, metric and dependency they name must
exist, each error at its line) and never applied."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import Initiative, PriorityWeights
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.testing.outcomes_builders import ensure_standard_metrics
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.yaml_io import load

from .test_as_code_errors import replace_once
from .test_as_code_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    history_count,
    line_of,
)

pytestmark = pytest.mark.django_db


def _with_initiatives(o):
    add_cocreation(o)
    ensure_standard_metrics()
    o.fix = actions.plan_initiative({
        "title": "Fix the app login", "description": "Password reset e-mails within a minute.",
        "friction_point": o.fp,
        "teams": [(o.service, "contributes"), (o.it, "lead"), (o.sales, "consulted")],
        "steps": [o.login_step],
        "metrics": [(MetricDefinition.objects.get(key="complaints"), "down"),
                    (MetricDefinition.objects.get(key="ces"), "up")],
        "milestones": [{"title": "New mail provider", "due": "2026-05-01", "done": True},
                       {"title": "Release 4.2"}],
    }, acting_user=o.it_member)
    o.script = actions.plan_initiative({"title": "New helpline script", "teams": [(o.sales, "lead")],
                                        "depends_on": [o.fix]}, acting_user=o.keeper)
    actions.set_priority_weights({"impact": 4, "period_days": 60}, expected_version=None, acting_user=o.keeper)
    return o


def _weights_history() -> int:
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(PriorityWeights)).count()


def test_a_workspace_on_the_default_weights_and_without_initiatives_writes_neither(small_org):
    text = export_workspace(cocreation=True)
    assert "priority_weights" not in text and "initiatives" not in text and "version: 2\n" in text


def test_round_trip_export_validate_apply_changes_nothing(small_org):
    o = _with_initiatives(small_org)
    text = export_workspace(cocreation=True)
    assert validate_workspace(text) == []
    data, _, _ = load(text, "workspace.yaml")
    assert data["version"] == 4
    assert data["priority_weights"] == {"impact": 4.0, "fit": 2.0, "effort": 1.0, "confidence": 1.0,
                                        "period_days": 60}
    fix, script = data["cocreation"]["initiatives"]
    assert fix == {"id": o.fix.pk, "title": "Fix the app login",
                   "description": "Password reset e-mails within a minute.",
                   "friction_point": "Password reset e-mails arrive late", "status": "proposed",
                   "teams": [{"team": "IT", "role": "lead"}, {"team": "Customer service", "role": "contributes"},
                             {"team": "Sales", "role": "consulted"}],
                   "steps": ["Get help › Log in to the app"],
                   "metrics": [{"metric": "ces", "direction": "up"}, {"metric": "complaints", "direction": "down"}],
                   "milestones": [{"title": "New mail provider", "due": "2026-05-01", "done": True},
                                  {"title": "Release 4.2", "done": False}]}
    assert script["depends_on"] == ["Fix the app login"]
    history = history_count()

    result = apply_workspace(text, acting_user=SYSTEM)

    assert result.ok and result.changes == [], result.changes
    assert history_count() == history and export_workspace(cocreation=True) == text
    # Without co-creation the weights still travel (they are applied), the initiatives do not.
    plain = export_workspace()
    assert "priority_weights:" in plain and "initiatives" not in plain and apply_workspace(plain).changes == []


def test_a_changed_weight_applies_with_history(small_org):
    _with_initiatives(small_org)
    text = export_workspace(cocreation=True)
    before = _weights_history()

    result = apply_workspace(replace_once(text, "  effort: 1.0\n", "  effort: 2.5\n"), acting_user=SYSTEM)

    assert result.ok, result.errors
    assert [str(c) for c in result.changes] == ["~ priority weights: effort"]
    weights = PriorityWeights.current()
    assert (weights.impact, weights.effort, weights.period_days) == (4.0, 2.5, 60)
    assert _weights_history() == before + 1
    record = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(PriorityWeights)).latest("pk")
    assert record.before["effort"] == 1.0 and record.after["effort"] == 2.5
    # The initiatives in the same file were read, not applied.
    assert Initiative.objects.get(title="Fix the app login").status == "proposed"


def test_weights_set_by_a_file_on_a_workspace_on_the_defaults_are_kept(small_org):
    text = export_workspace().replace("version: 2\n", "version: 4\n") + "priority_weights:\n  impact: 3.0\n"
    result = apply_workspace(text, acting_user=SYSTEM)
    assert result.ok and [str(c) for c in result.changes] == ["+ priority weights"]
    assert PriorityWeights.objects.count() == 1 and "priority_weights:\n  impact: 3.0\n" in export_workspace()


def test_weights_the_board_refuses_are_an_error_at_their_line(small_org):
    _with_initiatives(small_org)
    text = export_workspace()
    bad = replace_once(replace_once(replace_once(text, "  impact: 4.0\n", "  impact: 0\n"),
                                    "  fit: 2.0\n", "  fit: 0\n"), "  confidence: 1.0\n", "  confidence: 0\n")
    result = apply_workspace(bad, acting_user=SYSTEM)
    assert [e.path for e in result.errors] == ["priority_weights"], result.errors
    assert "needs a weight above 0" in result.errors[0].message
    assert PriorityWeights.current().impact == 4.0
    out_of_range = validate_workspace(replace_once(text, "  impact: 4.0\n", "  impact: 11\n"))
    assert [(e.path, e.line) for e in out_of_range] == [("priority_weights.impact", line_of(text, "  impact: 4.0"))]


@pytest.mark.parametrize(("old", "new", "path", "message"), [
    ("        - team: Customer service\n          role: contributes\n",
     "        - team: Finance\n          role: contributes\n",
     "cocreation.initiatives[0].teams[1].team", "unknown team 'Finance'; teams: Customer service, IT, Sales"),
    ("        - Get help › Log in to the app\n      metrics:", "        - Get help › Log on\n      metrics:",
     "cocreation.initiatives[0].steps[0]", "unknown step 'Get help › Log on'; write “journey › step”"),
    ("        - metric: ces\n", "        - metric: nope\n", "cocreation.initiatives[0].metrics[0].metric",
     "unknown metric 'nope'"),
    ("        - Fix the app login\n", "        - Fix the login\n", "cocreation.initiatives[1].depends_on[0]",
     "unknown initiative 'Fix the login'; initiatives: Fix the app login, New helpline script"),
], ids=["team", "step", "metric", "dependency"])
def test_an_initiative_naming_something_unknown_is_refused_at_its_line(small_org, old, new, path, message):
    _with_initiatives(small_org)
    text = replace_once(export_workspace(cocreation=True), old, new)
    history = history_count()

    result = apply_workspace(text, filename="workspace.yaml", acting_user=SYSTEM)

    assert [e.path for e in result.errors] == [path], [str(e) for e in result.errors]
    error = result.errors[0]
    assert message in error.message
    assert str(error).startswith(f"workspace.yaml:{line_of(text, new.splitlines()[0])}: {path}: ")
    assert result.changes == [] and history_count() == history


def test_a_team_named_twice_on_an_initiative_is_refused(small_org):
    _with_initiatives(small_org)
    text = replace_once(export_workspace(cocreation=True), "        - team: Sales\n          role: consulted\n",
                        "        - team: IT\n          role: consulted\n")
    errors = validate_workspace(text)
    assert [e.path for e in errors] == ["cocreation.initiatives[0].teams[2]"]
    assert "duplicate team 'IT' on initiative 'Fix the app login'" in errors[0].message


def test_weights_in_a_file_of_an_older_version_are_refused_with_the_version_to_write(small_org):
    text = export_workspace().replace("version: 2\n", "version: 3\n") + "priority_weights:\n  impact: 3.0\n"
    errors = validate_workspace(text)
    assert [(e.line, e.path) for e in errors] == [(1, "version")]
    assert errors[0].message == "the priority weights are part of the file from version 4 on; write version: 4"
