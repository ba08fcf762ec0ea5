"""Organization-level impact (analytics.impact_org, decision 0034): the whole organization's
series with no comparison — seasonality terms, a wider minimum effect and placebo dates.

Validity simulated as for the steps (bounded; more runs with CXKEEPER_IMPACT_SIMS=1000, or
`python bench/impact_validity.py`), then the rules on hand-made series, then `measure_impact`
with scope "organization" on a small database world."""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights.analytics.impact import IMPACT_METRICS
from cxkeeper.insights.analytics.impact_org import (
    MIN_PLACEBOS,
    ORG_MIN_EFFECT_FACTOR,
    assess_organization,
    org_periods_before_needed,
)
from cxkeeper.insights.analytics.impact_simulation import ORG_SCENARIOS, run_org_scenario
from cxkeeper.insights.impact import measure_impact

SIMS = int(os.environ.get("CXKEEPER_IMPACT_SIMS", "60"))
NULLS = [name for name, s in ORG_SCENARIOS.items() if s.expect == "no_win"]
EFFECTS = [name for name, s in ORG_SCENARIOS.items() if s.expect == "win"]


@pytest.mark.parametrize("name", NULLS)
def test_null_worlds_give_few_false_wins(name):
    result = run_org_scenario(name, SIMS, seed=7)
    low, high = result.interval()
    print(f"\n{name}: {result.wins}/{result.runs} false wins ({low:.1%} to {high:.1%}), {result.worse} called worse")
    assert low <= 0.05, f"{name}: {result.wins}/{result.runs} false wins"
    if SIMS >= 400:
        assert result.win_rate <= 0.05


@pytest.mark.parametrize("name", EFFECTS)
def test_a_real_effect_is_found(name):
    result = run_org_scenario(name, max(20, SIMS // 2), seed=11)
    print(f"\n{name}: found in {result.wins}/{result.runs}, mean effect {result.mean_effect:+.3f}")
    assert result.win_rate >= 0.8
    assert result.worse == 0


# ---------------------------------------------------------------- the rules on made series


def ces_series(means, n=400, sd=1.0):
    """Weekly CES sums whose per-answer spread is `sd` around each week's mean (deterministic:
    half the answers at mean − sd, half at mean + sd)."""
    out = []
    for mean in means:
        low, high = mean - sd, mean + sd
        out.append({"n": n, "ces_n": n, "ces_sum": n / 2 * (low + high), "ces_sumsq": n / 2 * (low ** 2 + high ** 2)})
    return out


def test_a_clear_jump_on_a_flat_series_is_a_win_with_its_placebos():
    rng = np.random.default_rng(1)
    means = 4.5 + rng.normal(0, 0.02, 40) + np.r_[np.zeros(28), np.full(12, 0.6)]
    a = assess_organization("ces", ces_series(means), 28)
    assert a.verdict == "win" and a.scope == "organization"
    assert a.min_effect == pytest.approx(ORG_MIN_EFFECT_FACTOR * IMPACT_METRICS["ces"].min_effect)
    assert len(a.placebo_effects) >= MIN_PLACEBOS and a.placebo_share_below == 1.0
    assert 0.5 < a.effect.value < 0.7


def test_a_jump_the_series_has_made_before_without_a_change_is_not_credited():
    # A lasting jump of 0.6 on the change date (week 53) — but weeks 30 to 43 stood 1.0 higher for
    # no reason: the regression alone credits the jump, the placebo dates find as large a break.
    weeks = np.arange(65)
    for seed in range(5):
        noise = np.random.default_rng(seed).normal(0, 0.02, 65)
        means = 4.5 + noise + 1.0 * ((weeks >= 30) & (weeks < 44)) + 0.6 * (weeks >= 53)
        a = assess_organization("ces", ces_series(means), 53)
        assert a.effect.p_value < 0.05 and a.effect.value >= a.min_effect, a.effect
        assert a.placebo_share_below < 0.95 and a.verdict == "no_credible_change"
        # the same jump on a quiet history is a win
        quiet = assess_organization("ces", ces_series(4.5 + noise + 0.6 * (weeks >= 53)), 53)
        assert quiet.verdict == "win" and quiet.placebo_share_below == 1.0


def test_too_little_history_for_placebo_dates_is_too_early():
    needed = org_periods_before_needed(7)
    means = np.full(needed - 1 + 10, 4.5)
    a = assess_organization("ces", ces_series(means), needed - 1)
    assert a.verdict == "too_early" and a.reason == "few_periods_before" and a.need_periods_before == needed
    a = assess_organization("ces", ces_series(np.full(needed + 10, 4.5)), needed)
    assert a.verdict == "no_credible_change"


def test_seasonality_terms_follow_the_grain_and_the_history():
    rng = np.random.default_rng(2)
    daily = [{"n": int(k)} for k in rng.poisson(200, 300)]
    a = assess_organization("volume", daily, 240, grain_days=1)
    assert a.seasonality == "day of week"
    weekly = ces_series(4.5 + 0.3 * np.sin(2 * np.pi * np.arange(66) * 7 / 365.25))
    assert assess_organization("ces", weekly, 54).seasonality == "yearly cycle"
    assert assess_organization("ces", weekly[20:], 34).seasonality == ""
    with pytest.raises(ValueError):
        assess_organization("ces", weekly, 54, min_effect=-1)


# ---------------------------------------------------------------- measure_impact, scope "organization"


@pytest.mark.django_db
def test_measure_impact_on_the_whole_organization():
    from cxkeeper.testing.wins_builders import FIX, build_wins_world

    build_wins_world()
    as_of = FIX + dt.timedelta(weeks=10)
    result = measure_impact([], "ces", FIX, as_of=as_of, scope="organization")
    # The login step gains 2.5, a fifth of the answers; the tracker step loses 1.5, another fifth:
    # the organization moves about +0.2, under the organization-level minimum of 0.3.
    assert result.scope == "organization" and result.steps == []
    assert result.verdict == "no_credible_change", result.sentence
    assert result.sentence.startswith("No credible change: CES across the whole organization")
    assert "without a comparison: drift could look like an effect; we checked" in result.sentence
    details = result.as_dict()["details"]
    assert details["scope"] == "organization" and details["placebo_dates"] >= MIN_PLACEBOS
    assert details["comparison_steps"] == [] and details["n_before"] > 1000
    assert result.as_dict()["scope"] == "organization"
    # a change after the data: too early
    later = measure_impact([], "ces", as_of + dt.timedelta(days=3), as_of=as_of, scope="organization")
    assert later.verdict == "too_early"
    # every step named: nothing left to compare with, measured on the whole organization too
    from cxkeeper.journeys.models import Step

    every = measure_impact(list(Step.objects.all()), "ces", FIX, as_of=as_of)
    assert every.scope == "organization" and every.assessment.effect.value == result.assessment.effect.value


@pytest.mark.django_db
def test_organization_scope_input(small_org):
    with pytest.raises(InvalidInput) as error:
        measure_impact([small_org.login_step], "ces", dt.date(2026, 6, 1), scope="organization")
    assert "scope" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        measure_impact([], "ces", dt.date(2026, 6, 1), scope="everywhere")
    assert "scope" in error.value.errors
