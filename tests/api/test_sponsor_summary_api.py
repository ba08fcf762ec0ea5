"""The sponsor's summary in the organization scorecard's answer: the same figures and words as
the page and the report (one truth; decision 0038)."""

import pytest

from cxkeeper.outcomes import queries
from cxkeeper.outcomes.summary import sponsor_summary
from cxkeeper.testing.outcomes_builders import build_outcomes

pytestmark = pytest.mark.django_db


def test_the_org_scorecard_carries_the_summary_of_the_page(small_org, api_as):
    build_outcomes(small_org)
    body = api_as(small_org.viewer).get("/scorecards/organization").json()
    summary = sponsor_summary(queries.org_view())
    out = body["summary"]
    assert out["sentences"] == summary.sentences
    assert out["status_counts"] == body["status_counts"] == summary.status_counts
    assert out["north_star"]["target_id"] == summary.north_star.view.target.pk
    # a mover's p is the p of its target's trend line, as the target's own page and answer carry it
    lines = {t.target.pk: t.assessment.trend_p for o in queries.org_view().outcomes for t in o.targets}
    targets = {t["id"] for o in body["outcomes"] for t in o["targets"]}
    assert out["movers"], "the builder's login effort improves clearly"
    for mover in out["movers"]:
        assert mover["clear"] and mover["q"] <= 0.05
        assert mover["target_id"] in targets and mover["p"] == pytest.approx(lines[mover["target_id"]])
    assert out["n_escalations"] == 0 and out["escalations"] == []
