"""Friction signals: a true drop is found and explained, noise is not, and every claim passes
a stated test, a minimum effect, a minimum n and Benjamini–Hochberg across the run.

Null and power figures in docs/insights-friction.md come from `simulate` below; run more
simulations with e.g. CXKEEPER_FRICTION_SIMS=400 (the test prints the measured rates with -s).
"""

import datetime as dt
import os

import numpy as np
import pytest

from cxkeeper.insights import actions, rollup_store
from cxkeeper.insights.analytics.rollups import NEGATIVE_SENTIMENT, SUM_COLUMNS, RollupKey
from cxkeeper.insights.analytics.stats import NpsCounts, compare_nps
from cxkeeper.insights.friction import DEFAULT_MIN_EFFECT, detect_friction, run_friction, signals_for_step
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.metrics import format_metric
from cxkeeper.insights.models import FeedbackRollup, StepDayRollup, StepMonthRollup
from cxkeeper.journeys.models import Step

UTC = dt.UTC
AS_OF = dt.date(2026, 5, 28)
SIMS = int(os.environ.get("CXKEEPER_FRICTION_SIMS", "40"))

# One customer's answers in the null world: NPS +10, CSAT 75 %, CES ≈ 5, sentiment ≈ 0.1.
BASE = {"promoter": 0.35, "detractor": 0.25, "csat_top": 0.75,
        "ces": (0.03, 0.05, 0.1, 0.17, 0.25, 0.25, 0.15), "sent_mu": 0.1, "sent_sd": 0.5,
        "complaint": 0.1, "churn": 0.08, "renewal": 0.3}


def cell(rng, n, profile=BASE):
    """Rollup sums of n simulated feedback items, each with every metric."""
    p = profile
    nps = rng.multinomial(n, [p["promoter"], p["detractor"], 1 - p["promoter"] - p["detractor"]])
    ces_counts = rng.multinomial(n, p["ces"])
    values = np.arange(1, 8)
    sent = np.clip(rng.normal(p["sent_mu"], p["sent_sd"], n), -1, 1)
    events = rng.multinomial(n, [p["complaint"], p["churn"], p["renewal"],
                                 1 - p["complaint"] - p["churn"] - p["renewal"]])
    return {
        "n": n, "nps_n": n, "promoters": int(nps[0]), "detractors": int(nps[1]),
        "csat_n": n, "csat_top": int(rng.binomial(n, p["csat_top"])),
        "ces_n": n, "ces_sum": int(ces_counts @ values), "ces_sumsq": int(ces_counts @ values ** 2),
        "ces_easy": int(ces_counts[4:].sum()),
        "sentiment_n": n, "sentiment_sum": float(sent.sum()), "sentiment_sumsq": float((sent ** 2).sum()),
        "negative_n": int((sent < NEGATIVE_SENTIMENT).sum()),
        "complaint_n": int(events[0]), "churn_n": int(events[1]), "renewal_n": int(events[2]),
    }


def counts_cell(**sums):
    return {c: sums.get(c, 0) for c in SUM_COLUMNS}


def put(cells):
    """{(step_id, day): sums} → rollup rows, through the same store the importer uses."""
    rollup_store.apply_cells({RollupKey(step_id, day, "app", None): sums for (step_id, day), sums in cells.items()})


def weeks(k):
    """The day of week k back (0 = the week ending AS_OF): window = weeks 0–3, trailing = 4–15."""
    return AS_OF - dt.timedelta(days=7 * k)


@pytest.fixture
def many_steps(small_org):
    extra = [Step.objects.create(stage=small_org.stage, name=f"Step {i}", position=10 + i) for i in range(18)]
    return [small_org.login_step, small_org.call_step, *extra]


def simulate(steps, seed, *, weekly=30, drop_step=None, drop=None):
    """16 weeks of rollups for every step; `drop` replaces the profile of `drop_step` in the window."""
    rng = np.random.default_rng(seed)
    # Every rollup table the importer fills, so each run is independent (friction reads the
    # step × day rollup; leaving it would add every earlier run's data to this one).
    for model in (FeedbackRollup, StepDayRollup, StepMonthRollup):
        model.objects.all().delete()
    cells = {}
    for step in steps:
        for k in range(16):
            profile = drop if (step == drop_step and k < 4) else BASE
            cells[(step.pk, weeks(k))] = cell(rng, int(rng.poisson(weekly)), profile)
    put({key: sums for key, sums in cells.items() if sums["n"] > 0})
    return run_friction(steps[0].stage.journey, as_of=AS_OF, themes=[])


# ---------------------------------------------------------------- a true drop, through ingest


def survey_rows(step, nps_scores, start, texts):
    rows = []
    for i, score in enumerate(nps_scores):
        rows.append(CanonicalRow(
            external_id=f"{step[:4]}-{start}-{i}", received_at=dt.datetime(2026, 5, 1 + i % 28, 9, i % 60, tzinfo=UTC),
            channel="app", row_number=i + 1, text=texts[i % len(texts)], nps=score, step=step))
    return rows


LOGIN_TEXTS = ["Terrible, I cannot log in and the password reset never arrives",
               "The app logs me out all the time, awful", "Login works", "I can't log in again, so frustrating"]
CALL_TEXTS = ["The agent was helpful", "Waited a while but sorted", "Fine call"]


def test_true_drop_through_ingest_is_found_and_explained(small_org):
    source = actions.create_source({"name": "Survey", "kind": "survey"}, acting_user=small_org.keeper)
    login = [9] * 60 + [3] * 180 + [7] * 60  # NPS −40, n=300
    call = [10] * 90 + [5] * 90 + [8] * 120  # NPS 0, n=300
    actions.ingest_feedback_batch(source, survey_rows("Log in to the app", login, 0, LOGIN_TEXTS)
                                  + survey_rows("Call the helpline", call, 1, CALL_TEXTS))

    signals = detect_friction(small_org.journey, as_of=AS_OF)
    nps = [s for s in signals if s.metric == "nps"]
    assert len(nps) == 1
    signal = nps[0]
    assert (signal.kind, signal.step) == ("worse_than_journey", small_org.login_step)
    assert signal.current.value == pytest.approx(-40) and signal.current.n == 300
    assert signal.reference.value == pytest.approx(0) and signal.reference.n == 300
    assert signal.current.low < -40 < signal.current.high
    assert signal.difference == pytest.approx(-40)
    assert signal.difference_low < -40 < signal.difference_high < -DEFAULT_MIN_EFFECT["nps"]
    assert signal.p_adjusted < 0.001 and signal.p_value <= signal.p_adjusted
    assert (signal.n_current, signal.n_reference) == (300, 300)
    assert signal.teams == ["IT", "Customer service"] and signal.owners == ["IT"]
    # every figure as the pages write NPS (one decimal, a real minus), through the one formatter
    assert signal.explanation.startswith("NPS at “Log in to the app” is −40.0 (95% CI −49.1 to −30.9, n=300) in "
                                         "the last 28 days, 40.0 points below the rest of the journey (0.0, n=300); "
                                         "adjusted p < 0.001.")
    assert format_metric(signal.current.value, "nps") in signal.explanation
    assert signal.explanation.endswith("Owned by IT; Customer service contributes.")
    assert len(signal.examples) == 3 and set(signal.examples) <= set(LOGIN_TEXTS)
    assert signal.examples[0] == LOGIN_TEXTS[3]  # the most negative (VADER −0.58) first
    # The better step is never flagged, in either direction.
    assert not [s for s in signals if s.step == small_org.call_step]
    assert [s.metric for s in signals_for_step(small_org.login_step, as_of=AS_OF)] == [s.metric for s in signals
                                                                                       if s.step]


# ---------------------------------------------------------------- noise stays quiet


def test_null_simulations_raise_no_signal_in_at_least_95_percent(many_steps):
    runs = [simulate(many_steps, seed) for seed in range(SIMS)]
    with_signals = sum(1 for run in runs if run.signals)
    family = np.mean([run.family_size for run in runs])
    raw = np.mean([sum(1 for t in run.tests if t.p_value < 0.05) for run in runs])
    print(f"\nnull: {with_signals}/{SIMS} runs with a signal; family size {family:.0f}; "
          f"{raw:.1f} raw p<0.05 per run")
    assert family > 250  # 20 steps × 7 metrics × 2 comparisons + volume, all tested
    assert with_signals <= 0.05 * SIMS


# NPS +10 → +10 − drop at one step, as (promoter, detractor) shares.
DROPS = {15: (0.27, 0.32), 25: (0.22, 0.37), 40: (0.15, 0.45)}
POWER_DROPS = [int(d) for d in os.environ.get("CXKEEPER_FRICTION_POWER", "40").split(",")]


def test_power_on_a_planted_drop(many_steps):
    """NPS 40 points lower at one of 20 steps, ~120 answers in the window: found in nearly every run."""
    n = min(SIMS, 20) if POWER_DROPS == [40] else SIMS
    for size in POWER_DROPS:
        promoter, detractor = DROPS[size]
        drop = {**BASE, "promoter": promoter, "detractor": detractor}
        found = {"worse_than_journey": 0, "worse_than_before": 0, "either": 0}
        true_signals = false_signals = 0
        for seed in range(n):
            run = simulate(many_steps, 1000 + seed, drop_step=many_steps[5], drop=drop)
            kinds = {s.kind for s in run.signals if s.step == many_steps[5] and s.metric == "nps"}
            for kind in kinds:
                found[kind] += 1
            found["either"] += bool(kinds)
            true = sum(1 for s in run.signals if s.step == many_steps[5] and s.metric == "nps")
            true_signals += true
            false_signals += len(run.signals) - true
        print(f"\npower (NPS −{size}, n≈120 in the window): " + ", ".join(f"{k} {v}/{n}" for k, v in found.items())
              + f"; false signals {false_signals} of {true_signals + false_signals}")
        if size == 40:
            assert found["either"] >= 0.9 * n
            assert false_signals <= 0.1 * max(1, true_signals + false_signals)


# ---------------------------------------------------------------- minimum n, minimum effect, BH


def test_below_min_n_no_signal(small_org):
    login, call = small_org.login_step.pk, small_org.call_step.pk
    put({(login, AS_OF): counts_cell(n=20, nps_n=20, detractors=20),   # NPS −100, n=20
         (call, AS_OF): counts_cell(n=20, nps_n=20, promoters=20)})    # NPS +100, n=20
    assert detect_friction(small_org.journey, as_of=AS_OF, themes=[]) == []
    run = run_friction(small_org.journey, as_of=AS_OF, themes=[])
    assert run.tests == []  # nothing tested below min_n, so nothing is in the family either
    lowered = detect_friction(small_org.journey, as_of=AS_OF, themes=[], min_n=10)
    assert [(s.step, s.metric, s.difference) for s in lowered] == [(small_org.login_step, "nps", -200)]


def test_min_effect_is_required_and_overridable(small_org):
    login, call = small_org.login_step.pk, small_org.call_step.pk
    # CSAT 80 % vs 83 %, n=5,000 each: significant (p ≈ 1e-4) but 3 points < 5.
    put({(login, AS_OF): counts_cell(n=5000, csat_n=5000, csat_top=4000),
         (call, AS_OF): counts_cell(n=5000, csat_n=5000, csat_top=4150)})
    run = run_friction(small_org.journey, as_of=AS_OF, themes=[])
    test = next(t for t in run.tests if t.step_id == login and t.metric == "csat")
    assert test.p_adjusted < 0.01 and not test.credible and run.signals == []
    signals = detect_friction(small_org.journey, as_of=AS_OF, themes=[], min_effect={"csat": 2})
    assert [(s.step, s.metric) for s in signals] == [(small_org.login_step, "csat")]
    assert "CSAT at “Log in to the app” is 80.0% (95% CI 78.9% to 81.1%, n=5,000)" in signals[0].explanation
    assert "3.0 percentage points below the rest of the journey (83.0%, n=5,000)" in signals[0].explanation
    with pytest.raises(ValueError):
        detect_friction(small_org.journey, as_of=AS_OF, themes=[], min_effect={"nsp": 5})


def test_significant_alone_but_not_after_benjamini_hochberg(small_org):
    login, call = small_org.login_step.pk, small_org.call_step.pk
    # NPS −20 vs +5 with n=100 each: z = 2.04, p = 0.042 < 0.05, 25 points ≥ the 10-point minimum.
    put({(login, AS_OF): counts_cell(n=100, nps_n=100, promoters=30, detractors=50),
         (call, AS_OF): counts_cell(n=100, nps_n=100, promoters=40, detractors=35)})
    alone = compare_nps(NpsCounts(40, 35, 100), NpsCounts(30, 50, 100), min_effect=DEFAULT_MIN_EFFECT["nps"])
    assert alone.p_value == pytest.approx(0.0418, abs=5e-4) and alone.credible  # a signal if tested alone

    # The run also tests the complaint share of both steps (0 of 100 each, p = 1): the family
    # has m = 4 tests and BH lifts the NPS p-values to 0.042 × 4/2 = 0.084 > 0.05.
    run = run_friction(small_org.journey, as_of=AS_OF, themes=[])
    assert run.family_size == 4
    assert sorted(t.metric for t in run.tests) == ["complaint_share", "complaint_share", "nps", "nps"]
    test = next(t for t in run.tests if t.step_id == login and t.metric == "nps")
    assert test.p_value == pytest.approx(alone.p_value) and test.worse and test.difference == pytest.approx(-25)
    assert test.p_adjusted == pytest.approx(2 * test.p_value) and test.p_adjusted > 0.05
    assert not test.credible and run.signals == []
    # With a false discovery rate of 10 % instead the adjusted 0.084 passes.
    assert [s.metric for s in detect_friction(small_org.journey, as_of=AS_OF, themes=[], alpha=0.1)] == ["nps"]


def test_worse_than_its_own_past(small_org):
    login = small_org.login_step.pk
    # CES fell from 5.5 (trailing, n=400) to 4.5 (window, n=100); the journey has no other data.
    put({(login, weeks(6)): counts_cell(n=400, ces_n=400, ces_sum=2200, ces_sumsq=12500),
         (login, weeks(1)): counts_cell(n=100, ces_n=100, ces_sum=450, ces_sumsq=2125)})
    signals = detect_friction(small_org.journey, as_of=AS_OF, themes=[])
    ces = [s for s in signals if s.metric == "ces"]
    assert [(s.kind, s.step) for s in ces] == [("worse_than_before", small_org.login_step)]
    assert ces[0].difference == pytest.approx(-1.0)
    assert "1.00 below its previous 84 days (5.50, n=400)" in ces[0].explanation


# ---------------------------------------------------------------- volume spikes


def test_volume_spike_found(small_org):
    login, call = small_org.login_step.pk, small_org.call_step.pk
    cells = {}
    for k in range(1, 14):  # quiet weeks of 10 items at each step (week 13 only starts the history)
        cells[(login, weeks(k))] = counts_cell(n=10)
        cells[(call, weeks(k))] = counts_cell(n=10)
    cells[(login, weeks(0))] = counts_cell(n=60)  # then 60 in the last 7 days
    cells[(call, weeks(0))] = counts_cell(n=14)  # 1.4×: below the minimum effect
    put(cells)
    signals = detect_friction(small_org.journey, as_of=AS_OF, themes=[])
    assert [(s.kind, s.step) for s in signals] == [("volume_spike", small_org.login_step)]
    spike = signals[0]
    assert spike.difference == pytest.approx(6.0) and spike.difference_low > 1.5
    assert "(95% CI 4.3× to 8.2×); adjusted p < 0.001." in spike.explanation
    assert (spike.n_current, spike.n_reference, spike.reference.value) == (60, 120, pytest.approx(10))
    assert spike.explanation.startswith("Volume at “Log in to the app” is 60 items in the last 7 days, 6.0× its "
                                        "weekly average of 10 over the previous 84 days")
    assert spike.explanation.endswith("Owned by IT; Customer service contributes.")


def test_no_volume_spike_without_history(small_org):
    put({(small_org.login_step.pk, AS_OF): counts_cell(n=200)})
    assert detect_friction(small_org.journey, as_of=AS_OF, themes=[]) == []
