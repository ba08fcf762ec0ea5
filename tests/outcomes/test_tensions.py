"""KPI-vs-measure tensions (cxkeeper.outcomes.tensions): hand-computed references and simulations.

The simulations are seeded and quick; run this file as a script for the larger runs quoted in
docs/outcomes-statistics.md:  .venv/bin/python tests/outcomes/test_tensions.py --runs 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest

from cxkeeper.insights.analytics import stats
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.outcomes import tensions as tn

Z95 = 1.959963984540054  # Φ⁻¹(0.975)
D = dt.date


def mv(value: float, se: float, n: int = 300) -> MetricValue:
    """A MetricValue whose 95 % interval is value ± 1.96·se."""
    return MetricValue(value, n, value - Z95 * se, value + Z95 * se, True)


def close(x):
    return pytest.approx(x, rel=1e-6, abs=1e-9)


def t4_upper_tail(t: float) -> float:
    """P(T₄ > |t|) by the closed form for 4 degrees of freedom:
    F(t) = 1/2 + (3/4)s − (1/4)s³ with s = t/√(t² + 4)  →  1 − F(|t|) = 1/2 − (3/4)s + (1/4)s³."""
    s = abs(t) / math.sqrt(t * t + 4)
    return 0.5 - 0.75 * s + 0.25 * s**3


# ---------------------------------------------------------------------------------------------
# Hand reference: six months Jan–Jun 2026 (x = 0 … 5).
#
# KPI "Average handle time" (minutes, lower is better), January given as two days 8.1 and 7.9
# (monthly mean 8.0); monthly values 8.0, 7.9, 7.5, 7.6, 7.2, 7.0.  Ordinary least squares:
#   x̄ = 2.5, Sxx = 6.25 + 2.25 + 0.25 + 0.25 + 2.25 + 6.25 = 17.5
#   ȳ = 45.2/6 = 7.533333; Sxy = −2.5·0.466667 − 1.5·0.366667 + 0.5·0.033333 + 0.5·0.066667
#                                − 1.5·0.333333 − 2.5·0.533333 = −3.5  → b = −3.5/17.5 = −0.2 a month
#   a = 7.533333 + 0.2·2.5 = 8.033333; residuals −0.033333, 0.066667, −0.133333, 0.166667, −0.033333, −0.033333
#   RSS = 0.053333; s² = RSS/4 = 0.013333; SE(b) = √(0.013333/17.5) = 0.0276026
#   t = −0.2/0.0276026 = −7.245688 (t² = 0.04·17.5/0.013333 = 52.5)
#   one-sided p (improving = falling) = P(T₄ < −7.2457) = 0.000962881
#
# Measure "CES at contact steps" (higher is better), SE 0.1 ×4 then 0.2 ×2 (w = 100 ×4, 25 ×2),
# values 5.6, 5.5, 5.4, 5.3, 5.1, 5.1.  Weighted least squares:
#   W = 450; x̄ = (100·(0+1+2+3) + 25·(4+5))/450 = 825/450 = 11/6
#   Sxx = Σw x² − W x̄² = 1400 + 1025 − 450·121/36 = 912.5
#   Σw y = 2180 + 255 = 2435 → ȳ = 5.411111; Σw x y = 3220 + 1147.5 = 4367.5
#   Sxy = 4367.5 − 825·2435/450 = 4367.5 − 4464.166667 = −96.666667 → b = −0.105936 a month
#   Σw·r² = 0.203957 → σ̂² = 0.050989 < 1 → floored at 1 (months cannot be surer than their intervals)
#   SE(b) = √(1/912.5) = 0.0331042; t = −96.666667/√912.5 = −3.200076 (t² = 10.240487)
#   one-sided p (worsening = falling) = P(T₄ < −3.2001) = 0.0164492
#
# combined p = max(0.000963, 0.016449) = 0.016449 ≤ 0.05 → found; > 0.05/5 → "moderate"
# effect = −b·(5 − 0) = 0.529680 CES points worse over the span
# Pearson r of the monthly pairs: means 7.533333, 5.333333
#   Σ(k − k̄)(m − m̄) = 0.383333, Σ(k − k̄)² = 0.753333, Σ(m − m̄)² = 0.213333
#   r = 0.383333/√(0.753333·0.213333) = 0.956211
# ---------------------------------------------------------------------------------------------
KPI = [(D(2026, 1, 3), 8.1), (D(2026, 1, 29), 7.9)] + [
    (D(2026, m, 10), v) for m, v in zip(range(2, 7), [7.9, 7.5, 7.6, 7.2, 7.0], strict=True)
]
MEASURE_VALUES = [5.6, 5.5, 5.4, 5.3, 5.1, 5.1]
MEASURE_SES = [0.1, 0.1, 0.1, 0.1, 0.2, 0.2]
KPI_T = -0.2 / math.sqrt((0.053333333333333 / 4) / 17.5)
MEASURE_B = -96.66666666666667 / 912.5
MEASURE_T = -96.66666666666667 / math.sqrt(912.5)
R = 0.38333333333333 / math.sqrt(0.75333333333333 * 0.21333333333333)


def measure_series(values=MEASURE_VALUES):
    return [(D(2026, m, 1), mv(v, s)) for m, v, s in zip(range(1, 7), values, MEASURE_SES, strict=True)]


def hand_test(**kw):
    args = {
        "kpi_name": "Average handle time",
        "kpi": KPI,
        "kpi_higher_is_better": False,
        "measure_name": "CES at contact steps",
        "measure": measure_series(),
        "measure_higher_is_better": True,
        "kpi_unit": " min",
    }
    args.update(kw)
    return tn.test_tension(**args)


def test_hand_reference_numbers():
    t = hand_test()
    assert t.periods == 6
    assert t.kpi_slope == close(-0.2)
    assert close(-7.245688) == KPI_T
    assert t.kpi_p == close(t4_upper_tail(KPI_T))
    assert t.kpi_p == close(0.000962881)
    assert t.measure_slope == close(MEASURE_B)
    assert close(-3.200076) == MEASURE_T
    assert t.measure_p == close(t4_upper_tail(MEASURE_T))
    assert t.measure_p == close(0.0164492)
    assert t.p_value == close(t.measure_p)
    assert t.effect == close(-MEASURE_B * 5)
    assert t.effect == close(0.529680)
    assert t.kpi_change == close(1.0)
    assert t.correlation == close(R)
    assert close(0.956211) == R
    assert t.found is True
    assert t.strength == "moderate"
    assert t.explanation == (
        "Over 6 months (Jan 2026 – Jun 2026), Average handle time improved by 1 min (−0.2 min a month, "
        "p<0.001) while CES at contact steps worsened by 0.53 (−0.11 a month, p=0.016); r=0.96. "
        "Tension found (moderate): combined p=0.016."
    )


def test_both_directions_mirror_each_other():
    # KPI' = −KPI (higher is better) and measure' = 10 − measure (lower is better): same evidence
    mirrored = tn.test_tension(
        kpi_name="First-contact resolution", kpi=[(d, -v) for d, v in KPI], kpi_higher_is_better=True,
        measure_name="Complaint share", measure=measure_series([10 - v for v in MEASURE_VALUES]),
        measure_higher_is_better=False,
    )
    ref = hand_test()
    assert mirrored.kpi_slope == close(0.2)
    assert mirrored.measure_slope == close(-MEASURE_B)
    for name in ("kpi_p", "measure_p", "p_value", "effect", "kpi_change", "correlation"):
        assert getattr(mirrored, name) == close(getattr(ref, name)), name
    assert mirrored.found and mirrored.strength == "moderate"


def test_wrong_directions_are_not_a_tension():
    # the KPI gets worse (handle time rising) while CES falls: no KPI improvement, p_KPI ≈ 1
    t = hand_test(kpi=[(d, 20 - v) for d, v in KPI])
    assert t.kpi_p == close(1 - t4_upper_tail(KPI_T))
    assert t.p_value > 0.99 and not t.found and t.strength == "none"
    assert "Average handle time did not improve" in t.explanation
    # CES rising while handle time falls: the measure did not worsen
    u = hand_test(measure=measure_series([10 - v for v in MEASURE_VALUES]))
    assert not u.found and "CES at contact steps did not worsen" in u.explanation


def test_minimum_effect():
    assert hand_test(min_effect=0.25).found  # 0.53 ≥ 0.25
    t = hand_test(min_effect=0.6)
    assert not t.found and t.strength == "none"
    assert "the worsening is below the minimum of 0.6" in t.explanation


def test_not_enough_common_months():
    # measure months 5 and 6 have too few responses → 4 common months < 6
    measure = measure_series()[:4] + [(D(2026, 5, 1), MetricValue.too_few(20)), (D(2026, 6, 1), MetricValue.too_few(9))]
    t = hand_test(measure=measure)
    assert t.periods == 4
    assert t.strength == "not enough data" and not t.found
    assert t.p_value is None and t.kpi_slope is None and t.measure_slope is None and t.effect is None
    assert t.explanation == (
        "Not enough data: Average handle time and CES at contact steps (with enough responses) have 4 months "
        "in common; at least 6 are needed to judge a tension."
    )
    # months the KPI lacks do not count either
    assert hand_test(kpi=KPI[:3]).periods == 2
    assert hand_test(min_periods=4, measure=measure).p_value is not None
    with pytest.raises(ValueError):
        hand_test(min_periods=2)


def test_detect_tensions_applies_benjamini_hochberg():
    # The mechanics at a stated α = 0.05 (the product's default is TENSION_ALPHA = 0.025).
    base = replace(hand_test(), alpha=0.05)
    # p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01, 0.03, 0.04
    #   q₍₃₎ = 0.04·3/3 = 0.04; q₍₂₎ = min(0.04, 0.03·3/2 = 0.045) = 0.04; q₍₁₎ = min(0.04, 0.01·3) = 0.03
    family = [replace(base, p_value=p) for p in (0.01, 0.04, 0.03)]
    family.append(hand_test(kpi=KPI[:3]))  # not enough data: kept, not counted
    out = tn.detect_tensions(family, alpha=0.05)
    assert [t.p_adjusted for t in out[:3]] == [close(0.03), close(0.04), close(0.04)]
    assert all(t.found and t.strength == "moderate" for t in out[:3])
    assert out[3] == family[3]
    assert "combined p=0.01, q=0.03 after correcting for 3 comparisons" in out[0].explanation
    # strong ones: q ≤ α/5.  p = 0.001, 0.004 (m = 2): q₍₂₎ = 0.004, q₍₁₎ = min(0.004, 0.001·2) = 0.002
    strong = tn.detect_tensions([replace(base, p_value=0.001), replace(base, p_value=0.004)], alpha=0.05)
    assert [t.p_adjusted for t in strong] == [close(0.002), close(0.004)]
    assert all(t.strength == "strong" for t in strong)
    # strong also needs effect ≥ 2·min_effect (0.53 < 2·0.3)
    assert tn.detect_tensions([replace(base, p_value=0.001, min_effect=0.3)], alpha=0.05)[0].strength == "moderate"
    # correction can remove a finding: 0.03 alone is found, with 0.5 and 0.9 beside it q = 0.09
    out = tn.detect_tensions([replace(base, p_value=p) for p in (0.03, 0.5, 0.9)], alpha=0.05)
    assert out[0].p_adjusted == close(0.09) and not out[0].found and out[0].strength == "none"
    assert "No tension: combined p=0.03, q=0.09 after correcting for 3 comparisons, above 0.05." in out[0].explanation


def test_pytest_does_not_collect_the_module_function():
    assert tn.test_tension.__test__ is False


# ------------------------------------------------------------------------------- simulations

MONTHS = [D(2026, 1, 1) + dt.timedelta(days=31 * i) for i in range(12)]
MONTHS = [D(d.year, d.month, 1) for d in MONTHS]


def sim_measure(rng, slope: float, *, start: float = 5.4, n: int = 300, sd: float = 1.4, tau: float = 0.03):
    """Monthly CES with true value start + slope·i, a month-to-month wobble of SD tau that
    sampling does not explain, and n ± 20 % answers a month (SD 1.4 on 1–7): the mean is drawn
    with SE sd/√n, the sample variance as sd²·χ²(n − 1)/(n − 1); interval from stats.ces."""
    out = []
    for i, month in enumerate(MONTHS):
        k = int(rng.integers(int(n * 0.8), int(n * 1.2) + 1))
        mean = rng.normal(start + slope * i + rng.normal(0.0, tau), sd / math.sqrt(k))
        s2 = sd * sd * rng.chisquare(k - 1) / (k - 1)
        out.append((month, stats.ces(k, k * mean, (k - 1) * s2 + k * mean * mean)))
    return out


def sim_kpi(rng, slope: float, *, start: float = 8.0, noise: float = 0.3, per_month: int = 4):
    """Handle time (minutes) measured on a few days each month with noise."""
    return [
        (month.replace(day=int(rng.integers(1, 29))), start + slope * i + rng.normal(0.0, noise))
        for i, month in enumerate(MONTHS)
        for _ in range(per_month)
    ]


def one(rng, kpi_slope: float, measure_slope: float, tau: float = 0.03):
    return tn.test_tension(
        kpi_name="AHT", kpi=sim_kpi(rng, kpi_slope), kpi_higher_is_better=False,
        measure_name="CES", measure=sim_measure(rng, measure_slope, tau=tau), measure_higher_is_better=True,
    )


def null_improving_kpi_rate(runs: int, seed: int = 1, tau: float = 0.03) -> float:
    """Handle time falls 0.2 min a month; CES flat → any reported tension is false."""
    rng = np.random.default_rng(seed)
    return sum(one(rng, -0.2, 0.0, tau).found for _ in range(runs)) / runs


def null_both_random_rate(runs: int, seed: int = 2) -> float:
    rng = np.random.default_rng(seed)
    return sum(one(rng, 0.0, 0.0).found for _ in range(runs)) / runs


def family(rng, real: bool = False) -> list[tn.TensionTest]:
    """4 KPIs (two improving 0.2 a month, two flat) × 5 measures: 20 pairs, each series shared by
    its row/column as in the product. With ``real`` the first KPI × first measure pair is a true
    tension (CES falling 0.05 a month); every other pair is null."""
    kpis = [sim_kpi(rng, s) for s in (-0.2, -0.2, 0.0, 0.0)]
    measures = [sim_measure(rng, -0.05 if real and j == 0 else 0.0) for j in range(5)]
    tests = [
        tn.test_tension(kpi_name=f"KPI {i}", kpi=k, kpi_higher_is_better=False,
                        measure_name=f"Measure {j}", measure=m, measure_higher_is_better=True)
        for i, k in enumerate(kpis) for j, m in enumerate(measures)
    ]
    return tn.detect_tensions(tests)


def family_null_rate(runs: int, seed: int = 3) -> float:
    """Share of families (20 null pairs) in which at least one tension is reported."""
    rng = np.random.default_rng(seed)
    return sum(any(t.found for t in family(rng)) for _ in range(runs)) / runs


def real_tension_rates(runs: int, seed: int = 4) -> tuple[float, float]:
    """Handle time −0.2 min/month while CES −0.05/month, n ≈ 300/month, 12 months, alone."""
    rng = np.random.default_rng(seed)
    results = [one(rng, -0.2, -0.05) for _ in range(runs)]
    return sum(t.found for t in results) / runs, sum(t.strength == "strong" for t in results) / runs


def weak_tension_rates(runs: int, seed: int = 6) -> tuple[float, float]:
    """A weaker tension: CES −0.02/month (0.22 over the year) while handle time −0.2 min/month."""
    rng = np.random.default_rng(seed)
    results = [one(rng, -0.2, -0.02) for _ in range(runs)]
    return sum(t.found for t in results) / runs, sum(t.strength == "strong" for t in results) / runs


def real_in_family_rates(runs: int, seed: int = 5) -> tuple[float, float, float]:
    """The real pair inside a 4 × 5 family: found, strong, and any null pair falsely reported."""
    rng = np.random.default_rng(seed)
    found = strong = false = 0
    for _ in range(runs):
        tests = family(rng, real=True)
        found += tests[0].found
        strong += tests[0].strength == "strong"
        false += any(t.found for t in tests[1:] if t.measure_name != "Measure 0")
    return found / runs, strong / runs, false / runs


def test_simulation_improving_kpi_flat_measure_rarely_reports():
    assert null_improving_kpi_rate(400) <= 0.05


def test_simulation_both_random_rarely_reports():
    assert null_both_random_rate(400) <= 0.05


def test_simulation_family_wise_false_reports_under_the_null():
    assert family_null_rate(150) <= 0.05


def test_simulation_real_tension_is_found_and_strong():
    found, strong = real_tension_rates(200)
    assert found >= 0.90 and strong >= 0.90, (found, strong)


def test_simulation_real_tension_survives_the_correction():
    found, strong, _ = real_in_family_rates(60)
    assert found >= 0.90 and strong >= 0.90, (found, strong)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Tension-test simulation rates")
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    n = args.runs
    for tau in (0.0, 0.03, 0.05, 0.1):
        print(f"null, KPI improving, CES flat, wobble SD {tau:<4}: {null_improving_kpi_rate(n, tau=tau):.4f} reported")
    print(f"null, both random                 : {null_both_random_rate(n):.4f} reported")
    print(f"null family 4 KPIs x 5 measures   : {family_null_rate(n // 20 or 1):.4f} of families with any report")
    found, strong = real_tension_rates(n)
    print(f"real tension alone                : found {found:.4f}, strong {strong:.4f}")
    found, strong = weak_tension_rates(n)
    print(f"weaker tension (CES -0.02/month)  : found {found:.4f}, strong {strong:.4f}")
    found, strong, false = real_in_family_rates(n // 20 or 1)
    print(f"real tension in a 4x5 family      : found {found:.4f}, strong {strong:.4f}; "
          f"null measures falsely reported in {false:.4f} of families")
