"""The sample's initiatives and ranked board: IT's app-login fix led by IT & Digital Platforms
with Digital Experience Design and Customer Care contributing, shipped on the generator's
login-fix date; two outage initiatives, one depending on the other; weights set; a board of
open friction points with its first ranking kept."""

from __future__ import annotations

import pytest

from cxkeeper.initiatives.models import Initiative, PriorityWeights, RankingSnapshot
from cxkeeper.sample import initiatives as sample_initiatives
from cxkeeper.sample.feedback import LOGIN_FIX_DATE, stories
from cxkeeper.sample.load import load_sample_organization

pytestmark = pytest.mark.django_db


def test_the_login_fix_is_shipped_on_the_generators_date_with_its_teams(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    load_sample_organization()
    made = sample_initiatives.load_sample_initiatives()
    assert made is not None and len(made) == 3
    fix = Initiative.objects.get(title="Fix the app login")
    assert fix.status == "shipped" and fix.ship_date == stories().login_fix == LOGIN_FIX_DATE
    assert [(r.team.name, r.role) for r in fix.teams_in_order()] == [
        ("IT & Digital Platforms", "lead"), ("Customer Care", "contributes"),
        ("Digital Experience Design", "contributes")]
    assert [s.name for s in fix.steps.all()] == ["Log in to the app"]
    assert {m.metric.key: m.direction for m in fix.metric_moves.all()} == {"ces": "up", "complaints": "down"}
    assert fix.friction_point.status == "addressed"
    messages = Initiative.objects.get(title="Outage messages that say when service is back")
    assert [d.title for d in messages.depends_on.all()] == ["Feed the status page from network monitoring"]
    weights = PriorityWeights.objects.get()
    assert (weights.impact, weights.fit, weights.effort, weights.confidence, weights.period_days) == (3, 2, 1, 1, 90)
    [snapshot] = RankingSnapshot.objects.all()
    assert sorted(r["title"] for r in snapshot.ranks) == ["Long waits to talk to an agent",
                                                          "Outage messages leave customers guessing"]
    assert sample_initiatives.load_sample_initiatives() is None  # not loaded twice
