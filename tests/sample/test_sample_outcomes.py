"""The sample's shared outcomes: what `cxkeeper demo` loads after the feedback, and the story
the data tell — Customer Care's average handle time improving while effort at its contact
steps gets worse, the only tension in the data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from rich.console import Console
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights import queries as insight_queries
from cxkeeper.org.models import Team
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.choices import KpiSource, LinkKind, Scope, Status
from cxkeeper.outcomes.models import KpiLink, MetricDefinition, SharedOutcome, SuccessStatement, Target, TeamKpi
from cxkeeper.sample import feedback as generated
from cxkeeper.sample import organization as sample
from cxkeeper.sample import outcomes as sample_outcomes
from cxkeeper.sample.load import load_sample_organization
from cxkeeper.sample.load_feedback import SOURCE_KINDS, canonical
from cxkeeper.testing.worlds import class_world
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace

# Half the demo's year: every Customer Care month still has a few hundred effort answers. The
# rows keep their true step (no router), so the test does not depend on routing quality and
# takes seconds, not minutes; the demo's routed 120,000 rows are checked by hand (see
# docs/outcomes.md, "The sample").
ROWS = 60_000
runner = CliRunner()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def load_sample_with_outcomes():
    load_sample_organization()
    return sample_outcomes.load_sample_outcomes(today=dt.date(2026, 11, 22))


def ingest_generated_year(n_rows: int) -> None:
    sources = {name: insight_actions.source_named(name, acting_user=SYSTEM,
                                                  defaults={"kind": kind, "default_channel": channel})
               for name, (kind, channel) in SOURCE_KINDS.items()}
    batches: dict[str, list] = {name: [] for name in sources}
    for number, row in enumerate(generated.generate_feedback(n_rows), start=1):
        batches[row["source"]].append(dataclasses.replace(canonical(row, number), step=row["true_step"]))
    for name, rows in batches.items():
        for first in range(0, len(rows), 4000):
            insight_actions.ingest_feedback_batch(sources[name], rows[first:first + 4000])


@pytest.fixture
def with_feedback(db, data_dir):
    load_sample_organization()
    ingest_generated_year(ROWS)
    out = io.StringIO()
    made = sample_outcomes.load_sample_outcomes(console=Console(file=out, width=200))
    return made, out.getvalue()


# ---------------------------------------------------------------- what is loaded


@pytest.mark.django_db
class TestTheSampleOutcomes:
    """The sample organization and its outcomes, loaded once for the class (a load takes
    seconds); each test sees them exactly as loaded, whatever the one before it wrote."""

    without_feedback = class_world(load_sample_with_outcomes, data_dir=True)

    def test_four_outcomes_each_measured_with_one_success_statement(self, without_feedback):
        outcomes = list(SharedOutcome.objects.prefetch_related("metrics", "statements"))
        assert [o.name for o in outcomes] == ["Reduce customer effort", "Increase loyalty", "Improve trust",
                                              "Strengthen retention"]
        for outcome in outcomes:
            assert outcome.metrics.count() >= 2, outcome
            statements = list(outcome.statements.all())
            assert len(statements) == 1, outcome
            statement = statements[0]
            assert statement.customer_goal and statement.business_outcome
            assert statement.target is not None and statement.target.outcome_id == outcome.pk
        effort = SuccessStatement.objects.get(outcome__name="Reduce customer effort")
        assert effort.target.metric.key == "ces" and effort.target.comparator == "≥"  # CES: 7 = easy

    def test_custom_metrics_filter_on_what_the_feedback_carries(self, without_feedback):
        business = MetricDefinition.objects.get(key="nps-business")
        assert business.base == "nps" and business.segment in generated.SEGMENTS and not business.channel
        chat = MetricDefinition.objects.get(key="chat-csat")
        assert chat.base == "csat" and chat.channel in generated.CHANNELS and not chat.segment
        assert {m.key for o in SharedOutcome.objects.all() for m in o.metrics.all()} >= {"nps-business", "chat-csat"}

    def test_targets_cover_every_scope_and_fall_due_within_a_year(self, without_feedback):
        targets = list(Target.objects.select_related("metric"))
        assert len(targets) == len(sample_outcomes.TARGETS) == without_feedback.targets
        assert {t.scope for t in targets} == set(Scope.values)
        for target in targets:
            assert dt.date(2026, 12, 31) < target.due <= dt.date(2027, 12, 31), target
            assert target.due.day >= 28  # the end of a month
        # without feedback there is nothing to measure: no baselines, every target "not enough data"
        assert all(t.baseline is None for t in targets)
        assert {queries.assess(t).status for t in targets} == {Status.NO_DATA}

    def test_team_kpis_with_a_year_of_values_and_links(self, without_feedback):
        kpis = list(TeamKpi.objects.select_related("team", "metric").prefetch_related("values", "links__outcome"))
        assert len({k.team_id for k in kpis}) >= 6
        assert {k.source for k in kpis} == set(KpiSource.values)
        for kpi in kpis:
            assert kpi.links.exists(), kpi
            if kpi.source == KpiSource.METRIC:
                assert kpi.metric is not None and not kpi.values.exists()
            else:
                periods = [v.period for v in kpi.values.all()]
                assert len(periods) == 12 and all(p.day == 1 for p in periods), kpi

        handle_time = TeamKpi.objects.get(team__name=sample.CARE, name=sample_outcomes.AHT)
        assert handle_time.direction == "down" and handle_time.unit == "minutes"
        values = [v.value for v in handle_time.values.all()]
        assert all(later < earlier for earlier, later in zip(values, values[1:], strict=False) if later != earlier)
        assert values[-1] < values[0] - 1.5
        link = handle_time.links.get()
        assert (link.outcome.name, link.kind) == ("Reduce customer effort", LinkKind.SUPPORTS)  # declared as helping

        declared = KpiLink.objects.filter(kind=LinkKind.TENSION).select_related("kpi__team")
        assert [(d.kpi.team.name, d.kpi.name) for d in declared] == [(sample.SALES, "Conversion rate")]

        csv_kpi = TeamKpi.objects.get(source=KpiSource.CSV)
        history = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(TeamKpi),
                                              object_id=str(csv_kpi.pk))
        assert any("CSV" in str((r.after or {}).get("values_source", "")) for r in history)

    def test_loading_again_changes_nothing(self, without_feedback):
        before = ChangeRecord.objects.count()
        assert sample_outcomes.load_sample_outcomes() is None
        assert ChangeRecord.objects.count() == before
        assert SharedOutcome.objects.count() == 4

    def test_journey_as_code_is_unaffected(self, without_feedback, tmp_path):
        text = export_workspace()
        assert validate_workspace(text, filename="sample.yaml") == []
        assert apply_workspace(text, filename="sample.yaml").changes == []  # outcomes do not disturb the map
        path = tmp_path / "workspace.yaml"
        result = runner.invoke(app, ["journeys", "export", str(path)])
        assert result.exit_code == 0, result.output
        assert path.read_text(encoding="utf-8") == text
        result = runner.invoke(app, ["journeys", "validate", str(path)])
        assert result.exit_code == 0, result.output


def test_kpi_months_end_with_the_latest_feedback_month():
    months = sample_outcomes.kpi_months(dt.date(2026, 11, 15))
    assert months[0] == dt.date(2025, 12, 1) and months[-1] == dt.date(2026, 11, 1) and len(months) == 12
    assert sample_outcomes.due_date(dt.date(2026, 11, 22), 3) == dt.date(2027, 2, 28)
    text = sample_outcomes.kpi_csv(months[:2], (74.1, 73.8), "%")
    assert text == "period,value,unit\n2025-12,74.1,%\n2026-01,73.8,%\n"


def test_nothing_without_the_sample_organization(db, data_dir):
    assert sample_outcomes.load_sample_outcomes() is None
    assert not SharedOutcome.objects.exists() and not TeamKpi.objects.exists()


# ---------------------------------------------------------------- what the data show


def test_the_year_of_feedback_reveals_handle_time_against_effort_and_a_mix_of_statuses(with_feedback):
    """One test, so the year is imported once."""
    made, printed = with_feedback
    assert "Shared outcomes: 4" in printed and made.values >= 12 * 7
    as_of = insight_queries.latest_feedback_day()
    findings = queries.tension_findings(as_of=as_of)
    tested = [f for f in findings if f.test.p_value is not None]
    assert len(tested) >= 30  # every KPI × shared measure with enough months was really compared
    found = [f for f in findings if f.found]
    assert [(f.kpi.team.name, f.kpi.name, f.metric.key) for f in found] == [
        (sample.CARE, sample_outcomes.AHT, "ces")], [f.test.explanation for f in found]
    tension = found[0].test
    assert tension.strength == "strong", tension.explanation
    assert tension.periods == 12 and tension.effect >= 0.5  # CES points lost over the year
    assert found[0].declared is None  # declared as supporting: only the data reveal it
    assert "Average handle time" in tension.explanation and "worsened" in tension.explanation

    # Sales' declared tension with trust is not visible at Sales' own steps
    sales = [f for f in findings if f.kpi.team.name == sample.SALES and f.test.p_value is not None]
    assert sales and not any(f.found for f in sales)

    care = queries.scorecard(Team.objects.get(name=sample.CARE), as_of=as_of, with_friction=False)
    assert [(f.kpi.name, f.metric.key) for f in care.tensions] == [(sample_outcomes.AHT, "ces")]
    assert queries.scorecard(Team.objects.get(name=sample.IT), as_of=as_of, with_friction=False).tensions == []

    # ---- the targets: a mix of statuses, baselines from the first quarter of the year
    view = queries.org_view(as_of=as_of)
    counts = view.status_counts
    assert sum(counts.values()) == len(sample_outcomes.TARGETS)
    assert counts[Status.ON_TRACK] >= 2 and counts[Status.OFF_TRACK] >= 2 and counts[Status.AT_RISK] >= 2, counts
    assert counts[Status.NO_DATA] >= 1, counts  # chat payment help: the channel does not exist yet
    assert [f.kpi.name for f in view.tensions] == [sample_outcomes.AHT]
    by_handle = {spec.handle: spec for spec in sample_outcomes.TARGETS}
    statuses = {}
    for outcome in view.outcomes:
        for target_view in outcome.targets:
            target = target_view.target
            handle = next(h for h, s in by_handle.items() if s.value == target.value and s.metric == target.metric.key
                          and s.scope == target.scope)
            statuses[handle] = target_view.status
            assert target_view.assessment.explanation
            if target_view.status != Status.NO_DATA:
                assert target.baseline is not None and target.baseline_date < as_of - dt.timedelta(days=120)
    assert statuses["effort-login"] == Status.ON_TRACK  # IT's login fix
    assert statuses["effort-agent"] == Status.OFF_TRACK  # effort at agent calls, falling
    assert statuses["chat-paying"] == Status.NO_DATA
