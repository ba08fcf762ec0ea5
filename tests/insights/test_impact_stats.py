"""The impact engine's statistics (`analytics.impact`): the segmented regression, its robust
errors, the per-period values from rollup sums, and the verdict rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxkeeper.insights.analytics.impact import (
    IMPACT_METRICS,
    assess_change,
    fit_segmented,
    newey_west_lags,
    period_series,
)


def ces_period(n: int, mean: float, sd: float = 1.5) -> dict:
    """Exact sums of n answers with the given mean and sd (no randomness)."""
    return {"n": n, "ces_n": n, "ces_sum": n * mean, "ces_sumsq": n * (sd * sd + mean * mean)}


def test_the_regression_recovers_level_and_slope_changes_exactly():
    tau = np.arange(-10, 8, dtype=float)
    post = (tau >= 0).astype(float)
    d = 1.0 + 0.05 * tau + 0.7 * post + 0.02 * tau * post
    fit = fit_segmented(d, np.full(len(d), 0.01), tau, post)
    assert np.allclose(fit.coef, [1.0, 0.05, 0.7, 0.02])
    assert fit.df == len(d) - 4 and fit.lags == newey_west_lags(len(d)) == 4


def test_the_variance_is_never_below_what_the_sampling_noise_implies():
    tau = np.arange(-10, 8, dtype=float)
    post = (tau >= 0).astype(float)
    d = 0.3 * post  # a perfect fit: zero residuals, zero robust variance
    fit = fit_segmented(d, np.full(len(d), 0.04), tau, post)
    estimate, se = fit.contrast([0, 0, 1, 0])
    assert estimate == pytest.approx(0.3)
    assert se == pytest.approx(math.sqrt(fit.cov_model[2, 2])) and se > 0


def test_a_wider_bandwidth_widens_the_critical_value():
    tau = np.arange(-26, 12, dtype=float)
    post = (tau >= 0).astype(float)
    rng = np.random.default_rng(1)
    fit = fit_segmented(rng.normal(0, 1, len(tau)), np.ones(len(tau)), tau, post)
    assert fit.critical(0.05) > 2.03  # t with 34 df is 2.03; fixed-b widens it
    assert fit.p_value(fit.critical(0.05)) == pytest.approx(0.05)


def test_period_values_from_rollup_sums():
    nps = period_series("nps", [{"nps_n": 10, "promoters": 5, "detractors": 2}, {}])
    assert nps.value[0] == pytest.approx(30.0) and math.isnan(nps.value[1]) and nps.n.tolist() == [10, 0]
    csat = period_series("csat", [{"csat_n": 4, "csat_top": 3}])
    assert csat.value[0] == pytest.approx(75.0)
    churn = period_series("churn_rate", [{"churn_n": 1, "renewal_n": 3}])
    assert churn.value[0] == pytest.approx(25.0) and churn.n[0] == 4
    volume = period_series("volume", [{"n": 9.5}, {"n": 0}])
    assert volume.value.tolist() == pytest.approx([math.log(10), math.log(0.5)])
    assert volume.variance.tolist() == pytest.approx([0.1, 2.0])


def test_score_weights_follow_n():
    ces = period_series("ces", [ces_period(100, 4.0), ces_period(25, 4.5)])
    assert ces.variance[1] == pytest.approx(4 * ces.variance[0])  # a quarter of the answers: 4 × the variance
    assert ces.variance[0] == pytest.approx(2.25 / 100, rel=0.02)  # pooled within-period sd 1.5


def world(effect: float = 0.0, *, before: int = 26, after: int = 12, comparison_shift: float = 0.0, n: int = 200):
    """Exact (noise-free) sums: the changed step at 4.0 (+ effect after), three comparison
    steps at 4.5 (the first + comparison_shift after); everything shares a yearly cycle."""
    treated, comparison = [], {"a": [], "b": [], "c": []}
    for t in range(before + after):
        season = 0.3 * math.sin(2 * math.pi * t / 52)
        after_change = t >= before
        treated.append(ces_period(n, 4.0 + season + (effect if after_change else 0.0)))
        for key in comparison:
            shift = comparison_shift if key == "a" and after_change else 0.0
            comparison[key].append(ces_period(n, 4.5 + season + shift + 0.01 * (t % 3)))
    return treated, comparison, before


def test_a_clear_rise_is_a_win_and_a_clear_fall_is_worse():
    win = assess_change("ces", *world(0.5))
    assert win.verdict == "win" and win.effect.value == pytest.approx(0.5, abs=0.01)
    assert win.effect.low < 0.5 < win.effect.high and win.effect.p_value < 0.05
    assert 3.9 < win.before_value < 4.4 and win.after_value > win.before_value  # 4.0 plus the season's part
    assert win.n_before == 26 * 200 and win.n_after == 12 * 200 and win.periods_after == 12
    worse = assess_change("ces", *world(-0.5))
    assert worse.verdict == "worse"


def test_a_change_below_the_minimum_effect_is_no_credible_change():
    small = assess_change("ces", *world(0.1, n=20_000))
    assert small.effect.p_value < 0.05  # significant with 20,000 answers a week…
    assert small.verdict == "no_credible_change"  # …but under the 0.2 that matters
    assert assess_change("ces", *world(0.1, n=20_000), min_effect=0.05).verdict == "win"
    assert assess_change("ces", *world(0.1, n=200), min_effect=0.05).verdict == "no_credible_change"  # noise


def test_lower_is_better_for_volumes_and_negative_shares():
    assert not IMPACT_METRICS["volume"].higher_is_better and not IMPACT_METRICS["negative_share"].higher_is_better
    treated = [{"n": 100.0 if t < 26 else 50.0} for t in range(38)]
    comparison = {k: [{"n": 100.0 + (t % 2)} for t in range(38)] for k in "abc"}
    result = assess_change("volume", treated, comparison, 26)
    assert result.verdict == "win" and result.effect.value == pytest.approx(-0.5, abs=0.02)


def test_a_comparison_step_that_moved_itself_is_set_aside():
    treated, comparison, first_post = world(0.0, comparison_shift=-0.8)
    result = assess_change("ces", treated, comparison, first_post)
    assert [key for key, *_ in result.comparison_set_aside] == ["a"]
    assert result.comparison_used == ("b", "c")
    assert result.verdict == "no_credible_change"
    unscreened = assess_change("ces", treated, comparison, first_post, screen=False)
    assert unscreened.verdict == "win"  # what screening prevents: the comparison's drop credited


@pytest.mark.parametrize(("case", "reason"), [
    ("after_data", "after_data"), ("few_after", "few_periods_after"), ("few_before", "few_periods_before"),
    ("few_answers", "few_answers"), ("few_items", "few_items"), ("no_comparison", "no_comparison"),
])
def test_too_early_says_why(case, reason):
    treated, comparison, first_post = world(0.5)
    if case == "after_data":
        first_post = len(treated)
    elif case == "few_after":
        treated, comparison = treated[:first_post + 3], {k: v[:first_post + 3] for k, v in comparison.items()}
    elif case == "few_before":
        cut = first_post - 7
        treated, comparison, first_post = treated[cut:], {k: v[cut:] for k, v in comparison.items()}, 7
    elif case == "few_answers":
        treated = [ces_period(2, 4.0) for _ in treated]
    elif case == "few_items":  # a count of 1 a week before: 26 items
        treated = [{"n": 1.0 if t < first_post else 0.0} for t in range(len(treated))]
        comparison = {k: [{"n": 50.0} for _ in treated] for k in comparison}
        result = assess_change("volume", treated, comparison, first_post)
        assert (result.verdict, result.reason) == ("too_early", "few_items")
        return
    elif case == "no_comparison":
        comparison = {"a": [{} for _ in treated]}
    result = assess_change("ces", treated, comparison, first_post)
    assert (result.verdict, result.reason) == ("too_early", reason)
    assert result.effect is None and not result.measured


def test_bad_arguments_are_refused():
    treated, comparison, first_post = world()
    with pytest.raises(ValueError, match="min_effect"):
        assess_change("ces", treated, comparison, first_post, min_effect=-1)
    with pytest.raises(ValueError, match="as many periods"):
        assess_change("ces", treated, {"a": comparison["a"][:-1]}, first_post)
