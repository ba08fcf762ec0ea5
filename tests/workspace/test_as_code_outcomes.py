"""Journey-as-code, the `outcomes` section: metric definitions, shared outcomes, targets, success
statements and team KPIs — export, round trips, the dry-run diff, every bad input with its line,
and files written before the section existed."""

from __future__ import annotations

import re

import pytest
import yaml
from jsonschema import Draft202012Validator

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeAction, ChangeRecord
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.models import (
    KpiLink,
    KpiValue,
    MetricDefinition,
    SharedOutcome,
    SuccessStatement,
    Target,
    TeamKpi,
)
from cxkeeper.testing.outcomes_builders import build_outcomes
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.schema import published_schema

from .test_as_code_errors import assert_refused, replace_once
from .test_as_code_support import (
    edited_export,
    fast_password_hashing,  # noqa: F401  (autouse)
    history_count,
    line_of,
    wipe_workspace,
)

pytestmark = pytest.mark.django_db

STANDARD_KEYS = ["ces", "ces-easy", "churn", "complaints", "csat", "nps", "retention", "sentiment"]
EMPTY_EVERYTHING = ("workspace:\n  name: Empty\nglossary: []\nteams: []\npersonas: []\njourneys: []\n"
                    "outcomes:\n  metrics: []\n  shared_outcomes: []\n  team_kpis: []\n")


@pytest.fixture
def outcomes(small_org):
    """As in tests/outcomes/conftest.py: two outcomes, targets, a statement, two KPIs with a year
    of values, and a year of feedback (so the builder's targets got measured baselines)."""
    return build_outcomes(small_org)


@pytest.fixture
def quick(small_org):
    """The same outcomes without the feedback (faster; the targets have no baseline)."""
    return build_outcomes(small_org, with_feedback=False)


def wipe_outcomes() -> None:
    """Outcomes as in a new installation: only the standard metric definitions."""
    KpiLink.objects.all().delete()
    TeamKpi.objects.all().delete()
    SuccessStatement.objects.all().delete()
    Target.objects.all().delete()
    SharedOutcome.objects.all().delete()
    MetricDefinition.objects.exclude(key__in=STANDARD_KEYS).delete()


def lines(result) -> list[str]:
    return [str(change) for change in result.changes]


def exact_line(text: str, wanted: str, occurrence: int = 1) -> int:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line == wanted][occurrence - 1]


def section(text: str) -> str:
    return text[text.index("\noutcomes:\n"):]


# ---------------------------------------------------------------- export


def test_export_carries_the_outcomes_model(outcomes):
    data = yaml.safe_load(export_workspace(people=False))

    assert list(data) == ["version", "workspace", "glossary", "teams", "personas", "journeys", "outcomes"]
    section_ = data["outcomes"]
    assert list(section_) == ["metrics", "shared_outcomes", "team_kpis"]
    assert [m["key"] for m in section_["metrics"]] == STANDARD_KEYS  # always all of them, by key
    effort, loyalty = section_["shared_outcomes"]
    assert (effort["name"], effort["metrics"], loyalty["name"]) == ("Reduce customer effort", ["ces"],
                                                                     "Increase loyalty")
    org_target, login_target = effort["targets"]
    due = outcomes.org_target.due.isoformat()
    assert org_target["key"] == f"ces-organization-{due}" and org_target["scope"] == "organization"
    assert isinstance(org_target["baseline"], float) and org_target["baseline_date"]
    assert {k: login_target[k] for k in ("key", "scope", "journey", "stage", "step", "value", "due")} == {
        "key": f"ces-log-in-to-the-app-{due}", "scope": "step", "journey": "Get help", "stage": "Ask for help",
        "step": "Log in to the app", "value": 5.0, "due": due}
    assert effort["statements"] == [{"customer_goal": "Customers sort out their bill without calling us",
                                     "business_outcome": "lower cost to serve", "target": org_target["key"]}]
    handle_time = section_["team_kpis"][0]
    assert (handle_time["team"], handle_time["name"], handle_time["direction"]) == (
        "Customer service", "Average handle time", "down")
    assert len(handle_time["values"]) == 12 and all(isinstance(v, float) for v in handle_time["values"].values())
    assert handle_time["links"] == [{"outcome": "Reduce customer effort", "kind": "supports"}]


def test_export_validates_against_the_published_schema_in_any_yaml_reader(outcomes):
    text = export_workspace()
    # Dates are quoted, so even a YAML 1.1 reader (PyYAML) sees text, as the JSON Schema expects.
    assert f"due: '{outcomes.org_target.due.isoformat()}'" in text
    Draft202012Validator(published_schema()).validate(yaml.safe_load(text))
    assert validate_workspace(text) == []


# ---------------------------------------------------------------- round trips


def test_round_trip_outcomes_fixture_is_byte_identical(outcomes):
    exported = export_workspace()
    wipe_workspace()
    wipe_outcomes()

    result = apply_workspace(exported)

    assert result.ok, result.errors
    assert export_workspace() == exported
    assert apply_workspace(exported).changes == []


def test_round_trip_through_a_file_that_empties_everything(quick):
    """The empty workspace made by a file, through the actions: even the standard metrics go."""
    actions.define_metric({"key": "nps-business", "name": "NPS, business", "base": "nps", "segment": "business",
                           "direction": "up"}, acting_user=SYSTEM)
    csat = MetricDefinition.objects.get(key="csat")
    actions.update_metric(csat, {"name": "CSAT (top two)"}, expected_version=None, acting_user=SYSTEM)
    actions.set_target_as_given({"outcome": quick.loyalty, "metric": MetricDefinition.objects.get(key="nps-business"),
                                 "scope": "journey", "journey": quick.login_target.step.stage.journey,
                                 "value": 20, "due": quick.org_target.due, "note": "Twice a year."},
                                acting_user=SYSTEM)
    actions.declare_team_kpi({"team": quick.handle_time.team, "name": "Effort at our steps", "unit": "points",
                              "direction": "up", "source": "metric", "metric": quick.ces}, acting_user=SYSTEM)
    exported = export_workspace()

    emptied = apply_workspace(EMPTY_EVERYTHING, filename="empty.yaml")
    assert emptied.ok, emptied.errors
    assert not MetricDefinition.objects.exists() and not TeamKpi.objects.exists()
    assert not SharedOutcome.objects.exists() and not Target.objects.exists()

    result = apply_workspace(exported)
    assert result.ok, result.errors
    assert export_workspace() == exported


def test_applying_the_own_export_changes_nothing_and_writes_no_history(quick):
    before = history_count()

    result = apply_workspace(export_workspace())

    assert result.ok and result.changes == []
    assert history_count() == before


def test_writes_go_through_the_actions_and_are_recorded(quick):
    exported = export_workspace()
    wipe_workspace()
    wipe_outcomes()
    before = history_count()

    result = apply_workspace(exported)

    assert result.ok, result.errors
    records = ChangeRecord.objects.order_by("pk")[before:]
    created = {(r.content_type.model, r.object_repr) for r in records if r.action == ChangeAction.CREATE}
    assert ("sharedoutcome", "Reduce customer effort") in created
    assert ("teamkpi", "Customer service: Average handle time") in created
    assert any(model == "target" for model, _ in created) and any(model == "kpilink" for model, _ in created)
    assert any(model == "successstatement" for model, _ in created)
    # The values are recorded in the KPI's history, with where they came from.
    values = [r for r in records if r.content_type.model == "teamkpi" and r.action == ChangeAction.UPDATE]
    assert values and values[0].after["values_source"] == "journey-as-code"
    assert {r.actor_label for r in records} == {"system"}
    assert Target.objects.get(scope="organization").baseline is None  # not measured behind the file's back


# ---------------------------------------------------------------- the diff


def test_dry_run_shows_the_outcomes_diff_and_saves_nothing(quick):
    due = quick.org_target.due.isoformat()

    def edit(data):
        section_ = data["outcomes"]
        section_["metrics"].append({"key": "nps-business", "name": "NPS, business", "base": "nps",
                                    "segment": "business"})
        section_["metrics"][0]["name"] = "CES"
        effort, loyalty = section_["shared_outcomes"]
        effort["targets"][0]["value"] = 5.8
        effort["targets"][0]["note"] = "Stretch."
        effort["targets"].pop()  # the login step's target
        effort["statements"].append({"customer_goal": "Set up without calling", "business_outcome": "fewer calls",
                                     "target": effort["targets"][0]["key"]})
        loyalty["metrics"].append("nps-business")
        section_["shared_outcomes"] = [loyalty, effort]
        handle_time, login = section_["team_kpis"]
        handle_time["links"][0]["kind"] = "tension"
        handle_time["values"][f"{due[:4]}-01-01"] = 1.5
        login["links"] = []
        section_["team_kpis"] = [handle_time]

    text = edited_export(edit)
    exported, history = export_workspace(), history_count()

    result = apply_workspace(text, dry_run=True)

    assert result.ok, result.errors
    assert lines(result) == [
        '~ metric "ces": name',
        '+ metric "nps-business"',
        "~ outcomes: order",
        '~ outcome "Increase loyalty": metrics',
        f'- outcome "Reduce customer effort" › target "ces @ Get help / Ask for help / Log in to the app by {due}"',
        f'~ outcome "Reduce customer effort" › target "ces @ organization by {due}": value, note',
        '+ outcome "Reduce customer effort" › success statement "Set up without calling"',
        '- KPI "IT / Login success rate"',
        '~ KPI "Customer service / Average handle time": values',
        '~ KPI "Customer service / Average handle time" › link to "Reduce customer effort": kind',
    ]
    assert result.summary() == "Dry run: would create 2, change 6, delete 2; nothing was saved."
    assert export_workspace() == exported and history_count() == history

    applied = apply_workspace(text)
    assert lines(applied) == lines(result)
    assert apply_workspace(text).changes == []


def test_changing_a_targets_due_date_is_a_delete_and_a_create_and_the_statement_follows(quick):
    due = quick.org_target.due
    later = due.replace(year=due.year + 1)

    def edit(data):
        effort = data["outcomes"]["shared_outcomes"][0]
        effort["targets"][0]["due"] = later.isoformat()
        effort["targets"][0]["key"] = "effort"
        effort["statements"][0]["target"] = "effort"

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    assert lines(result) == [
        f'- outcome "Reduce customer effort" › target "ces @ organization by {due.isoformat()}"',
        f'+ outcome "Reduce customer effort" › target "ces @ organization by {later.isoformat()}"',
        '~ outcome "Reduce customer effort" › success statement '
        '"Customers sort out their bill without calling us": target',
    ]
    assert SuccessStatement.objects.get().target.due == later


# ---------------------------------------------------------------- files without the section


def test_a_file_without_outcomes_leaves_them_as_they_are(quick):
    outcomes_before = section(export_workspace())
    old_file = edited_export(lambda data: data.pop("outcomes"))
    assert "outcomes" not in old_file

    result = apply_workspace(old_file)

    assert result.ok and result.changes == []
    assert section(export_workspace()) == outcomes_before


def test_a_file_without_outcomes_that_deletes_a_step_and_a_team_says_what_goes_with_them(quick):
    def edit(data):
        data.pop("outcomes")
        data["teams"] = [t for t in data["teams"] if t["name"] != "IT"]
        stage = data["journeys"][0]["stages"][0]
        stage["steps"] = [s for s in stage["steps"] if s["name"] != "Log in to the app"]
        for step in stage["steps"]:
            step["handoffs"] = [h for h in step.get("handoffs", []) if "IT" not in (h["from_team"], h["to_team"])]
            step["responsibilities"] = [r for r in step.get("responsibilities", []) if r["team"] != "IT"]

    due = quick.org_target.due.isoformat()

    result = apply_workspace(edited_export(edit, people=False))

    assert result.ok, result.errors
    outcome_lines = [line for line in lines(result) if "outcome" in line or "KPI" in line]
    assert outcome_lines == [
        f'- outcome "Reduce customer effort" › target "ces @ Get help / Ask for help / Log in to the app by {due}"',
        '- KPI "IT / Login success rate"',
    ]
    assert Target.objects.count() == 1 and TeamKpi.objects.count() == 1
    assert SharedOutcome.objects.count() == 2 and SuccessStatement.objects.get().target is not None


def test_a_file_without_outcomes_clears_a_statement_target_through_the_action(quick):
    actions.update_success_statement(quick.statement, {"target": quick.login_target}, expected_version=None,
                                     acting_user=SYSTEM)

    def edit(data):
        data.pop("outcomes")
        stage = data["journeys"][0]["stages"][0]
        stage["steps"] = [s for s in stage["steps"] if s["name"] != "Log in to the app"]
        for step in stage["steps"]:
            step["handoffs"] = []

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    assert ('~ outcome "Reduce customer effort" › success statement '
            '"Customers sort out their bill without calling us": target') in lines(result)
    assert SuccessStatement.objects.get().target is None
    assert ChangeRecord.objects.filter(content_type__model="successstatement",
                                       action=ChangeAction.UPDATE).exists()


# ---------------------------------------------------------------- bad input, each with its line


def test_unknown_metric_key_of_an_outcome(quick):
    text = replace_once(export_workspace(), "      metrics:\n        - nps\n", "      metrics:\n        - npss\n")

    error = assert_refused(text, line=line_of(text, "- npss"), path="outcomes.shared_outcomes[1].metrics[0]",
                           message="unknown metric 'npss'")
    assert "metrics in this file: ces, ces-easy, churn" in error.message


def test_unknown_metric_key_of_a_target(quick):
    text = replace_once(export_workspace(), "          metric: ces\n", "          metric: effort\n")

    assert_refused(text, line=line_of(text, "metric: effort"),
                   path="outcomes.shared_outcomes[0].targets[0].metric", message="unknown metric 'effort'")


def test_target_scope_naming_an_unknown_step(quick):
    text = replace_once(export_workspace(), "step: Log in to the app\n", "step: Log into the app\n")

    error = assert_refused(text, line=line_of(text, "step: Log into the app"),
                           path="outcomes.shared_outcomes[0].targets[1].step",
                           message="unknown step 'Log into the app': stage 'Ask for help' of journey 'Get help'")
    assert "(steps: Call the helpline, Log in to the app)" in error.message


def test_target_scope_naming_an_unknown_journey(quick):
    text = replace_once(export_workspace(), "          journey: Get help\n", "          journey: Get halp\n")

    assert_refused(text, line=line_of(text, "journey: Get halp"), path="outcomes.shared_outcomes[0].targets[1].journey",
                   message="unknown journey 'Get halp'; journeys in this file: Get help")


def test_step_scoped_target_without_a_step(quick):
    text = replace_once(export_workspace(), "          step: Log in to the app\n", "")

    assert_refused(text, line=line_of(text, "- key: ces-log-in-to-the-app"),
                   path="outcomes.shared_outcomes[0].targets[1].step",
                   message="a step-scoped target names its step: give journey, stage and step (step missing)")


def test_organization_target_naming_a_step(quick):
    text = replace_once(export_workspace(), "          scope: organization\n",
                        "          scope: organization\n          step: Log in to the app\n")

    assert_refused(text, line=line_of(text, "scope: organization") + 1,
                   path="outcomes.shared_outcomes[0].targets[0].step",
                   message="a target with scope organization names no step")


def test_kpi_for_an_unknown_team(quick):
    text = replace_once(export_workspace(), "    - team: IT\n      name: Login",
                        "    - team: Digital\n      name: Login")

    assert_refused(text, line=line_of(text, "- team: Digital"), path="outcomes.team_kpis[1].team",
                   message="unknown team 'Digital'; teams in this file: Customer service, IT, Sales")


@pytest.mark.parametrize(("bad", "message"), [
    ("2027-02-30", "'2027-02-30' is not a date (day is out of range for month); write YYYY-MM-DD"),
    ("next spring", "'next spring' does not match"),
])
def test_bad_due_date(quick, bad, message):
    due = quick.org_target.due.isoformat()
    text = replace_once(export_workspace(), f"due: '{due}'", f"due: {bad}")

    assert_refused(text, line=line_of(text, f"due: {bad}"), path="outcomes.shared_outcomes[0].targets[0].due",
                   message=message)


@pytest.mark.parametrize(("bad", "message"), [
    ("'2026-13-01'", "'2026-13-01' is not a date (month must be in 1..12); write YYYY-MM-DD"),
    ("January", "'January' is not a date; write YYYY-MM-DD"),
])
def test_bad_kpi_value_period(quick, bad, message):
    text = export_workspace()
    first_period = yaml.safe_load(text)["outcomes"]["team_kpis"][0]["values"]
    old = f"'{next(iter(first_period))}': "
    text = replace_once(text, old, f"{bad}: ")

    name = bad.strip("'")
    assert_refused(text, line=line_of(text, f"{bad}: "), path=f"outcomes.team_kpis[0].values.{name}",
                   message=message)


def test_kpi_value_that_is_not_a_number(quick):
    text = export_workspace()
    old = f"'{next(iter(yaml.safe_load(text)['outcomes']['team_kpis'][0]['values']))}': 9.1"
    text = replace_once(text, old, old.replace("9.1", "lots"))

    assert_refused(text, line=line_of(text, ": lots"), path=f"outcomes.team_kpis[0].values.{old[1:11]}",
                   message="'lots' is not of type 'number'")


def test_statement_naming_an_unknown_target(quick):
    text = export_workspace()
    key = yaml.safe_load(text)["outcomes"]["shared_outcomes"][0]["targets"][0]["key"]
    text = replace_once(text, f"          target: {key}", "          target: effort-2030")

    error = assert_refused(text, line=line_of(text, "target: effort-2030"),
                           path="outcomes.shared_outcomes[0].statements[0].target",
                           message="unknown target 'effort-2030'; target keys in this file: ")
    assert key in error.message


def test_link_to_an_unknown_outcome_and_duplicate_link(quick):
    text = replace_once(export_workspace(), "        - outcome: Reduce customer effort\n          kind: supports\n",
                        "        - outcome: Reduce effort\n          kind: supports\n")

    assert_refused(text, line=line_of(text, "- outcome: Reduce effort"), path="outcomes.team_kpis[0].links[0].outcome",
                   message="unknown shared outcome 'Reduce effort'; shared outcomes in this file: Increase loyalty, "
                           "Reduce customer effort")


def test_values_for_a_kpi_taken_from_a_metric(quick):
    text = replace_once(export_workspace(), "      source: manual\n", "      source: metric\n      metric: ces\n")

    assert_refused(text, line=line_of(text, "source: metric") + 2,
                   path="outcomes.team_kpis[0].values", message="is taken from a cxkeeper metric: its values come "
                                                                "from feedback")


def test_metric_source_without_a_metric(quick):
    def edit(data):
        kpi = data["outcomes"]["team_kpis"][0]
        kpi["source"] = "metric"
        del kpi["values"]

    text = edited_export(edit)

    assert_refused(text, line=exact_line(text, "    - team: Customer service"), path="outcomes.team_kpis[0].metric",
                   message="is taken from a cxkeeper metric (source: metric): name the metric's key")


def test_duplicate_target_and_metric_keys(quick):
    def edit(data):
        data["outcomes"]["metrics"].append(dict(data["outcomes"]["metrics"][0]))

    text = edited_export(edit)

    assert_refused(text, line=exact_line(text, "    - key: ces", 2),
                   path="outcomes.metrics[8]", message="duplicate metric key 'ces' (first at line ")


def test_old_style_file_with_an_incomplete_outcomes_section(quick):
    text = export_workspace().replace("\n  team_kpis:", "\n  kpis:", 1)

    result = apply_workspace(text)

    assert not result.ok
    assert [str(e).split(": ", 1)[1] for e in result.errors][:2] == [
        "outcomes: 'team_kpis' is required", "outcomes.kpis: unknown field 'kpis'; allowed here: metrics, "
        "shared_outcomes, team_kpis"]


def test_all_problems_are_reported_together(quick):
    def edit(data):
        effort = data["outcomes"]["shared_outcomes"][0]
        effort["metrics"] = ["cees"]
        effort["targets"][1]["step"] = "Nowhere"
        data["outcomes"]["team_kpis"][1]["team"] = "Digital"

    errors = validate_workspace(edited_export(edit))

    assert [e.path for e in errors] == ["outcomes.shared_outcomes[0].metrics[0]",
                                        "outcomes.shared_outcomes[0].targets[1].step",
                                        "outcomes.team_kpis[1].team"]
    assert all(e.line > 1 for e in errors)


# ---------------------------------------------------------------- the sample organization


def test_sample_organization_with_its_outcomes_round_trips(settings, tmp_path):
    """Export → a file that empties the map (no outcomes section) → apply the export → the same bytes."""
    from cxkeeper.sample.load import load_sample_organization

    settings.DATA_DIR = tmp_path
    load_sample_organization()
    if not SharedOutcome.objects.exists():  # the sample's outcomes may be loaded separately
        sample_outcomes = pytest.importorskip("cxkeeper.sample.outcomes")
        sample_outcomes.load_sample_outcomes()
    assert Target.objects.filter(scope="step").exists() and KpiValue.objects.exists()
    exported = export_workspace()

    emptied = apply_workspace("workspace:\n  name: Empty\nglossary: []\nteams: []\npersonas: []\njourneys: []\n")
    assert emptied.ok, emptied.errors
    assert not TeamKpi.objects.exists() and not Target.objects.exclude(scope="organization").exists()
    assert any(line.startswith("- KPI ") for line in lines(emptied))

    applied = apply_workspace(exported, filename="sample.yaml")
    assert applied.ok, applied.errors
    assert export_workspace() == exported
    assert apply_workspace(exported).changes == []


def test_kpi_period_written_as_a_number_and_a_value_that_is_not_finite(quick):
    text = export_workspace()
    first = next(iter(yaml.safe_load(text)["outcomes"]["team_kpis"][0]["values"]))
    text = replace_once(text, f"'{first}': 9.1", "20251201: 9.1")
    text = replace_once(text, "          value: 5.5\n", "          value: .nan\n")

    errors = validate_workspace(text)

    assert [(e.line, e.path, e.message) for e in errors] == [
        (line_of(text, "value: .nan"), "outcomes.shared_outcomes[0].targets[0].value", "nan is not a finite number"),
        (line_of(text, "20251201: 9.1"), "outcomes.team_kpis[0].values.20251201",
         "20251201 is not a date; write YYYY-MM-DD"),
    ]


def test_rich_fixture_outcomes_are_built_through_the_actions(db):
    from .test_as_code_support import fixture_text, make_people

    make_people("kim", "ada", "ivan")

    assert apply_workspace(fixture_text("broadband.yaml")).ok

    stage_target = Target.objects.get(scope="stage")
    assert (stage_target.stage.name, stage_target.stage.journey.name) == ("Get it fixed", "Get help & fix a problem")
    assert stage_target.baseline is None and stage_target.statements.get().customer_goal.startswith("Customers fix")
    assert Target.objects.get(scope="step").step.stage.name == "Notice / diagnose"
    effort = TeamKpi.objects.get(name="Effort at our steps")
    assert effort.source == "metric" and effort.metric.key == "ces" and not effort.values.exists()
    assert list(TeamKpi.objects.get(name="Conversion rate").values.values_list("value", flat=True)) == [
        12.5, 13.0, 13.25]
    tension = KpiLink.objects.get(kind="tension")
    assert (tension.kpi.name, tension.outcome.name) == ("Average handle time", "Reduce customer effort")
    assert MetricDefinition.objects.get(key="nps-business").segment == "Small business"
    assert list(SharedOutcome.objects.values_list("name", flat=True)) == ["Reduce customer effort", "Keep customers"]


def test_unquoted_dates_read_as_the_same_text(quick):
    unquoted = re.sub(r"'([0-9]{4}-[0-9]{2}-[0-9]{2})'", r"\1", export_workspace())
    assert f"due: {quick.org_target.due.isoformat()}\n" in unquoted

    result = apply_workspace(unquoted)

    assert result.ok and result.changes == [], (result.errors, lines(result))
