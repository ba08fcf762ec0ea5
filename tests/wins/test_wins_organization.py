"""An initiative that names no step is organization-wide: the wins app measures it on the whole
organization's series without a comparison (insights.impact, scope "organization"; decision
0034), its sentence saying so — not "cannot measure yet"."""

from __future__ import annotations

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.wins_builders import FIX, build_wins_world
from cxkeeper.wins import measure
from cxkeeper.wins.models import Measurement


@pytest.mark.django_db
def test_an_initiative_without_steps_is_measured_on_the_whole_organization():
    w = build_wins_world()
    ces = MetricDefinition.objects.get(key="ces")
    i = initiative_actions.plan_initiative({"title": "New tone of voice everywhere", "teams": [(w.sales, "lead")],
                                            "steps": [], "metrics": [(ces, "up")]}, acting_user=SYSTEM)
    for status in ("approved", "in_progress"):
        i = initiative_actions.set_initiative_status(i, status, expected_version=i.version, acting_user=SYSTEM)
    i = initiative_actions.set_initiative_status(i, "shipped", ship_date=FIX, expected_version=i.version,
                                                 acting_user=SYSTEM)
    as_of = measure.current_stamp()[3]
    assert measure.subject_problem(i, as_of) == ""
    plans = measure.planned_measurements(i)
    assert [p.step_ids for p in plans] == [()]
    values = measure.measure_one(i, plans[0], as_of=as_of, exclude={w.login_step.pk})
    assert values["scope"] == measure.ORGANIZATION_SCOPE
    # About +0.2 across the organization (the login step up, the tracker step down): under the
    # organization-level minimum, so no credible change — with the caveat in the sentence.
    assert values["verdict"] == "no_credible_change", values["sentence"]
    assert "across the whole organization" in values["sentence"]
    assert "without a comparison: drift could look like an effect" in values["sentence"]
    assert values["details"]["scope"] == "organization" and values["details"]["placebo_dates"] >= 8
    from cxkeeper.core import figures

    with figures.computed_fresh():
        measure.ensure_measured()
    row = Measurement.objects.get(initiative=i, key="ces")
    assert row.verdict == "no_credible_change" and row.scope == measure.ORGANIZATION_SCOPE
