"""`measure_impact` and `cxkeeper impact` on bad input: a clear error naming the field, or the
verdict "too early" with its reason when there is nothing to measure yet."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights.impact import impact_metric, measure_impact, steps_named

runner = CliRunner()
DAY = dt.date(2026, 6, 1)


def test_metrics_by_key_or_label():
    assert impact_metric("NPS") == "nps" and impact_metric("% easy") == "ces_easy"
    assert impact_metric("Complaints (count)") == "complaint_count"
    with pytest.raises(InvalidInput) as error:
        impact_metric("happiness")
    assert "metric" in error.value.errors


@pytest.mark.django_db
def test_bad_input_names_the_field(small_org):
    login = small_org.login_step
    cases = [
        (lambda: measure_impact([login], "happiness", DAY), "metric"),
        (lambda: measure_impact([login], "mentions", DAY), "topic"),
        (lambda: measure_impact([], "ces", DAY), "steps"),
        (lambda: measure_impact([10**9], "ces", DAY), "steps"),
        (lambda: measure_impact([login], "ces", DAY, grain="month"), "grain"),
        (lambda: measure_impact([login], "ces", DAY, comparison=[login]), "comparison"),
        (lambda: measure_impact([login], "ces", DAY, min_effect=-1), "min_effect"),
        (lambda: steps_named("Nowhere/Nothing"), "steps"),
        (lambda: steps_named(""), "steps"),
    ]
    for call, name in cases:
        with pytest.raises(InvalidInput) as error:
            call()
        assert name in error.value.errors


@pytest.mark.django_db
def test_nothing_to_measure_is_too_early_with_its_reason(small_org):
    login = small_org.login_step
    future = measure_impact([login], "ces", DAY + dt.timedelta(days=30), as_of=DAY)
    assert (future.verdict, future.assessment.reason) == ("too_early", "after_data")
    assert future.sentence.startswith("Too early:") and "after the last day of data" in future.sentence
    empty = measure_impact([login], "ces", DAY, as_of=DAY + dt.timedelta(days=60))
    assert empty.verdict == "too_early" and empty.assessment.reason == "no_comparison"
    assert empty.sentence.startswith("Cannot measure")
    assert empty.as_dict()["verdict_label"] == "Too early"


@pytest.mark.django_db
def test_the_cli_refuses_bad_input_with_the_option_named(small_org):
    login = small_org.login_step
    out = runner.invoke(app, ["impact", "--steps", login.name, "--metric", "happiness", "--since", "2026-06-01"])
    assert out.exit_code == 2 and "--metric" in out.output
    out = runner.invoke(app, ["impact", "--steps", login.name, "--metric", "ces", "--since", "June"])
    assert out.exit_code == 2 and "--since" in out.output
    out = runner.invoke(app, ["impact", "--steps", "Nowhere/Nothing", "--metric", "ces", "--since", "2026-06-01"])
    assert out.exit_code == 2 and "--steps" in out.output


@pytest.mark.django_db
def test_the_cli_measures_the_whole_organization_or_says_why_not(small_org):
    login = small_org.login_step
    out = runner.invoke(app, ["impact", "--organization", "--metric", "ces", "--since", "2026-06-01", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert body["verdict"] in ("too_early", "cannot_measure") or "whole organization" in body["sentence"]
    out = runner.invoke(app, ["impact", "--metric", "ces", "--since", "2026-06-01"])
    assert out.exit_code == 2 and "--steps" in out.output  # without --organization the steps are needed
    out = runner.invoke(app, ["impact", "--organization", "--steps", login.name, "--metric", "ces",
                              "--since", "2026-06-01"])
    assert out.exit_code == 2 and "--organization" in out.output
