"""Outcome reads on a year of feedback whose truth is known (testing/outcomes_builders.py):
values at a scope equal the raw rows, the designed tension is found and nothing else."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.outcomes import actions, queries
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.outcomes_builders import year_of_feedback

pytestmark = pytest.mark.django_db


def _raw_ces(step_name: str, start: dt.date, end: dt.date) -> list[int]:
    return [r.ces for r in year_of_feedback() if r.step == step_name and r.ces is not None
            and start <= timezone.localtime(r.received_at).date() <= end]


def test_value_at_a_step_equals_the_raw_rows(outcomes, small_org):
    as_of = dt.date.today()
    start = as_of - dt.timedelta(days=89)
    raw = _raw_ces("Log in to the app", start, as_of)
    value = queries.metric_value(outcomes.ces, [small_org.login_step.pk], start, as_of)
    assert value.n == len(raw)
    assert value.value == pytest.approx(statistics.mean(raw))
    assert value.low < value.value < value.high


def test_organization_scope_includes_every_step(outcomes):
    as_of = dt.date.today()
    start = as_of - dt.timedelta(days=89)
    raw = _raw_ces("Log in to the app", start, as_of) + _raw_ces("Call the helpline", start, as_of)
    value = queries.current_value(outcomes.org_target, as_of=as_of)
    assert (value.n, value.value) == (len(raw), pytest.approx(statistics.mean(raw)))


def test_monthly_values_cover_twelve_months_with_gaps_visible(outcomes, small_org):
    series = queries.monthly_values(outcomes.ces, [small_org.call_step.pk], end=dt.date.today())
    assert len(series) == 12
    assert [m for m, _ in series] == sorted(m for m, _ in series)
    assert all(m.day == 1 for m, _ in series)
    assert sum(v.n for _, v in series) <= 12 * 60


def test_a_filtered_metric_reads_only_its_channel(outcomes, small_org):
    app_only = actions.define_metric({"key": "app-ces", "name": "App effort", "base": "ces", "channel": "app"},
                                     acting_user=SYSTEM)
    as_of = dt.date.today()
    start = as_of - dt.timedelta(days=89)
    both = queries.metric_value(outcomes.ces, None, start, as_of)
    app = queries.metric_value(app_only, None, start, as_of)
    login = queries.metric_value(outcomes.ces, [small_org.login_step.pk], start, as_of)
    assert app.n == login.n < both.n  # the fixture's app feedback is all at the login step
    assert app.value == pytest.approx(login.value)


def test_the_designed_tension_is_found_and_nothing_else(outcomes):
    findings = queries.tension_findings()
    found = [(f.kpi.name, f.metric.key) for f in findings if f.found]
    assert found == [("Average handle time", "ces")]
    finding = next(f for f in findings if f.found)
    assert finding.test.strength == "strong"
    assert finding.declared is None  # declared as supporting: the data disagrees
    assert finding.test.periods >= 6
    assert "Average handle time" in finding.test.explanation and "worsened" in finding.test.explanation


def test_too_few_kpi_months_never_make_a_tension(outcomes, small_org):
    kpi = actions.declare_team_kpi({"team": small_org.service, "name": "Cost per contact", "unit": "€",
                                    "direction": "down"}, acting_user=SYSTEM)
    today = dt.date.today().replace(day=1)
    actions.record_kpi_values(kpi, [actions.ValueRow(queries.months_back(today, i), 10.0 - i) for i in range(3)],
                              acting_user=SYSTEM)
    tests = [f.test for f in queries.tension_findings() if f.kpi.pk == kpi.pk]
    assert tests and all(t.strength == "not enough data" and not t.found for t in tests)


def test_scorecard_of_customer_service(outcomes, small_org):
    card = queries.scorecard(small_org.service, as_of=dt.date.today())
    assert {line.step.name: line.role for line in card.steps} == {"Log in to the app": "contributes",
                                                                  "Call the helpline": "owns"}
    assert [k.kpi.name for k in card.kpis] == ["Average handle time"]
    assert card.kpis[0].improving is True  # handle time fell
    assert [(f.kpi.name, f.metric.key) for f in card.tensions] == [("Average handle time", "ces")]
    assert {v.target.pk for v in card.targets} == {outcomes.org_target.pk, outcomes.login_target.pk}
    helpline = next(line for line in card.steps if line.step.name == "Call the helpline")
    change = helpline.changes["ces"]
    assert change.current.n == helpline.n and change.previous.n > 0
    assert change.difference == pytest.approx(change.current.value - change.previous.value)


def test_scorecard_of_a_team_with_nothing(small_org):
    card = queries.scorecard(small_org.sales, as_of=dt.date.today())
    assert card.steps == [] and card.kpis == [] and card.tensions == []
    assert not card.totals["ces"].current.enough


def test_org_view_for_the_sponsor(outcomes, small_org):
    view = queries.org_view(as_of=dt.date.today())
    assert [o.outcome.name for o in view.outcomes] == ["Reduce customer effort", "Increase loyalty"]
    assert sum(view.status_counts.values()) == 2
    assert view.worst_steps[0].step == small_org.call_step  # effort there is worst
    assert view.worst_steps[0].owners == [small_org.service]
    assert [f.kpi.name for f in view.tensions] == ["Average handle time"]


def test_alignment_connects_the_north_star_to_kpis_and_highlights_the_found_tension(outcomes):
    graph = queries.alignment(as_of=dt.date.today())
    kinds = {kind: nodes for kind, nodes in graph.columns}
    assert len(kinds["Shared outcomes"]) == 2 and len(kinds["Team KPIs"]) == 2
    ces = MetricDefinition.objects.get(key="ces")
    assert any(e.kind == "found_tension" and e.source == f"m{ces.pk}" and e.target == f"k{outcomes.handle_time.pk}"
               for e in graph.edges)
    kpi_node = next(n for n in kinds["Team KPIs"] if n.id == f"k{outcomes.handle_time.pk}")
    assert kpi_node.status == "tension" and kpi_node.url.endswith(f"/kpis/{outcomes.handle_time.pk}/")
