"""Numbers in range and readable: a projection past the metric's scale is cut and says so;
a target with too little data shows a sentence, not an empty chart, on its page and in the
report; the target card writes its numbers with the metric's digits and unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.outcomes import actions, charts, queries
from cxkeeper.outcomes.reports import org_report
from cxkeeper.outcomes.status import assess_target
from cxkeeper.testing.outcomes_builders import build_outcomes

D = dt.date
Z95 = 1.959963984540054


def mv(value: float, se: float, n: int = 400) -> MetricValue:
    return MetricValue(value, n, value - Z95 * se, value + Z95 * se, True)


# four months of CES rising 0.28 a month: the line projects 6.80 (5.63 to 7.97) by 31 Jul
RISING = [(D(2026, m, 1), mv(v, 0.1)) for m, v in zip((1, 2, 3, 4), (5.0, 5.3, 5.4, 5.9), strict=True)]


def assess(**kw):
    kw.setdefault("current", MetricValue(5.7, 400, 5.5, 5.9, True))
    return assess_target(monthly=RISING, target=5.6, higher_is_better=True, due=D(2026, 7, 31),
                         as_of=D(2026, 4, 30), metric_label="CES at Installation", **kw)


def test_a_projection_past_the_top_of_the_scale_is_cut_and_said():
    free = assess()
    assert free.projected_high > 7 and free.projection_note == ""
    cut = assess(scale=(1, 7), digits=2)
    assert cut.projected == pytest.approx(6.80)
    assert cut.projected_low == pytest.approx(free.projected_low) and cut.projected_high == 7
    assert cut.projection_note == "the top of the scale"
    assert "projects 6.80 (5.63 to 7.00, the top of the scale) by then" in cut.explanation
    assert cut.status == free.status  # cutting never changes what the interval says about the target


def test_a_projection_below_zero_percent_is_cut_and_keeps_its_unit():
    falling = [(d, mv(v, 0.3)) for d, v in zip((D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)),
                                               (3.0, 2.2, 1.6, 0.8), strict=True)]
    a = assess_target(current=MetricValue(0.8, 900, 0.3, 1.3, True), monthly=falling, target=0.5,
                      higher_is_better=False, due=D(2026, 9, 30), as_of=D(2026, 4, 30), metric_label="Complaints",
                      unit="%", baseline=4.04, scale=(0, 100), digits=1)
    assert a.projected == 0 and a.projected_low == 0 and a.projection_note == "the bottom of the scale"
    assert "Complaints is 0.8% (0.3% to 1.3%, n=900) against a target of ≤ 0.5% by 30 Sep 2026 (baseline 4.0%)" \
        in a.explanation
    assert "a month, p=" in a.explanation and "% a month" in a.explanation
    assert "projects 0.0% (0.0% to " in a.explanation and "the bottom of the scale) by then" in a.explanation
    assert "−" not in a.explanation.split("projects")[1].split("by then")[0]  # no negative share


def test_the_current_interval_is_cut_too():
    a = assess(current=MetricValue(6.6, 40, 6.1, 7.1, True), scale=(1, 7), digits=2)
    assert a.explanation.startswith("CES at Installation is 6.60 (6.10 to 7.00, the top of the scale, n=40)")


@pytest.fixture
def org(small_org):
    small_org.outcomes = build_outcomes(small_org)
    return small_org


def thin_target(org):
    email = actions.define_metric({"key": "csat-email", "name": "CSAT by e-mail", "base": "csat", "channel": "email"},
                                  acting_user=SYSTEM)
    return actions.set_metric_target({"outcome": org.outcomes.effort, "metric": email, "scope": "step",
                                      "step": org.call_step, "value": 70, "baseline": 40.1,
                                      "due": dt.date.today() + dt.timedelta(days=60)}, acting_user=SYSTEM)


def test_a_target_with_too_little_data_shows_a_sentence_not_an_empty_chart(org):
    target = thin_target(org)
    view = queries.assess(target)
    spec = charts.target_trend(view)
    assert spec == {"too_little": "Too little data to draw a line: 0 of 12 months have at least 30 responses."}
    client = Client()
    client.force_login(org.viewer)
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert "Too little data to draw a line: 0 of 12 months have at least 30 responses." in page
    assert f'data-chart="chart-target-{target.pk}' not in page
    assert "CSAT by e-mail ≥ 70% by" in page and "baseline 40.1%" in page
    assert "40.100" not in page


def test_a_target_with_data_draws_its_chart_inside_the_scale_with_units(org):
    view = queries.assess(org.outcomes.org_target)
    spec = charts.target_trend(view)
    low, high = spec["layer"][2]["encoding"]["y"]["scale"]["domain"]
    assert 1 <= low < high <= 7  # CES
    assert spec["layer"][2]["encoding"]["y"]["axis"]["format"] == ",.2f"


def test_the_report_says_too_little_data_instead_of_a_chart(org):
    target = thin_target(org)
    markdown = org_report("md").content.decode("utf-8")
    assert "Too little data to draw a line (fewer than two months with at least 30 responses): " \
           f"CSAT by e-mail at {target.scope_label}." in markdown
    assert "CSAT by e-mail ≥ 70% by" in markdown


def test_the_organization_view_writes_its_numbers_through_the_formatter(org):
    client = Client()
    client.force_login(org.viewer)
    page = client.get("/scorecards/organization/").content.decode()
    assert page.count('data-chart="chart-target-') == 2  # both targets have months enough to draw
    assert "Too little data" not in page
    assert "floatformat" not in page and "95%:" in page
    assert " to " in page.split("95%:")[1][:40]  # an interval reads "low to high"


def test_the_api_and_the_cli_json_say_where_a_projection_was_cut(small_org):
    """CES at a step rising about a point a month projects past 7 by a due date six months out:
    the page says "the top of the scale", and so do `GET /api/v1/targets/{id}` (`projection.note`)
    and `cxkeeper outcomes status --json` (`projection_note`), with the cut numbers."""
    import json

    from typer.testing import CliRunner

    from cxkeeper.cli import app
    from cxkeeper.insights.actions import create_source, ingest_feedback_batch
    from cxkeeper.insights.ingest.canonical import CanonicalRow

    built = build_outcomes(small_org, with_feedback=False)
    step = small_org.call_step
    today = dt.date.today()
    scores = {0: (3, 4, 5), 1: (4, 5, 6), 2: (5, 6, 7), 3: (6, 7, 7, 7, 7)}  # month means 4, 5, 6, 6.8
    rows = [CanonicalRow(external_id=f"C{k}-{j}", channel="phone", row_number=j + 2, text="", step=step.name,
                         ces=scores[k][j % len(scores[k])],
                         received_at=dt.datetime.combine(today - dt.timedelta(days=95 - 30 * k - j % 25),
                                                         dt.time(11), tzinfo=dt.UTC))
            for k in range(4) for j in range(60)]
    ingest_feedback_batch(create_source({"name": "Call survey"}, acting_user=SYSTEM), rows)
    target = actions.set_metric_target({"outcome": built.effort, "metric": built.ces, "scope": "step", "step": step,
                                        "value": 6.5, "due": today + dt.timedelta(days=180)}, acting_user=SYSTEM)
    view = queries.assess(target)
    assert view.assessment.projection_note == "the top of the scale" and view.assessment.projected_high == 7

    client = Client()
    client.force_login(small_org.viewer)
    assert "the top of the scale" in client.get(f"/targets/{target.pk}/").content.decode()
    projection = client.get(f"/api/v1/targets/{target.pk}").json()["projection"]
    assert projection["note"] == "the top of the scale" and projection["high"] == 7
    result = CliRunner().invoke(app, ["outcomes", "status", "--json"])
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.output) if r["id"] == target.pk)
    assert row["projection_note"] == "the top of the scale" and row["projected_high"] == 7
    others = [r for r in json.loads(result.output) if r["id"] != target.pk]
    assert others and all(r["projection_note"] in ("", "the top of the scale", "the bottom of the scale",
                                                   "both ends of the scale") for r in others)
