"""CX statistics against hand-computed references (the arithmetic is written out)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from cxkeeper.insights.analytics import stats
from cxkeeper.insights.analytics.stats import MeanSums, NpsCounts, Proportion

Z95 = 1.959963984540054  # Φ⁻¹(0.975)


def approx(x, rel=1e-9, abs=1e-12):  # noqa: A002 - mirrors pytest.approx
    return pytest.approx(x, rel=rel, abs=abs)


# ------------------------------------------------------------------------- one sample


def test_nps_by_hand():
    # 50 promoters, 20 detractors, 30 passives out of 100
    p_plus, p_minus = 0.50, 0.20
    nps_value = 100 * (p_plus - p_minus)  # 30
    var = p_plus + p_minus - (p_plus - p_minus) ** 2  # 0.7 - 0.09 = 0.61
    half = Z95 * math.sqrt(var / 100)  # 1.96 * 0.0781025 = 0.153079
    m = stats.nps(50, 20, 100)
    assert m.enough and m.n == 100
    assert m.value == approx(30.0) == approx(nps_value)
    assert m.low == approx(100 * (0.30 - half)) == pytest.approx(14.6921, abs=1e-4)
    assert m.high == approx(100 * (0.30 + half)) == pytest.approx(45.3079, abs=1e-4)


def test_nps_interval_is_clipped():
    m = stats.nps(30, 0, 30)  # everyone a promoter: NPS 100, zero variance
    assert (m.value, m.low, m.high) == (100.0, 100.0, 100.0)


def test_csat_wilson_by_hand():
    # 40 of 50 answers in the top two boxes
    k, n, z2 = 40, 50, Z95**2
    p = k / n  # 0.8
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)  # 0.838415 / 1.076829 = 0.778597
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))  # 0.108968
    m = stats.csat(40, 50)
    assert m.value == approx(80.0)
    assert m.low == approx(100 * (centre - half)) == pytest.approx(66.963, abs=1e-3)
    assert m.high == approx(100 * (centre + half)) == pytest.approx(88.756, abs=1e-3)


def test_wilson_edges_stay_inside_0_1():
    low, high = stats.wilson_interval(0, 40)
    assert low == 0.0 and 0 < high < 0.1  # z²/(n+z²) = 3.8415/43.8415 = 0.0876
    assert high == approx(Z95**2 / (40 + Z95**2))
    low, high = stats.wilson_interval(40, 40)
    assert high == 1.0 and low == approx(40 / (40 + Z95**2))


def test_ces_t_interval_by_hand():
    # 30 answers: ten 7s, ten 5s, ten 3s
    n, s, q = 30, 10 * 7 + 10 * 5 + 10 * 3, 10 * 49 + 10 * 25 + 10 * 9  # S=150, Q=830
    mean = s / n  # 5.0
    s2 = (q - s * s / n) / (n - 1)  # (830 - 750)/29 = 2.758621
    t = 2.045229642132703  # t(29) at 0.975
    half = t * math.sqrt(s2 / n)  # 2.04523 * 0.303239 = 0.620196
    m = stats.ces(n, s, q)
    assert m.value == approx(5.0)
    assert m.low == approx(mean - half) == pytest.approx(4.3798, abs=1e-4)
    assert m.high == approx(mean + half) == pytest.approx(5.6202, abs=1e-4)
    assert stats.t_quantile(29) == approx(t)


def test_ces_easy_and_rates():
    # CES ≥ 5 counted as easy: 20 of 30 above
    assert stats.ces_easy(20, 30).value == approx(100 * 20 / 30)
    churn = stats.churn_rate(12, 88)  # 12 of 100 renewal decisions churned
    retention = stats.retention_rate(12, 88)
    assert churn.value == approx(12.0) and retention.value == approx(88.0)
    assert churn.low == approx(100 - retention.high) and churn.high == approx(100 - retention.low)


def test_sentiment_mean_and_clipping():
    # 40 answers all at -1 except one at 0: mean -39/40, interval clipped at -1
    m = stats.sentiment(40, -39.0, 39.0)
    assert m.value == approx(-0.975)
    assert m.low == -1.0 and m.high < -0.9


@pytest.mark.parametrize(
    "metric",
    [
        lambda n, **kw: stats.nps(n // 2, n // 4, n, **kw),
        lambda n, **kw: stats.csat(n // 2, n, **kw),
        lambda n, **kw: stats.ces(n, 4.0 * n, 17.0 * n, **kw),
        lambda n, **kw: stats.ces_easy(n // 3, n, **kw),
        lambda n, **kw: stats.sentiment(n, 0.1 * n, 0.2 * n, **kw),
        lambda n, **kw: stats.rate(1, n, **kw),
    ],
)
def test_minimum_n(metric):
    too_few = metric(29)
    assert too_few == stats.MetricValue(None, 29, None, None, False)
    assert metric(30).enough and metric(30).value is not None
    assert metric(5, min_n=5).enough  # configurable
    assert not metric(30, min_n=100).enough


def test_zero_responses():
    assert stats.nps(0, 0, 0) == stats.MetricValue(None, 0, None, None, False)
    assert stats.ces(0, 0, 0).enough is False
    assert stats.ces(1, 5, 25, min_n=1) == stats.MetricValue(5.0, 1, None, None, True)  # no interval


def test_invalid_counts_raise():
    with pytest.raises(ValueError):
        stats.nps(60, 50, 100)
    with pytest.raises(ValueError):
        stats.csat(51, 50)
    with pytest.raises(ValueError):
        stats.wilson_interval(1, 2, confidence=1.5)


def test_metrics_from_sums_uses_rollup_columns():
    row = {
        "n": 200,
        "nps_n": 100,
        "promoters": 50,
        "detractors": 20,
        "csat_n": 50,
        "csat_top": 40,
        "ces_n": 30,
        "ces_sum": 150,
        "ces_sumsq": 830,
        "ces_easy": 20,
        "sentiment_n": 10,
        "sentiment_sum": 1.0,
        "sentiment_sumsq": 2.0,
        "negative_n": 3,
        "churn_n": 12,
        "renewal_n": 88,
        "complaint_n": 20,
    }
    m = stats.metrics_from_sums(row)
    assert m["nps"] == stats.nps(50, 20, 100)
    assert m["csat"] == stats.csat(40, 50)
    assert m["ces"] == stats.ces(30, 150, 830)
    assert m["ces_easy"].value == approx(100 * 20 / 30)
    assert m["sentiment"].enough is False  # only 10 scored texts
    assert m["churn_rate"].value == approx(12.0)
    assert m["complaint_share"].value == approx(10.0)  # 20 of 200
    assert stats.metrics_from_sums({})["nps"].enough is False


# --------------------------------------------------------------- interval coverage


def _coverage(lows, highs, truth):
    return float(np.mean((np.asarray(lows) <= truth) & (truth <= np.asarray(highs))))


def test_intervals_cover_at_nominal_rate():
    """2,000 simulated samples per case (fixed seed): 95 % intervals cover 93.5–96.5 % of the time."""
    rng = np.random.default_rng(42)
    reps = 2000

    # NPS: p+ 0.40, p- 0.25 → true NPS 15, n = 200
    counts = rng.multinomial(200, [0.40, 0.35, 0.25], size=reps)
    res = [stats.nps(int(p), int(d), 200) for p, _, d in counts]
    assert 0.935 <= _coverage([r.low for r in res], [r.high for r in res], 15.0) <= 0.965

    # CSAT: p = 0.83, n = 60 (Wilson keeps coverage near nominal even close to 1)
    ks = rng.binomial(60, 0.83, size=reps)
    res = [stats.csat(int(k), 60) for k in ks]
    assert 0.935 <= _coverage([r.low for r in res], [r.high for r in res], 83.0) <= 0.965

    # CES: answers 1..7 with a skewed distribution, n = 50
    probs = np.array([0.05, 0.05, 0.10, 0.15, 0.25, 0.25, 0.15])
    truth = float(np.dot(np.arange(1, 8), probs))
    samples = rng.choice(np.arange(1, 8), p=probs, size=(reps, 50))
    res = [stats.ces(50, float(s.sum()), float((s * s).sum())) for s in samples]
    assert 0.935 <= _coverage([r.low for r in res], [r.high for r in res], truth) <= 0.965


# ------------------------------------------------------------------ two-sample tests


def test_compare_proportions_by_hand():
    # CSAT 40/100 before, 55/100 after
    pooled = 95 / 200  # 0.475
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 100))  # 0.0706224
    z = 0.15 / se0  # 2.12398
    p = 2 * sps.norm.sf(z)  # 0.03367
    se = math.sqrt(0.4 * 0.6 / 100 + 0.55 * 0.45 / 100)  # 0.0698212
    c = stats.compare_proportions(Proportion(40, 100), Proportion(55, 100))
    assert c.difference == approx(15.0)
    assert c.statistic == approx(z) == pytest.approx(2.12398, abs=1e-5)
    assert c.p_value == approx(p) == pytest.approx(0.03367, abs=1e-5)
    assert c.low == approx(100 * (0.15 - Z95 * se)) and c.high == approx(100 * (0.15 + Z95 * se))
    assert c.significant and c.credible
    # the same change is not credible against a 20-point minimum effect
    assert not stats.compare_proportions(Proportion(40, 100), Proportion(55, 100), min_effect=20).credible


def test_compare_nps_by_hand():
    # before: 40 promoters, 30 detractors of 100 → NPS 10; after: 55/20 of 100 → NPS 35
    var_a = 0.40 + 0.30 - 0.10**2  # 0.69
    var_b = 0.55 + 0.20 - 0.35**2  # 0.6275
    se = math.sqrt(var_a / 100 + var_b / 100)  # 0.114782
    z = 0.25 / se  # 2.178034
    c = stats.compare_nps(NpsCounts(40, 30, 100), NpsCounts(55, 20, 100))
    assert c.difference == approx(25.0)
    assert c.statistic == approx(z) == pytest.approx(2.178034, abs=1e-6)
    assert c.p_value == approx(2 * sps.norm.sf(z)) == pytest.approx(0.02940, abs=1e-5)
    assert c.low == approx(100 * (0.25 - Z95 * se))
    assert c.significant and c.credible
    assert not stats.compare_nps(NpsCounts(40, 30, 100), NpsCounts(55, 20, 100), alpha=0.01).significant


def test_welch_t_by_hand_and_against_scipy():
    # a: the CES sample above (n 30, mean 5, s² 80/29); b: n 40, Σ 220, Σx² 1300 → mean 5.5
    a, b = MeanSums(30, 150.0, 830.0), MeanSums(40, 220.0, 1300.0)
    s2a = (830 - 150**2 / 30) / 29  # 2.758621
    s2b = (1300 - 220**2 / 40) / 39  # (1300 - 1210)/39 = 2.307692
    va, vb = s2a / 30, s2b / 40  # 0.0919540, 0.0576923
    t = 0.5 / math.sqrt(va + vb)  # 0.5 / 0.386842 = 1.29252
    df = (va + vb) ** 2 / (va**2 / 29 + vb**2 / 39)  # 58.2...
    c = stats.welch_t(a, b)
    assert c.difference == approx(0.5)
    assert c.statistic == approx(t) == pytest.approx(1.29252, abs=1e-5)
    assert c.df == approx(df)
    ref = sps.ttest_ind_from_stats(5.5, math.sqrt(s2b), 40, 5.0, math.sqrt(s2a), 30, equal_var=False)
    assert c.statistic == approx(ref.statistic) and c.p_value == approx(ref.pvalue)
    assert not c.significant  # p ≈ 0.20


def test_comparisons_need_minimum_n():
    c = stats.compare_nps(NpsCounts(10, 5, 20), NpsCounts(100, 10, 200))
    assert not c.enough and c.difference is None and not c.significant and not c.credible


# -------------------------------------------------------------- multiple comparisons


def test_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.005, 0.20]
    # sorted: 0.005 (#4), 0.01 (#1), 0.03 (#3), 0.04 (#2), 0.20 (#5); m = 5
    # p·m/rank: 0.025, 0.025, 0.05, 0.05, 0.20 → running minimum from the top is the same
    adjusted, rejected = stats.benjamini_hochberg(p, alpha=0.05)
    assert adjusted == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.20])
    # step-up: largest i with p(i) ≤ i·α/m is i = 4 (0.04 ≤ 0.04) → reject the 4 smallest
    assert rejected == [True, True, True, True, False]
    assert adjusted == pytest.approx(list(sps.false_discovery_control(p)))
    # Bonferroni would keep only p ≤ 0.01
    assert [x <= 0.05 / 5 for x in p] == [True, False, False, True, False]


def test_benjamini_hochberg_monotone_and_capped():
    adjusted, rejected = stats.benjamini_hochberg([0.9, 0.8, 0.04])
    # 0.04·3/1 = 0.12; 0.8·3/2 = 1.2 → min(0.9·3/3, 1.2) = 0.9; 0.9
    assert adjusted == pytest.approx([0.9, 0.9, 0.12])
    assert rejected == [False, False, False]
    assert stats.benjamini_hochberg([]) == ([], [])


def test_adjust_comparisons_applies_bh_and_min_effect():
    comparisons = [
        stats.compare_proportions(Proportion(40, 100), Proportion(60, 100), min_effect=5),  # p 0.0047
        stats.compare_proportions(Proportion(50, 100), Proportion(52, 100)),  # p = 0.7773
        stats.compare_nps(NpsCounts(40, 30, 100), NpsCounts(55, 20, 100), min_effect=30),  # p 0.029
        stats.compare_nps(NpsCounts(1, 1, 10), NpsCounts(5, 1, 10)),  # too few: not counted
    ]
    adjusted = stats.adjust_comparisons(comparisons)
    qs, _ = stats.benjamini_hochberg([c.p_value for c in comparisons[:3]])
    assert [c.p_adjusted for c in adjusted[:3]] == pytest.approx(qs)
    # sorted p: 0.00468 (#0), 0.0294 (#2), 0.7773 (#1) → q = 0.00468·3 = 0.0140, 0.0294·3/2 = 0.0441, 0.7773
    assert [c.p_adjusted for c in adjusted[:3]] == pytest.approx([0.01403, 0.77725, 0.04410], abs=1e-4)
    assert adjusted[0].significant and adjusted[0].credible
    assert not adjusted[1].significant
    assert adjusted[2].significant and not adjusted[2].credible  # +25 < 30 minimum effect
    assert adjusted[3] == comparisons[3]
