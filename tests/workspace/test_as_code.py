"""Journey-as-code: export, apply (declarative sync), round trips, dry runs and the diff."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft202012Validator

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeAction, ChangeRecord
from cxkeeper.journeys.models import Handoff, Journey, Responsibility, Stage, Step
from cxkeeper.org.models import Team, Workspace
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.schema import build_schema, published_schema, render_schema, schema_text

from .test_as_code_support import (
    edited_export,
    fast_password_hashing,  # noqa: F401  (autouse)
    fixture_text,
    history_count,
    make_people,
    wipe_workspace,
)

pytestmark = pytest.mark.django_db


def lines(result) -> list[str]:
    return [str(change) for change in result.changes]


# ---------------------------------------------------------------- export


def test_export_is_readable_yaml_keyed_by_names(small_org):
    text = export_workspace(people=False)
    data = yaml.safe_load(text)

    assert list(data) == ["version", "workspace", "glossary", "teams", "personas", "journeys", "outcomes"]
    assert [t["name"] for t in data["teams"]] == ["Customer service", "IT", "Sales"]
    step = data["journeys"][0]["stages"][0]["steps"][0]
    assert step["name"] == "Log in to the app"
    assert step["responsibilities"] == [
        {"team": "IT", "role": "owns", "lead": True},
        {"team": "Customer service", "role": "contributes"},
    ]
    assert data["journeys"][0]["keeper"] == "kim"
    assert "pbkdf2" not in text and "ada@example.com" not in text  # people are not in the file
    assert "description" not in data["journeys"][0]["stages"][0]  # empty optional fields are left out
    assert "  - name: IT\n" in text  # block style, lists indented under their key


def test_export_writes_multiline_text_as_literal_blocks_and_keeps_unicode(small_org):
    from cxkeeper.org.actions import update_workspace

    update_workspace({"mission": "Connected first time —\nfixed once."}, expected_version=None,
                     acting_user=SYSTEM)

    text = export_workspace()

    assert "  mission: |-\n    Connected first time —\n    fixed once.\n" in text


def test_export_validates_against_the_published_schema(small_org):
    Draft202012Validator(published_schema()).validate(yaml.safe_load(export_workspace()))


def test_export_does_not_write(db):
    export_workspace()
    assert not Workspace.objects.exists()


# ---------------------------------------------------------------- round trips


def test_round_trip_small_org_is_byte_identical(small_org):
    exported = export_workspace()
    wipe_workspace()

    result = apply_workspace(exported)

    assert result.ok, result.errors
    assert export_workspace() == exported


def test_round_trip_rich_fixture_is_byte_identical(db):
    make_people("kim", "ada", "ivan")
    text = fixture_text("broadband.yaml")

    result = apply_workspace(text, filename="broadband.yaml")

    assert result.ok, result.errors
    assert export_workspace(people=False) == text
    # Exported again into yet another empty workspace: still the same bytes.
    wipe_workspace()
    assert apply_workspace(text).ok
    assert export_workspace(people=False) == text


def test_rich_fixture_builds_the_map_through_the_actions(db):
    make_people("kim", "ada", "ivan")

    apply_workspace(fixture_text("broadband.yaml"))

    helpline = Step.objects.get(name="Call the helpline")
    assert [h.to_step.name for h in Handoff.objects.filter(from_step=helpline).order_by("to_step__name")] == [
        "Engineer visit", "First bill"]
    assert Responsibility.objects.get(step=helpline, is_lead=True).team.name == "Customer service"
    assert Team.objects.get(name="Customer service").slug == "care"
    assert Team.objects.get(name="IT").lead.username == "ivan"
    assert Journey.objects.get(slug="get-help").persona.name == "Busy family"
    assert list(Stage.objects.filter(journey__slug="get-help").values_list("name", flat=True)) == [
        "Notice / diagnose", "Get it fixed"]
    creates = ChangeRecord.objects.filter(action=ChangeAction.CREATE)
    assert creates.filter(object_repr="Call the helpline").exists()
    assert set(creates.values_list("actor_label", flat=True)) == {"system"}


# ---------------------------------------------------------------- idempotence and dry runs


def test_applying_the_own_export_changes_nothing_and_writes_no_history(small_org):
    before = history_count()

    result = apply_workspace(export_workspace())

    assert result.ok and result.changes == []
    assert result.summary() == "No changes: the workspace already matches the file."
    assert history_count() == before


def test_apply_twice_second_run_reports_nothing(db):
    make_people("kim", "ada", "ivan")
    text = fixture_text("broadband.yaml")
    first = apply_workspace(text)
    after_first = history_count()

    second = apply_workspace(text)

    assert first.changes and second.changes == []
    assert history_count() == after_first


def test_dry_run_reports_the_diff_and_writes_nothing(small_org):
    def edit(data):
        data["teams"].append({"name": "Billing", "function": "billing_finance", "office": "back"})
        data["teams"][1]["description"] = "Apps and sign-in."
        data["journeys"][0]["stages"][0]["steps"].pop()  # "Call the helpline"

    text = edited_export(edit)
    exported, before = export_workspace(), history_count()

    dry = apply_workspace(text, dry_run=True)

    assert dry.ok and dry.dry_run
    assert export_workspace() == exported
    assert history_count() == before
    assert not Team.objects.filter(name="Billing").exists()
    assert dry.summary() == "Dry run: would create 1, change 1, delete 1; nothing was saved."
    real = apply_workspace(text)
    assert lines(real) == lines(dry)


# ---------------------------------------------------------------- the declarative sync and its diff


def test_deletes_what_the_file_no_longer_has_and_reports_it(small_org):
    def edit(data):
        data["teams"] = [t for t in data["teams"] if t["name"] != "Sales"]
        data["journeys"][0]["stages"][0]["steps"].pop()

    result = apply_workspace(edited_export(edit, people=False))

    assert lines(result) == [
        '- team "Sales"',
        '- journey "Get help" › stage "Ask for help" › step "Call the helpline"',
    ]
    assert not Team.objects.filter(name="Sales").exists()
    assert not Step.objects.filter(name="Call the helpline").exists()
    deleted = ChangeRecord.objects.filter(action=ChangeAction.DELETE)
    assert {"Sales", "Call the helpline", "Customer service owns Call the helpline"} <= set(
        deleted.values_list("object_repr", flat=True))


def test_deleting_journeys_and_teams_entirely(small_org):
    def edit(data):
        data["journeys"] = []
        data["teams"] = []

    result = apply_workspace(edited_export(edit, people=False))

    assert result.ok
    assert '- journey "Get help"' in lines(result)
    assert not Journey.objects.exists() and not Team.objects.exists() and not Step.objects.exists()


def test_updates_are_reported_with_the_changed_fields(small_org):
    def edit(data):
        data["workspace"]["mission"] = "Fix it once."
        it = next(t for t in data["teams"] if t["name"] == "IT")
        it["description"], it["lead"] = "Apps and sign-in.", "ivan"
        step = data["journeys"][0]["stages"][0]["steps"][1]
        step["lane"], step["phrases"] = "backstage", ["on hold for ages"]
        step["responsibilities"][0]["note"] = "Answers calls."

    result = apply_workspace(edited_export(edit))

    assert lines(result) == [
        "~ workspace: mission",
        '~ team "IT": lead, description',
        '~ journey "Get help" › stage "Ask for help" › step "Call the helpline": lane, phrases',
        '~ journey "Get help" › stage "Ask for help" › step "Call the helpline" › responsibility '
        '"Customer service": note',
    ]
    assert Team.objects.get(name="IT").lead == small_org.it_member
    assert result.summary() == "Applied: 0 created, 4 changed, 0 deleted."


def test_a_renamed_step_is_a_delete_and_a_create(small_org):
    def edit(data):
        data["journeys"][0]["stages"][0]["steps"][1]["name"] = "Phone the helpline"

    result = apply_workspace(edited_export(edit))

    assert lines(result) == [
        '- journey "Get help" › stage "Ask for help" › step "Call the helpline"',
        '+ journey "Get help" › stage "Ask for help" › step "Phone the helpline"',
        '+ journey "Get help" › stage "Ask for help" › step "Phone the helpline" › responsibility '
        '"Customer service"',
    ]


def test_order_in_the_file_is_the_position(small_org):
    def edit(data):
        steps = data["journeys"][0]["stages"][0]["steps"]
        steps.reverse()
        steps.insert(1, {"name": "Chat with us", "lane": "frontstage", "channel": "chat"})

    result = apply_workspace(edited_export(edit))

    assert lines(result) == [
        '~ journey "Get help" › stage "Ask for help": step order',
        '+ journey "Get help" › stage "Ask for help" › step "Chat with us"',
    ]
    steps = Step.objects.filter(stage=small_org.stage).order_by("position")
    assert list(steps.values_list("name", flat=True)) == [
        "Call the helpline", "Chat with us", "Log in to the app"]
    assert apply_workspace(export_workspace()).changes == []


def test_appending_a_step_keeps_the_others_positions(small_org):
    def edit(data):
        data["journeys"][0]["stages"][0]["steps"].append({"name": "Get a callback"})

    before = history_count()
    result = apply_workspace(edited_export(edit))

    assert lines(result) == ['+ journey "Get help" › stage "Ask for help" › step "Get a callback"']
    assert history_count() == before + 1


def test_a_lead_can_move_to_another_owner(small_org):
    def edit(data):
        resps = data["journeys"][0]["stages"][0]["steps"][0]["responsibilities"]
        resps[0].pop("lead")
        resps[1].update(role="owns", lead=True)

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    lead = Responsibility.objects.get(step=small_org.login_step, is_lead=True)
    assert lead.team == small_org.service
    assert apply_workspace(export_workspace()).changes == []


def test_swapped_team_slugs_are_applied(small_org):
    def edit(data):
        by_name = {t["name"]: t for t in data["teams"]}
        by_name["IT"]["slug"], by_name["Sales"]["slug"] = "sales", "it"

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    assert Team.objects.get(name="IT").slug == "sales" and Team.objects.get(name="Sales").slug == "it"
    assert lines(result) == ['~ team "IT": slug', '~ team "Sales": slug']


def test_omitted_slugs_are_kept_or_made_from_the_name(small_org):
    def edit(data):
        for team in data["teams"]:
            team.pop("slug")
        data["teams"].append({"name": "Field engineers"})
        data["journeys"].append({"name": "Pay & renew"})

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    assert Team.objects.get(name="IT").slug == "it"
    assert Team.objects.get(name="Field engineers").slug == "field-engineers"
    assert Journey.objects.get(name="Pay & renew").slug == "pay-renew"


def test_handoffs_by_text_or_mapping_and_across_journeys(small_org):
    def edit(data):
        data["journeys"].append({"name": "Pay", "stages": [{"name": "Bill", "steps": [{"name": "Refund"}]}]})
        step = data["journeys"][0]["stages"][0]["steps"][0]
        step["handoffs"] = [
            {"to": "Ask for help / Call the helpline", "from_team": "IT", "to_team": "Customer service"},
            {"to": {"journey": "Pay", "stage": "Bill", "step": "Refund"}, "from_team": "IT",
             "to_team": "Sales", "description": "Compensation."},
        ]

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    handoffs = Handoff.objects.filter(from_step=small_org.login_step)
    assert {(h.to_step.name, h.to_team.name) for h in handoffs} == {
        ("Call the helpline", "Customer service"), ("Refund", "Sales")}
    exported = export_workspace()
    assert "- to: Ask for help / Call the helpline\n" in exported
    assert "journey: Pay" in exported
    assert apply_workspace(exported).changes == []


def test_validate_workspace_is_quiet_for_a_good_file(small_org):
    assert validate_workspace(export_workspace(), "workspace.yaml") == []


# ---------------------------------------------------------------- the published schema


def test_published_schema_is_generated_from_the_models():
    """If this fails, run: python -m cxkeeper.workspace.schema"""
    assert schema_text() == render_schema(build_schema())


def test_published_schema_is_valid_draft_2020_12():
    schema = json.loads(schema_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
