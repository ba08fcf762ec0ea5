"""Journey-as-code: every bad file gives errors naming the file, line and path, and applies nothing."""

from __future__ import annotations

import pytest

from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace

from .test_as_code_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    history_count,
    line_of,
)

pytestmark = pytest.mark.django_db


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def assert_refused(text: str, *, line: int, path: str, message: str):
    """Exactly one error, at `line` and `path`, and the workspace untouched."""
    exported, history = export_workspace(), history_count()

    result = apply_workspace(text, filename="workspace.yaml")

    assert not result.ok and result.changes == []
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    error = result.errors[0]
    assert (error.line, error.path) == (line, path), str(error)
    assert message in error.message, str(error)
    assert str(error).startswith(f"workspace.yaml:{line}: {path}: " if path else f"workspace.yaml:{line}: ")
    assert export_workspace() == exported and history_count() == history
    assert result.summary() == "1 error; nothing was applied."
    return error


def test_unknown_team(small_org):
    text = replace_once(export_workspace(), "- team: IT\n", "- team: Finance\n")

    error = assert_refused(text, line=line_of(text, "- team: Finance"),
                           path="journeys[0].stages[0].steps[0].responsibilities[0].team",
                           message="unknown team 'Finance'")
    assert "teams in this file: Customer service, IT, Sales" in error.message


def test_duplicate_step_names_in_a_stage(small_org):
    text = replace_once(export_workspace(), "- name: Call the helpline", "- name: Log in to the app")

    assert_refused(text, line=line_of(text, "- name: Log in to the app", occurrence=2),
                   path="journeys[0].stages[0].steps[1]",
                   message=f"duplicate step name 'Log in to the app' in stage 'Ask for help' "
                           f"(first at line {line_of(text, '- name: Log in to the app')})")


def test_duplicate_stage_and_team_names(small_org):
    text = export_workspace(people=False)
    text = replace_once(text, "  - name: Sales\n    slug: sales", "  - name: IT\n    slug: sales")

    assert_refused(text, line=line_of(text, "slug: sales") - 1, path="teams[2]",
                   message="duplicate team name 'IT'")


def test_missing_required_field(small_org):
    text = replace_once(export_workspace(), "  - name: Get help\n    slug: get-help", "  - slug: get-help")

    assert_refused(text, line=line_of(text, "- slug: get-help"), path="journeys[0]",
                   message="'name' is required")


def test_wrong_type(small_org):
    text = replace_once(export_workspace(), "review_interval_days: 90", "review_interval_days: soon")

    assert_refused(text, line=line_of(text, "review_interval_days"), path="workspace.review_interval_days",
                   message="'soon' is not of type 'integer', 'null'")


def test_value_not_among_the_choices(small_org):
    text = replace_once(export_workspace(), "lane: frontstage", "lane: front")

    assert_refused(text, line=line_of(text, "lane: front"),
                   path="journeys[0].stages[0].steps[1].lane",
                   message="'front' is not one of "
                           "['customer_action', 'frontstage', 'backstage', 'support_system']")


def test_misspelt_field(small_org):
    text = replace_once(export_workspace(), "    channel: phone", "    chanel: phone")

    assert_refused(text, line=line_of(text, "chanel: phone"), path="journeys[0].stages[0].steps[1].chanel",
                   message="unknown field 'chanel'; allowed here: channel, description")


def test_invalid_yaml_syntax_names_the_line(small_org):
    text = replace_once(export_workspace(), "channel: app", "channel: app: web")

    assert_refused(text, line=line_of(text, "channel: app: web"), path="",
                   message="invalid YAML: mapping values are not allowed here")


def test_unclosed_quote(small_org):
    text = replace_once(export_workspace(), "description: From noticing", 'description: "From noticing')

    error = assert_refused(text, line=len(text.splitlines()) + 1, path="", message="invalid YAML")
    assert "while scanning a quoted scalar" in error.message


def test_unknown_username(small_org):
    text = replace_once(export_workspace(), "keeper: kim", "keeper: nobody")

    assert_refused(text, line=line_of(text, "keeper: nobody"), path="journeys[0].keeper",
                   message="unknown user 'nobody'")


def test_unknown_persona(small_org):
    text = replace_once(export_workspace(), "keeper: kim", "keeper: kim\n    persona: Students")

    assert_refused(text, line=line_of(text, "persona: Students"), path="journeys[0].persona",
                   message="unknown persona 'Students'; personas in this file: none")


def test_more_than_one_lead(small_org):
    text = replace_once(export_workspace(), "role: contributes", "role: owns\n                lead: true")

    assert_refused(text, line=line_of(text, "lead: true", occurrence=2),
                   path="journeys[0].stages[0].steps[0].responsibilities[1].lead",
                   message="step 'Log in to the app' already has a lead owner ('IT'")


def test_lead_on_a_team_that_does_not_own(small_org):
    text = replace_once(export_workspace(), "role: contributes",
                        "role: contributes\n                lead: true")

    assert_refused(text, line=line_of(text, "lead: true", occurrence=2),
                   path="journeys[0].stages[0].steps[0].responsibilities[1].lead",
                   message="only an owning team can be the lead owner; 'Customer service' contributes")


def test_unknown_handoff_target(small_org):
    text = replace_once(export_workspace(), "            channel: phone\n",
                        "            channel: phone\n            handoffs:\n"
                        "              - to: Ask for help / Call back\n"
                        "                from_team: Customer service\n                to_team: IT\n")

    assert_refused(text, line=line_of(text, "- to: Ask for help / Call back"),
                   path="journeys[0].stages[0].steps[1].handoffs[0].to",
                   message="stage 'Ask for help' has no step 'Call back' "
                           "(steps: Call the helpline, Log in to the app)")


def test_every_error_is_reported_not_only_the_first(small_org):
    text = export_workspace()
    text = replace_once(text, "- team: IT\n", "- team: Finance\n")
    text = replace_once(text, "lane: frontstage", "lane: front")
    text = replace_once(text, "keeper: kim", "keeper: nobody")
    text = replace_once(text, "customer_facing: false", "customer_facing: nope")

    errors = validate_workspace(text, "workspace.yaml")

    assert [(e.line, e.path) for e in errors] == sorted([
        (line_of(text, "customer_facing: nope"), "teams[1].customer_facing"),
        (line_of(text, "keeper: nobody"), "journeys[0].keeper"),
        (line_of(text, "- team: Finance"), "journeys[0].stages[0].steps[0].responsibilities[0].team"),
        (line_of(text, "lane: front"), "journeys[0].stages[0].steps[1].lane"),
    ])
    assert not apply_workspace(text).ok


def test_a_misspelt_field_does_not_hide_other_problems_of_the_same_step(small_org):
    text = replace_once(export_workspace(), "- name: Call the helpline", "- name: Log in to the app")
    text = replace_once(text, "    channel: phone", "    chanel: phone")

    errors = validate_workspace(text, "workspace.yaml")

    step = "journeys[0].stages[0].steps[1]"
    assert [e.path for e in errors] == [step, f"{step}.chanel"]


def test_duplicate_yaml_keys_are_an_error(small_org):
    text = replace_once(export_workspace(), "    keeper: kim\n", "    keeper: kim\n    keeper: ada\n")

    assert_refused(text, line=line_of(text, "keeper: ada"), path="journeys[0].keeper",
                   message="duplicate key 'keeper' (first on line")


def test_a_blank_name_is_refused(small_org):
    text = replace_once(export_workspace(), "  name: Our organization", "  name: '  '")

    assert_refused(text, line=line_of(text, "name: '  '"), path="workspace.name", message="the name is empty")


def test_a_missing_section_is_one_error(small_org):
    section = "workspace:\n  name: Our organization\n  review_interval_days: 90\n"
    text = replace_once(export_workspace(), section, "")

    assert_refused(text, line=1, path="", message="'workspace' is required")


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("- just\n- a list\n", "is not of type 'object'"),
    ("workspace: {name: X}\n", "'glossary' is required"),
])
def test_files_that_are_not_a_workspace(db, text, message):
    errors = validate_workspace(text, "workspace.yaml")

    assert errors and any(message in e.message or message in str(e) for e in errors), [str(e) for e in errors]
    assert all(str(e).startswith("workspace.yaml:1: ") for e in errors)
