"""The priority score: a known case reproduced by hand (the pure ranking and the figures
measured from real rollups), weights that change the order as the formula says, ties and
objections flagged for the executive sponsor, and the history of rank changes."""

from __future__ import annotations

import pytest

from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord
from cxkeeper.initiatives import actions, priority
from cxkeeper.initiatives.models import PriorityWeights, RankingSnapshot
from cxkeeper.initiatives.priority import Measures, PerspectiveSummary, Weights, rank_measures

from .priority_world import AS_OF, friction_points, plant_feedback

pytestmark = pytest.mark.django_db


def measures(pk, title, *, customers, severity, trend, fit, n, asked, heard, effort, objections=0):
    return Measures(pk, title, (), customers, n, severity, "", trend, "", fit, (),
                    PerspectiveSummary(teams_asked=asked, teams_heard=heard, objections=objections,
                                       effort_points=effort))


A = measures(1, "A", customers=100, severity=0.1, trend=1.0, fit=1.5, n=300, asked=3, heard=2, effort=4)
B = measures(2, "B", customers=50, severity=0.0, trend=2.0, fit=0.5, n=50, asked=2, heard=2, effort=2)
C = measures(3, "C", customers=20, severity=0.05, trend=0.5, fit=0.0, n=10, asked=0, heard=0, effort=None)


def test_a_known_board_reproduced_by_hand():
    entries = {e.title: e for e in rank_measures([C, B, A], Weights(impact=3, fit=2, effort=1, confidence=1))}
    # impact = customers × (1 + 10 × severity) × trend: A 100 × 2 × 1 = 200, B 50 × 1 × 2 = 100,
    # C 20 × 1.5 × 0.5 = 15; ÷ the largest (200)
    assert [entries[t].impact for t in "ABC"] == pytest.approx([1.0, 0.5, 0.075])
    assert [entries[t].fit for t in "ABC"] == pytest.approx([1.0, 1 / 3, 0.0])        # 1.5, 0.5, 0 ÷ 1.5
    assert [entries[t].effort for t in "ABC"] == pytest.approx([1.0, 0.5, 0.5])       # 4, 2 ÷ 4; C unknown → ½
    # confidence = (min(1, n ÷ 100) + teams heard ÷ asked) ÷ 2
    assert [entries[t].confidence for t in "ABC"] == pytest.approx([(1 + 2 / 3) / 2, (0.5 + 1) / 2, (0.1 + 0) / 2])
    # score = 100 × (3 impact + 2 fit + 1 confidence − 1 effort) ÷ 7
    assert entries["A"].score == pytest.approx(100 * (3 * 1 + 2 * 1 + 1 * (5 / 6) - 1 * 1) / 7)   # 69.05
    assert entries["B"].score == pytest.approx(100 * (3 * 0.5 + 2 / 3 + 0.75 - 0.5) / 7)          # 34.52
    assert entries["C"].score == pytest.approx(100 * (3 * 0.075 + 0 + 0.05 - 0.5) / 7)            # −3.21
    assert [entries[t].rank for t in "ABC"] == [1, 2, 3]
    assert not any(entries[t].to_sponsor for t in "ABC")


def test_weights_change_the_order_as_the_formula_says():
    # All on effort: 100 × (1 impact − 10 effort) ÷ 11 — A −81.8, B (0.5 − 5) → −40.9, C (0.075 − 5) → −44.8
    entries = rank_measures([A, B, C], Weights(impact=1, fit=0, effort=10, confidence=0))
    assert [e.title for e in entries] == ["B", "C", "A"]
    assert [e.score for e in entries] == pytest.approx([100 * (0.5 - 5) / 11, 100 * (0.075 - 5) / 11,
                                                        100 * (1 - 10) / 11])


def test_ties_and_objections_go_to_the_executive_sponsor():
    twin = measures(4, "A twin", customers=100, severity=0.1, trend=1.0, fit=1.5, n=300, asked=3, heard=2, effort=4)
    objected = measures(5, "Objected", customers=1, severity=0, trend=1, fit=0, n=1, asked=2, heard=2, effort=1,
                        objections=1)
    entries = {e.title: e for e in rank_measures([A, twin, objected], Weights(3, 2, 1, 1))}
    assert entries["A"].to_sponsor and entries["A twin"].to_sponsor
    assert "tied with “A twin”" in entries["A"].flags[0]
    assert entries["Objected"].flags == ["1 team objects"]


def test_the_figures_measured_from_the_rollups_are_the_hand_made_ones(small_org):
    plant_feedback(small_org)
    login, helpline = friction_points(small_org)
    said = {login.pk: PerspectiveSummary(teams_asked=3, teams_heard=3, objections=1, effort_points=8),
            helpline.pk: PerspectiveSummary(teams_asked=2, teams_heard=1, effort_points=2)}
    board = priority.compute_board(weights=PriorityWeights.current(), as_of=AS_OF,
                                   perspectives=lambda fp: said[fp.pk])
    assert (board.period.start.isoformat(), board.period.days) == ("2026-04-02", 90)
    first, second = board.entries
    assert first.title == "Login keeps failing" and second.title == "Helpline hold music"
    per_month = 50 / (90 / 30.4375)                                       # 16.91 customers a month each
    assert first.measures.customers_per_month == pytest.approx(per_month)
    assert first.measures.severity == pytest.approx((4.5 - 3) / 6)       # effort 3 against the journey's 4.5
    assert first.measures.trend == pytest.approx(30 / 20)                 # negative items, second half ÷ first
    assert second.measures.severity == 0 and second.measures.trend == 1.0
    assert first.measures.impact == pytest.approx(per_month * 3.5 * 1.5)
    assert second.impact == pytest.approx(1 / (3.5 * 1.5))
    # default weights 3, 2, 1, 1; no targets, so no strategic fit
    assert first.score == pytest.approx(100 * (3 * 1 + 0 + (0.5 + 1) / 2 - 1) / 7)
    assert second.score == pytest.approx(100 * (3 / 5.25 + (0.5 + 0.5) / 2 - 2 / 8) / 7)
    assert first.to_sponsor and first.flags == ["1 team objects"]
    assert "customer effort 3.0 here against 4.5 on the journey" in first.sentences()["impact"]

    actions.set_priority_weights({"impact": 1, "fit": 0, "effort": 10, "confidence": 0}, expected_version=None,
                                 acting_user=small_org.keeper)
    again = priority.compute_board(weights=PriorityWeights.current(), as_of=AS_OF,
                                   perspectives=lambda fp: said[fp.pk])
    assert [e.title for e in again.entries] == ["Helpline hold music", "Login keeps failing"]
    assert again.entries[0].score == pytest.approx(100 * (1 / 5.25 - 10 * 0.25) / 11)


def test_weights_are_set_by_keepers_with_history_and_checked(small_org):
    with pytest.raises(Forbidden, match="Only a keeper or an admin"):
        actions.set_priority_weights({"impact": 5}, expected_version=None, acting_user=small_org.it_member)
    weights = actions.set_priority_weights({"impact": 5}, expected_version=None, acting_user=small_org.keeper)
    assert (weights.impact, weights.fit) == (5, 2)
    with pytest.raises(InvalidInput) as refused:
        actions.set_priority_weights({"impact": 0, "fit": 0, "confidence": 0}, expected_version=weights.version,
                                     acting_user=small_org.keeper)
    assert "impact" in refused.value.errors
    assert PriorityWeights.objects.get().impact == 5
    actions.set_priority_weights({"effort": 4}, expected_version=weights.version, acting_user=small_org.admin)
    records = ChangeRecord.objects.filter(content_type__model="priorityweights").order_by("at", "id")
    assert [r.action for r in records] == ["create", "update"]
    assert records.last().changed_fields == [("effort", 1.0, 4.0)]


def test_the_board_remembers_each_new_order_and_why(small_org):
    plant_feedback(small_org)
    friction_points(small_org)
    priority.board(as_of=AS_OF)
    priority.board(as_of=AS_OF)  # the same order: nothing new kept
    assert RankingSnapshot.objects.count() == 1
    first = RankingSnapshot.objects.get()
    assert first.cause == "first ranking" and [r["title"] for r in first.ranks] == ["Login keeps failing",
                                                                                  "Helpline hold music"]
    actions.set_priority_weights({"impact": 0, "confidence": 1, "fit": 0, "effort": 0}, expected_version=None,
                                 acting_user=small_org.keeper)
    priority.board(as_of=AS_OF)
    latest = RankingSnapshot.objects.order_by("-id").first()
    assert RankingSnapshot.objects.count() == 2 and latest.cause == "the weights changed"
    assert latest.weights == {"impact": 0.0, "fit": 0.0, "effort": 0.0, "confidence": 1.0}


def test_strategic_fit_counts_each_target_by_status_and_closeness(small_org):
    import datetime as dt

    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.outcomes import actions as outcome_actions
    from cxkeeper.outcomes import queries as outcome_queries
    from cxkeeper.outcomes.models import MetricDefinition

    plant_feedback(small_org)
    login, helpline = friction_points(small_org)
    ces = MetricDefinition.objects.get(key="ces")
    effort = outcome_actions.define_outcome({"name": "Reduce customer effort"}, acting_user=SYSTEM)
    due = dt.date(2026, 12, 31)
    at_login = outcome_actions.set_metric_target({"outcome": effort, "metric": ces, "scope": "step",
                                                  "step": small_org.login_step, "value": 5, "due": due},
                                                 acting_user=SYSTEM)
    everywhere = outcome_actions.set_metric_target({"outcome": effort, "metric": ces, "scope": "organization",
                                                    "value": 6.5, "due": due}, acting_user=SYSTEM)
    status = {t.pk: outcome_queries.assess(t, as_of=AS_OF).status for t in (at_login, everywhere)}
    assert status[at_login.pk] != "on_track" and status[everywhere.pk] != "on_track"  # effort 3 / 4.5 is far off
    board = priority.compute_board(weights=PriorityWeights.current(), as_of=AS_OF)
    by_title = {e.title: e for e in board.entries}
    weight = priority.STATUS_WEIGHT
    assert by_title["Login keeps failing"].measures.fit == pytest.approx(
        weight[status[at_login.pk]] * 1 + weight[status[everywhere.pk]] * 0.25)   # its own step, the organization
    assert by_title["Helpline hold music"].measures.fit == pytest.approx(weight[status[everywhere.pk]] * 0.25)
    assert by_title["Login keeps failing"].fit == 1.0
    sentence = by_title["Login keeps failing"].sentences()["fit"]
    assert "bears on 2 targets" in sentence and "counted in full" in sentence and "counted a quarter" in sentence
