"""Outcome writes: who may do what, what gets recorded, and bad input that is refused with a
clear message while nothing is broken."""

from __future__ import annotations

import datetime as dt

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Conflict, Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord
from cxkeeper.outcomes import actions, queries
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.outcomes.models import KpiValue, MetricDefinition, SharedOutcome, Target, TeamKpi

pytestmark = pytest.mark.django_db


def test_standard_metric_definitions_exist_from_the_migration():
    keys = set(MetricDefinition.objects.values_list("key", flat=True))
    assert {"nps", "csat", "ces", "ces-easy", "sentiment", "churn", "retention", "complaints"} <= keys
    assert MetricDefinition.objects.get(key="churn").higher_is_better is False


@pytest.mark.parametrize("persona", ["it_member", "sales_member", "viewer"])
def test_only_keepers_and_admins_define_outcomes_and_targets(small_org, persona):
    user = getattr(small_org, persona)
    with pytest.raises(Forbidden, match="keeper"):
        actions.define_outcome({"name": "Lower effort"}, acting_user=user)
    with pytest.raises(Forbidden):
        actions.define_metric({"key": "x", "name": "X", "base": "nps"}, acting_user=user)
    assert not SharedOutcome.objects.exists()


def test_keeper_defines_an_outcome_and_it_is_recorded(small_org):
    outcome = actions.define_outcome({"name": "Lower effort"}, acting_user=small_org.keeper)
    record = ChangeRecord.objects.filter(object_id=outcome.pk, object_repr="Lower effort").get()
    assert record.actor == small_org.keeper and record.action == "create"


def test_members_manage_only_their_own_teams_kpis(small_org):
    kpi = actions.declare_team_kpi({"team": small_org.it, "name": "Login success", "unit": "%", "direction": "up"},
                                   acting_user=small_org.it_member)
    with pytest.raises(Forbidden, match="Only members of IT"):
        actions.record_kpi_values(kpi, [ValueRow(dt.date(2026, 1, 1), 90.0)], acting_user=small_org.sales_member)
    with pytest.raises(Forbidden, match="Viewers"):
        actions.declare_team_kpi({"team": small_org.it, "name": "Other", "unit": "%", "direction": "up"},
                                 acting_user=small_org.viewer)
    with pytest.raises(Forbidden):
        actions.update_team_kpi(kpi, {"team": small_org.sales}, expected_version=kpi.version,
                                acting_user=small_org.it_member)
    assert TeamKpi.objects.count() == 1 and not KpiValue.objects.exists()


def test_a_metric_used_by_a_target_cannot_be_deleted(outcomes, small_org):
    with pytest.raises(InvalidInput) as refused:
        actions.delete_metric(outcomes.ces, expected_version=outcomes.ces.version, acting_user=small_org.keeper)
    message = str(refused.value)
    assert "still used by" in message and "target" in message and "nothing was deleted" in message
    assert MetricDefinition.objects.filter(pk=outcomes.ces.pk).exists()
    assert queries.assess(outcomes.org_target).status  # the target still works


def test_an_outcome_with_targets_cannot_be_deleted(outcomes, small_org):
    with pytest.raises(InvalidInput, match="still has 2 target"):
        actions.delete_outcome(outcomes.effort, expected_version=outcomes.effort.version,
                               acting_user=small_org.keeper)


def test_an_unused_metric_is_deleted(small_org):
    metric = actions.define_metric({"key": "chat-csat", "name": "Chat CSAT", "base": "csat", "channel": "chat"},
                                   acting_user=small_org.keeper)
    assert metric.direction == "up"  # taken from the base metric
    actions.delete_metric(metric, expected_version=metric.version, acting_user=small_org.keeper)
    assert not MetricDefinition.objects.filter(key="chat-csat").exists()


def test_a_volume_metric_needs_a_direction(small_org):
    with pytest.raises(InvalidInput, match="higher or lower"):
        actions.define_metric({"key": "calls", "name": "Calls", "base": "volume"}, acting_user=small_org.keeper)


def test_a_target_scope_needs_its_object_and_nothing_else(small_org):
    outcome = actions.define_outcome({"name": "Lower effort"}, acting_user=small_org.keeper)
    ces = MetricDefinition.objects.get(key="ces")
    base = {"outcome": outcome, "metric": ces, "value": 5.5, "due": dt.date(2027, 6, 30)}
    with pytest.raises(InvalidInput) as missing:
        actions.set_metric_target({**base, "scope": "step"}, acting_user=small_org.keeper)
    assert "Choose the step" in str(missing.value)
    with pytest.raises(InvalidInput) as extra:
        actions.set_metric_target({**base, "scope": "organization", "journey": small_org.journey},
                                  acting_user=small_org.keeper)
    assert "has no journey" in str(extra.value)
    assert not Target.objects.exists()


def test_a_target_with_no_data_says_so_and_keeps_no_baseline(small_org):
    outcome = actions.define_outcome({"name": "Lower effort"}, acting_user=small_org.keeper)
    target = actions.set_metric_target(
        {"outcome": outcome, "metric": MetricDefinition.objects.get(key="ces"), "scope": "step",
         "step": small_org.call_step, "value": 5.5, "due": dt.date.today() + dt.timedelta(days=90)},
        acting_user=small_org.keeper)
    assert target.baseline is None
    view = queries.assess(target)
    assert view.status == "no_data"
    assert "0 responses" in view.assessment.explanation and "at least 30" in view.assessment.explanation


def test_a_new_target_takes_the_current_value_as_baseline(outcomes):
    current = queries.current_value(outcomes.org_target)
    assert outcomes.org_target.baseline == pytest.approx(round(current.value, 3))
    assert outcomes.org_target.baseline_date == dt.date.today()


def test_stale_target_edit_is_refused(outcomes, small_org):
    target = outcomes.login_target
    actions.update_target(target, {"value": 5.2}, expected_version=target.version, acting_user=small_org.keeper)
    with pytest.raises(Conflict):
        actions.update_target(target, {"value": 5.3}, expected_version=target.version, acting_user=small_org.admin)
    assert Target.objects.get(pk=target.pk).value == 5.2


KPI_CSV = "period,value,unit\n2026-01,9.1,minutes\n2026-02-01,8.8,minutes\n"


def test_kpi_csv_import_upserts_and_is_recorded(small_org):
    kpi = actions.declare_team_kpi({"team": small_org.service, "name": "Average handle time", "unit": "minutes",
                                    "direction": "down"}, acting_user=SYSTEM)
    assert actions.import_kpi_values(kpi, KPI_CSV, filename="aht.csv", acting_user=SYSTEM) == 2
    assert actions.import_kpi_values(kpi, KPI_CSV, filename="aht.csv", acting_user=SYSTEM) == 2  # idempotent
    assert list(kpi.values.values_list("period", "value")) == [(dt.date(2026, 1, 1), 9.1), (dt.date(2026, 2, 1), 8.8)]
    changes = ChangeRecord.objects.filter(object_id=kpi.pk, action="update")
    assert changes.count() == 1  # the second, identical import changed nothing
    assert changes.get().after["values_source"] == "CSV aht.csv"


def test_kpi_csv_with_wrong_dates_and_units_names_every_problem_and_stores_nothing(small_org):
    kpi = actions.declare_team_kpi({"team": small_org.service, "name": "Average handle time", "unit": "minutes",
                                    "direction": "down"}, acting_user=SYSTEM)
    bad = "period,value,unit\n2026-13-01,9.1,minutes\n2026-02,eight,minutes\n2026-03,7.5,seconds\n2026-04,7.0,\n"
    with pytest.raises(InvalidInput) as refused:
        actions.import_kpi_values(kpi, bad, filename="aht.csv", acting_user=SYSTEM)
    problems = refused.value.errors["file"]
    assert ("aht.csv, row 2, column period: “2026-13-01” is not a date (use YYYY-MM-DD, YYYY-MM or DD/MM/YYYY)."
            in problems)
    assert "aht.csv, row 3, column value: “eight” is not a number." in problems
    assert any("row 4, column unit: “seconds” does not match the KPI's unit “minutes”" in p for p in problems)
    assert len(problems) == 3
    assert not kpi.values.exists()


def test_kpi_csv_without_the_right_header_is_refused(small_org):
    kpi = actions.declare_team_kpi({"team": small_org.it, "name": "Login success", "unit": "%", "direction": "up"},
                                   acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="header must name a date column"):
        actions.import_kpi_values(kpi, "when;how much\n2026-01;3\n", acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="no data rows"):
        actions.import_kpi_values(kpi, "period,value\n", acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="appears twice"):
        actions.import_kpi_values(kpi, "period,value\n2026-01,1\n2026-01-01,2\n", acting_user=SYSTEM)


def test_a_kpi_taken_from_a_metric_has_no_stored_values(small_org):
    ces = MetricDefinition.objects.get(key="ces")
    with pytest.raises(InvalidInput, match="Choose the cxkeeper metric"):
        actions.declare_team_kpi({"team": small_org.it, "name": "Effort", "unit": "", "direction": "up",
                                  "source": "metric"}, acting_user=SYSTEM)
    kpi = actions.declare_team_kpi({"team": small_org.it, "name": "Effort", "unit": "score", "direction": "up",
                                    "source": "metric", "metric": ces}, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="come from feedback"):
        actions.record_kpi_values(kpi, [ValueRow(dt.date(2026, 1, 1), 5.0)], acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="still used by"):
        actions.delete_metric(ces, expected_version=ces.version, acting_user=SYSTEM)


def test_linking_a_kpi_twice_changes_the_one_link(outcomes):
    link = actions.link_kpi_to_outcome(outcomes.handle_time, outcomes.effort, "tension", acting_user=SYSTEM)
    assert outcomes.handle_time.links.count() == 1 and link.kind == "tension"


def test_mission_history_says_who_changed_it_and_when(small_org):
    from cxkeeper.org import actions as org_actions
    from cxkeeper.org.models import Workspace

    workspace = Workspace.current()
    org_actions.update_workspace({"mission": "Easy to do business with"}, expected_version=workspace.version,
                                 acting_user=small_org.keeper)
    workspace.refresh_from_db()
    org_actions.update_workspace({"mission": "Effortless, every time"}, expected_version=workspace.version,
                                 acting_user=small_org.admin)
    org_actions.update_workspace({"name": "Renamed"}, expected_version=workspace.version + 1,
                                 acting_user=small_org.admin)
    history = queries.mission_history()
    assert [(r.actor, r.after["mission"]) for r in history][:2] == [
        (small_org.admin, "Effortless, every time"), (small_org.keeper, "Easy to do business with")]
    assert all(r.after.get("mission") != (r.before or {}).get("mission") for r in history)


def test_deleted_standard_metrics_can_be_restored(small_org):
    sentiment = MetricDefinition.objects.get(key="sentiment")
    actions.delete_metric(sentiment, expected_version=sentiment.version, acting_user=small_org.keeper)
    with pytest.raises(Forbidden):
        actions.restore_standard_metrics(acting_user=small_org.viewer)
    restored = actions.restore_standard_metrics(acting_user=small_org.keeper)
    assert [m.key for m in restored] == ["sentiment"]
    assert actions.restore_standard_metrics(acting_user=small_org.keeper) == []
