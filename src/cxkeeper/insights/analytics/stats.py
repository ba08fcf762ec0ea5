"""CX statistics computed from additive partial sums.

Every function here takes counts and sums — the columns of a rollup row — never raw
responses, so the same code serves a single step-day cell and a year of a journey.
Nothing here imports Django or Ibis.

Units
-----
* NPS is on the usual -100..100 scale (percentage points of promoters minus detractors).
* CSAT, % easy, and rates (churn, retention) are percentages, 0..100.
* CES and sentiment means are on their own scale (1..7 and -1..1).
* Differences returned by the comparison tests use the same units (NPS points,
  percentage points, scale units), and so does ``min_effect``.

Sample size
-----------
Every result carries its ``n``. Below ``min_n`` (default :data:`DEFAULT_MIN_N` = 30) a
:class:`MetricValue` has ``enough=False`` and ``value``/``low``/``high`` set to ``None``:
the UI shows "too few responses" instead of a misleading number.

Intervals default to 95 % (``confidence=0.95``); z = Φ⁻¹(1 − α/2), t = T⁻¹_ν(1 − α/2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from scipy import special as _special

DEFAULT_MIN_N = 30
DEFAULT_CONFIDENCE = 0.95
DEFAULT_ALPHA = 0.05

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_MIN_N",
    "Comparison",
    "MeanSums",
    "MetricValue",
    "NpsCounts",
    "Proportion",
    "adjust_comparisons",
    "benjamini_hochberg",
    "ces",
    "ces_easy",
    "churn_rate",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "csat",
    "mean_interval",
    "metrics_from_sums",
    "nps",
    "rate",
    "retention_rate",
    "sentiment",
    "t_quantile",
    "welch_t",
    "wilson_interval",
    "z_quantile",
]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A metric with its sample size and confidence interval.

    ``value``, ``low`` and ``high`` are ``None`` when ``enough`` is False (n < min_n);
    ``low``/``high`` are also ``None`` when an interval is undefined (e.g. a mean of one).
    """

    value: float | None
    n: int
    low: float | None
    high: float | None
    enough: bool

    @classmethod
    def too_few(cls, n: int) -> MetricValue:
        """The "too few responses" result for a sample of ``n``."""
        return cls(value=None, n=int(n), low=None, high=None, enough=False)


class NpsCounts(NamedTuple):
    """Partial sums for NPS: promoters (9–10), detractors (0–6), answers on 0–10."""

    promoters: int
    detractors: int
    n: int


class Proportion(NamedTuple):
    """k successes out of n trials (top-2 CSAT, easy CES, churned customers …)."""

    k: int
    n: int


class MeanSums(NamedTuple):
    """Partial sums for a mean: count, Σx and Σx²."""

    n: int
    total: float
    sumsq: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """Result of a two-sample test of ``b`` against ``a`` (difference = b − a).

    * ``significant``: ``p_adjusted < alpha`` (``p_adjusted`` equals ``p_value`` until
      :func:`adjust_comparisons` applies Benjamini–Hochberg across a family of tests).
    * ``credible``: significant **and** ``|difference| >= min_effect`` — the only flag a
      friction signal or a win may be claimed from.
    * ``enough``: both samples reached ``min_n``; otherwise every number is ``None``
      and nothing is significant.
    """

    test: str
    difference: float | None
    low: float | None
    high: float | None
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool
    credible: bool
    enough: bool
    alpha: float
    min_effect: float
    n_a: int
    n_b: int
    df: float | None = None


# ------------------------------------------------------------------------- quantiles


def z_quantile(confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Two-sided normal critical value z = Φ⁻¹(1 − (1 − confidence)/2) (1.95996 at 95 %)."""
    _check_confidence(confidence)
    return float(_special.ndtri(1.0 - (1.0 - confidence) / 2.0))


def t_quantile(df: float, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Two-sided Student-t critical value t = T⁻¹_df(1 − (1 − confidence)/2)."""
    _check_confidence(confidence)
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    return float(_special.stdtrit(df, 1.0 - (1.0 - confidence) / 2.0))


def _normal_two_sided_p(z: float) -> float:
    """p = 2·(1 − Φ(|z|))."""
    return float(2.0 * _special.ndtr(-abs(z)))


def _t_two_sided_p(t: float, df: float) -> float:
    """p = 2·(1 − T_df(|t|))."""
    return float(2.0 * _special.stdtr(df, -abs(t)))


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")


def _check_counts(*pairs: tuple[int, int]) -> None:
    for k, n in pairs:
        if n < 0 or k < 0 or k > n:
            raise ValueError(f"invalid counts k={k}, n={n}")


# ------------------------------------------------------------------ one-sample metrics


def wilson_interval(k: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a proportion p̂ = k/n, as fractions (0..1).

    centre = (p̂ + z²/2n) / (1 + z²/n)
    half   = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/4n² )
    interval = [centre − half, centre + half]  (always inside [0, 1])
    """
    _check_counts((k, n))
    if n == 0:
        raise ValueError("n must be positive")
    z = z_quantile(confidence)
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(
    k: int,
    n: int,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """A percentage 100·k/n with a Wilson interval (see :func:`wilson_interval`)."""
    _check_counts((k, n))
    if n < max(min_n, 1):
        return MetricValue.too_few(n)
    low, high = wilson_interval(k, n, confidence)
    return MetricValue(100.0 * k / n, int(n), 100.0 * low, 100.0 * high, True)


def nps(
    promoters: int,
    detractors: int,
    n: int,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """Net Promoter Score on −100..100 from counts on the 0–10 scale.

    p₊ = promoters/n (scores 9–10), p₋ = detractors/n (scores 0–6)
    NPS = 100·(p₊ − p₋)
    Each answer scores +1/0/−1, a multinomial; its variance is
    var = p₊ + p₋ − (p₊ − p₋)², so SE = √(var/n) and
    interval = NPS ± z·100·SE, clipped to [−100, 100].
    """
    if promoters < 0 or detractors < 0 or promoters + detractors > n:
        raise ValueError(f"invalid NPS counts {promoters}+{detractors} > {n}")
    if n < max(min_n, 1):
        return MetricValue.too_few(n)
    d = (promoters - detractors) / n
    var = _nps_variance(promoters, detractors, n)
    half = z_quantile(confidence) * math.sqrt(var / n)
    return MetricValue(
        100.0 * d, int(n), max(-100.0, 100.0 * (d - half)), min(100.0, 100.0 * (d + half)), True
    )


def _nps_variance(promoters: int, detractors: int, n: int) -> float:
    """var = p₊ + p₋ − (p₊ − p₋)² of a single +1/0/−1 answer."""
    pp, pm = promoters / n, detractors / n
    return max(0.0, pp + pm - (pp - pm) ** 2)


def csat(
    top: int,
    n: int,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """CSAT = 100·top/n, the % of answers in the top two boxes of their declared scale.

    (1–5 by default: 4 and 5.) Interval: Wilson, see :func:`wilson_interval`.
    Rollups already count ``csat_top`` per answer's own scale, so mixed scales add up.
    """
    return rate(top, n, min_n=min_n, confidence=confidence)


def mean_interval(
    n: int,
    total: float,
    sumsq: float,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """Mean with a Student-t interval, from n, S = Σx and Q = Σx².

    mean = S/n
    s²   = (Q − S²/n)/(n − 1)       (sample variance; clamped at 0 against rounding)
    interval = mean ± t(n−1)·s/√n   (undefined, so ``None``, when n < 2)
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    if n < max(min_n, 1):
        return MetricValue.too_few(n)
    mean = total / n
    if n < 2:
        return MetricValue(mean, int(n), None, None, True)
    s2 = _sample_variance(n, total, sumsq)
    half = t_quantile(n - 1, confidence) * math.sqrt(s2 / n)
    return MetricValue(mean, int(n), mean - half, mean + half, True)


def _sample_variance(n: int, total: float, sumsq: float) -> float:
    """s² = (Q − S²/n)/(n − 1), clamped at 0."""
    return max(0.0, (sumsq - total * total / n) / (n - 1))


def ces(
    n: int,
    total: float,
    sumsq: float,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """Customer Effort Score: mean of 1–7 answers with a t interval (see :func:`mean_interval`).

    Higher is easier (7 = very easy), as in CES 2.0.
    """
    return mean_interval(n, total, sumsq, min_n=min_n, confidence=confidence)


def ces_easy(
    easy: int,
    n: int,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """% easy = 100·easy/n where easy counts CES answers ≥ 5 on 1–7; Wilson interval."""
    return rate(easy, n, min_n=min_n, confidence=confidence)


def sentiment(
    n: int,
    total: float,
    sumsq: float,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """Mean sentiment on −1..1 with a t interval (see :func:`mean_interval`), clipped to ±1."""
    value = mean_interval(n, total, sumsq, min_n=min_n, confidence=confidence)
    if value.low is None or value.high is None:
        return value
    return replace(value, low=max(-1.0, value.low), high=min(1.0, value.high))


def churn_rate(
    churned: int,
    renewed: int,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """Churn % among customers who reached a renewal decision: 100·churn/(churn + renewal).

    Wilson interval on n = churn + renewal (CRM events ``churn`` and ``renewal``).
    """
    return rate(churned, churned + renewed, min_n=min_n, confidence=confidence)


def retention_rate(
    churned: int,
    renewed: int,
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricValue:
    """Retention % = 100·renewal/(churn + renewal) = 100 − churn %; Wilson interval."""
    return rate(renewed, churned + renewed, min_n=min_n, confidence=confidence)


def metrics_from_sums(
    sums: Mapping[str, float | int | None],
    *,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, MetricValue]:
    """Every standard metric from one row of rollup partial sums.

    ``sums`` uses the rollup column names (``nps_n``, ``promoters``, ``csat_top`` …);
    missing or ``None`` columns count as 0. Returns keys ``nps``, ``csat``, ``ces``,
    ``ces_easy``, ``sentiment``, ``negative_share`` (% of scored texts with sentiment
    < −0.05), ``churn_rate``, ``retention_rate`` and ``complaint_share`` (% of all
    feedback that is a complaint event).
    """

    def g(name: str) -> float:
        value = sums.get(name)
        return 0 if value is None else value

    kw = {"min_n": min_n, "confidence": confidence}
    return {
        "nps": nps(int(g("promoters")), int(g("detractors")), int(g("nps_n")), **kw),
        "csat": csat(int(g("csat_top")), int(g("csat_n")), **kw),
        "ces": ces(int(g("ces_n")), g("ces_sum"), g("ces_sumsq"), **kw),
        "ces_easy": ces_easy(int(g("ces_easy")), int(g("ces_n")), **kw),
        "sentiment": sentiment(int(g("sentiment_n")), g("sentiment_sum"), g("sentiment_sumsq"), **kw),
        "negative_share": rate(int(g("negative_n")), int(g("sentiment_n")), **kw),
        "churn_rate": churn_rate(int(g("churn_n")), int(g("renewal_n")), **kw),
        "retention_rate": retention_rate(int(g("churn_n")), int(g("renewal_n")), **kw),
        "complaint_share": rate(int(g("complaint_n")), int(g("n")), **kw),
    }


# ------------------------------------------------------------------ two-sample tests


def _not_enough(test: str, n_a: int, n_b: int, alpha: float, min_effect: float) -> Comparison:
    return Comparison(
        test=test,
        difference=None,
        low=None,
        high=None,
        statistic=None,
        p_value=None,
        p_adjusted=None,
        significant=False,
        credible=False,
        enough=False,
        alpha=alpha,
        min_effect=min_effect,
        n_a=int(n_a),
        n_b=int(n_b),
    )


def _decide(
    test: str,
    difference: float,
    se: float,
    se_test: float,
    *,
    alpha: float,
    min_effect: float,
    n_a: int,
    n_b: int,
    scale: float,
    df: float | None = None,
) -> Comparison:
    """Shared tail: statistic, two-sided p, (1 − α) interval and the decision flags."""
    crit = z_quantile(1 - alpha) if df is None else t_quantile(df, 1 - alpha)
    if se_test > 0:
        statistic = difference / se_test
        p = _normal_two_sided_p(statistic) if df is None else _t_two_sided_p(statistic, df)
    else:  # both samples constant: any non-zero difference is certain
        statistic = math.copysign(math.inf, difference) if difference else 0.0
        p = 0.0 if difference else 1.0
    significant = p < alpha
    return Comparison(
        test=test,
        difference=scale * difference,
        low=scale * (difference - crit * se),
        high=scale * (difference + crit * se),
        statistic=statistic,
        p_value=p,
        p_adjusted=p,
        significant=significant,
        credible=significant and abs(scale * difference) >= min_effect,
        enough=True,
        alpha=alpha,
        min_effect=min_effect,
        n_a=int(n_a),
        n_b=int(n_b),
        df=df,
    )


def compare_nps(
    a: NpsCounts,
    b: NpsCounts,
    *,
    alpha: float = DEFAULT_ALPHA,
    min_effect: float = 0.0,
    min_n: int = DEFAULT_MIN_N,
) -> Comparison:
    """Two-sample z-test of NPS_b − NPS_a (NPS points).

    d_i = p₊ᵢ − p₋ᵢ, var_i = p₊ᵢ + p₋ᵢ − d_i² (see :func:`nps`)
    SE  = √(var_a/n_a + var_b/n_b)
    z   = (d_b − d_a)/SE, p = 2·(1 − Φ(|z|))
    interval = 100·((d_b − d_a) ± z_{1−α/2}·SE)
    """
    if a.n < max(min_n, 1) or b.n < max(min_n, 1):
        return _not_enough("nps z-test", a.n, b.n, alpha, min_effect)
    da = (a.promoters - a.detractors) / a.n
    db = (b.promoters - b.detractors) / b.n
    se = math.sqrt(
        _nps_variance(a.promoters, a.detractors, a.n) / a.n
        + _nps_variance(b.promoters, b.detractors, b.n) / b.n
    )
    return _decide(
        "nps z-test",
        db - da,
        se,
        se,
        alpha=alpha,
        min_effect=min_effect,
        n_a=a.n,
        n_b=b.n,
        scale=100.0,
    )


def compare_proportions(
    a: Proportion,
    b: Proportion,
    *,
    alpha: float = DEFAULT_ALPHA,
    min_effect: float = 0.0,
    min_n: int = DEFAULT_MIN_N,
) -> Comparison:
    """Two-proportion z-test of p_b − p_a (percentage points).

    Test (pooled under H₀): p̄ = (k_a + k_b)/(n_a + n_b),
    z = (p_b − p_a)/√(p̄(1 − p̄)(1/n_a + 1/n_b)), p = 2·(1 − Φ(|z|)).
    Interval (unpooled): 100·((p_b − p_a) ± z_{1−α/2}·√(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b)).
    """
    _check_counts((a.k, a.n), (b.k, b.n))
    if a.n < max(min_n, 1) or b.n < max(min_n, 1):
        return _not_enough("two-proportion z-test", a.n, b.n, alpha, min_effect)
    pa, pb = a.k / a.n, b.k / b.n
    pooled = (a.k + b.k) / (a.n + b.n)
    se_test = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    se = math.sqrt(pa * (1 - pa) / a.n + pb * (1 - pb) / b.n)
    return _decide(
        "two-proportion z-test",
        pb - pa,
        se,
        se_test,
        alpha=alpha,
        min_effect=min_effect,
        n_a=a.n,
        n_b=b.n,
        scale=100.0,
    )


def welch_t(
    a: MeanSums,
    b: MeanSums,
    *,
    alpha: float = DEFAULT_ALPHA,
    min_effect: float = 0.0,
    min_n: int = DEFAULT_MIN_N,
) -> Comparison:
    """Welch's unequal-variance t-test of mean_b − mean_a (scale units).

    s_i² = (Q_i − S_i²/n_i)/(n_i − 1), v_i = s_i²/n_i
    t  = (mean_b − mean_a)/√(v_a + v_b)
    ν  = (v_a + v_b)² / (v_a²/(n_a − 1) + v_b²/(n_b − 1))   (Welch–Satterthwaite)
    p  = 2·(1 − T_ν(|t|)); interval = diff ± t_ν,1−α/2·√(v_a + v_b)
    """
    if a.n < max(min_n, 2) or b.n < max(min_n, 2):
        return _not_enough("welch t-test", a.n, b.n, alpha, min_effect)
    va = _sample_variance(a.n, a.total, a.sumsq) / a.n
    vb = _sample_variance(b.n, b.total, b.sumsq) / b.n
    se = math.sqrt(va + vb)
    denom = (va * va / (a.n - 1)) + (vb * vb / (b.n - 1))
    df = (va + vb) ** 2 / denom if denom > 0 else float(a.n + b.n - 2)
    return _decide(
        "welch t-test",
        b.total / b.n - a.total / a.n,
        se,
        se,
        alpha=alpha,
        min_effect=min_effect,
        n_a=a.n,
        n_b=b.n,
        scale=1.0,
        df=df,
    )


compare_means = welch_t


# ---------------------------------------------------------------- multiple testing


def benjamini_hochberg(
    p_values: Sequence[float], alpha: float = DEFAULT_ALPHA
) -> tuple[list[float], list[bool]]:
    """Benjamini–Hochberg step-up procedure controlling the false discovery rate.

    Sort the m p-values ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎. Adjusted values
    q₍ᵢ₎ = min_{j ≥ i} min(1, p₍ⱼ₎·m/j); reject H₍ᵢ₎ when q₍ᵢ₎ ≤ α (equivalently: reject
    the k smallest where k is the largest i with p₍ᵢ₎ ≤ i·α/m).
    Returns (adjusted p-values, rejected flags), both in the input order.
    """
    m = len(p_values)
    for p in p_values:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-value out of range: {p}")
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted, [q <= alpha for q in adjusted]


def adjust_comparisons(comparisons: Sequence[Comparison], alpha: float | None = None) -> list[Comparison]:
    """Apply Benjamini–Hochberg across a family of comparisons.

    Comparisons without enough data are kept unchanged and are not counted in m.
    ``significant`` becomes q ≤ α and ``credible`` additionally needs
    |difference| ≥ min_effect. ``alpha`` defaults to each comparison's own.
    """
    tested = [i for i, c in enumerate(comparisons) if c.enough and c.p_value is not None]
    family_alpha = alpha if alpha is not None else DEFAULT_ALPHA
    adjusted, _ = benjamini_hochberg([comparisons[i].p_value for i in tested], family_alpha)
    out = list(comparisons)
    for i, q in zip(tested, adjusted, strict=True):
        c = comparisons[i]
        a = alpha if alpha is not None else c.alpha
        significant = q <= a
        out[i] = replace(
            c,
            p_adjusted=q,
            alpha=a,
            significant=significant,
            credible=significant and abs(c.difference) >= c.min_effect,
        )
    return out
