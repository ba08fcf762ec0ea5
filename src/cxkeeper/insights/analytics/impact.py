"""Did a change at some steps on some date move a metric? Interrupted time series against a
comparison series (difference in differences), from rollup partial sums only.

Nothing here imports Django: numbers in (per-period rollup sums of the changed steps and of
each comparison step), a frozen :class:`Assessment` out. `insights.impact` builds the series
from the rollup store and writes the sentences; docs/wins-measurement.md explains the method
and reports the simulations of :mod:`impact_simulation` that check it.

Method
------
Periods are days or weeks *anchored at the change date*: period 0 starts on the change date,
period −1 is the 7 (or 1) days before it, so no period mixes before and after.

1. **Per period** the metric of the changed steps, y_t, and of the comparison steps added
   together, c_t, each with its count of answers (score metrics) or items (volume metrics).
   Score metrics (NPS, CSAT, CES, sentiment, shares …) are on their own scale; a period's
   sampling variance is σ²/n_t, with σ² the per-answer variance within periods, pooled over the
   series (so weights follow n, and a period of 3 answers cannot claim a zero variance). Volume
   metrics (feedback items, complaints, negative texts, mentions of a topic) are counted and
   taken as log(count + ½), variance 1/(count + ½) (Poisson): the difference of logs is a
   ratio, so an organization-wide rise or fall in volume cancels.
2. **Difference** d_t = y_t − c_t with variance v_t = var(y_t) + var(c_t). Organization-wide
   drift, seasonality and events that move the comparison steps as much cancel here.
3. **Segmented regression** by weighted least squares, weights 1/v_t:
       d_t = a + b·τ_t + L·post_t + S·τ_t·post_t + e_t,
   τ_t = t (0 at the change date), post_t = 1 from the change date on. L is the level change,
   S the change in slope per period, b any difference in trends that was there before.
4. **Autocorrelation-robust errors**: Newey–West (Bartlett kernel, lag ⌊√T⌋), prewhitened
   with an AR(1) of the residuals (Andrews & Monahan), scaled by T/(T − 4); critical values
   from Student t with T − 4 degrees of freedom widened for the bandwidth (fixed-b, Kiefer &
   Vogelsang). A variance is never taken below the one the answers' own sampling noise implies
   ((X'WX)⁻¹ with the known v_t), as in the target status rules.
5. **The effect** is the mean change over the periods measured after the change:
   E = L + S·mean(τ over the periods after), a linear combination with its own robust
   variance; interval E ± t·SE, p two-sided. Volume effects are written as a relative change
   exp(E) − 1.

Comparison screening: with three or more comparison steps, each is first measured against
the others at the same date (the same regression); the one that moved most credibly (p < α
and at least the minimum effect, either way) is set aside and the rest are screened again, so
a concurrent change at a comparison step is not credited to — or blamed on — the change
measured.

Verdict (:data:`VERDICTS`):

* ``too_early`` — the change date is after the last day of data, fewer than
  ``min_periods_after`` periods after it (or fewer than ``min_periods_before`` before it)
  have answers at both the changed and the comparison steps, the changed steps have fewer
  than ``min_n`` answers on either side (score metrics) or fewer than ``min_n`` items before
  the change (volume metrics: nothing to compare with), or no comparison step has data;
* ``win`` — p < α, |effect| ≥ the minimum effect, in the good direction;
* ``worse`` — the same in the bad direction (a regression);
* ``no_credible_change`` — anything else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special as _special

from .stats import DEFAULT_ALPHA, DEFAULT_MIN_N

__all__ = [
    "DEFAULT_MIN_EFFECT",
    "IMPACT_METRICS",
    "MIN_DAYS_AFTER",
    "MIN_DAYS_BEFORE",
    "VERDICTS",
    "Assessment",
    "ImpactMetric",
    "SegmentedFit",
    "assess_change",
    "fit_segmented",
    "newey_west_lags",
    "period_series",
    "Estimate",
    "PeriodSeries",
]

VERDICTS = ("win", "no_credible_change", "worse", "too_early")
#: the change needs this many days of data after it (4 weeks) and before it (8 weeks)
MIN_DAYS_AFTER = 28
MIN_DAYS_BEFORE = 56
SCREEN_MIN_STEPS = 3  # comparison steps are screened for their own change when there are this many


@dataclass(frozen=True)
class ImpactMetric:
    """How a metric is measured for impact: a score from rollup sums or a count.

    ``min_effect`` is in the metric's units for scores (NPS points, percentage points, CES
    points) and a relative change for volumes (0.15 = 15 % fewer or more)."""

    key: str
    kind: str  # "score" | "volume"
    higher_is_better: bool
    min_effect: float
    count_column: str = ""  # volume metrics: the rollup column counted


#: The minimum effect that matters, per metric: a change a team lead would notice and act on,
#: about a third of the spread between steps in the sample and never below what a quarter of
#: weekly answers at one busy step can resolve. Override per call (``min_effect=``).
DEFAULT_MIN_EFFECT: dict[str, float] = {
    "nps": 5.0, "csat": 3.0, "ces": 0.2, "ces_easy": 3.0, "sentiment": 0.05, "negative_share": 3.0,
    "churn_rate": 2.0, "retention_rate": 2.0, "complaint_share": 2.0,
    "volume": 0.15, "complaint_count": 0.15, "negative_count": 0.15, "mentions": 0.2,
}

IMPACT_METRICS: dict[str, ImpactMetric] = {m.key: m for m in (
    ImpactMetric("nps", "score", True, DEFAULT_MIN_EFFECT["nps"]),
    ImpactMetric("csat", "score", True, DEFAULT_MIN_EFFECT["csat"]),
    ImpactMetric("ces", "score", True, DEFAULT_MIN_EFFECT["ces"]),
    ImpactMetric("ces_easy", "score", True, DEFAULT_MIN_EFFECT["ces_easy"]),
    ImpactMetric("sentiment", "score", True, DEFAULT_MIN_EFFECT["sentiment"]),
    ImpactMetric("negative_share", "score", False, DEFAULT_MIN_EFFECT["negative_share"]),
    ImpactMetric("churn_rate", "score", False, DEFAULT_MIN_EFFECT["churn_rate"]),
    ImpactMetric("retention_rate", "score", True, DEFAULT_MIN_EFFECT["retention_rate"]),
    ImpactMetric("complaint_share", "score", False, DEFAULT_MIN_EFFECT["complaint_share"]),
    # Feedback arrives mostly when something goes wrong, so fewer items at a step is better.
    ImpactMetric("volume", "volume", False, DEFAULT_MIN_EFFECT["volume"], "n"),
    ImpactMetric("complaint_count", "volume", False, DEFAULT_MIN_EFFECT["complaint_count"], "complaint_n"),
    ImpactMetric("negative_count", "volume", False, DEFAULT_MIN_EFFECT["negative_count"], "negative_n"),
    # Items mentioning a topic: the caller counts them into a "mentions" column.
    ImpactMetric("mentions", "volume", False, DEFAULT_MIN_EFFECT["mentions"], "mentions"),
)}


# ------------------------------------------------------------------ per-period values


def _g(sums: Mapping[str, float] | None, name: str) -> float:
    if not sums:
        return 0.0
    value = sums.get(name)
    return 0.0 if value is None else float(value)


def _score_parts(metric: str, sums: Mapping[str, float] | None) -> tuple[float, float, float]:
    """(n, Σx, Σx²) of one period for a score metric, each answer on the metric's scale
    (NPS answers as +100/0/−100, shares as 100/0, means as themselves)."""
    g = lambda name: _g(sums, name)  # noqa: E731
    if metric == "nps":
        p, d = g("promoters"), g("detractors")
        return g("nps_n"), 100.0 * (p - d), 100.0 * 100.0 * (p + d)
    if metric in ("ces", "sentiment"):
        return g(f"{metric}_n"), g(f"{metric}_sum"), g(f"{metric}_sumsq")
    k, n = {
        "csat": ("csat_top", "csat_n"), "ces_easy": ("ces_easy", "ces_n"),
        "negative_share": ("negative_n", "sentiment_n"), "complaint_share": ("complaint_n", "n"),
        "churn_rate": ("churn_n", None), "retention_rate": ("renewal_n", None),
    }[metric]
    top = g(k)
    total = g(n) if n else g("churn_n") + g("renewal_n")
    return total, 100.0 * top, 100.0 * 100.0 * top


@dataclass(frozen=True)
class PeriodSeries:
    """One series: per period its value, its sampling variance and its n (answers or items)."""

    value: np.ndarray  # NaN where the period has no data
    variance: np.ndarray
    n: np.ndarray


def period_series(metric: ImpactMetric | str, periods: Sequence[Mapping[str, float] | None]) -> PeriodSeries:
    """Values of `metric` per period from rollup sums (None or {} for a period with nothing).

    Scores: value Σx/n; variance σ²/n, σ² the per-answer variance within periods, pooled over
    the series (floored at a tenth of the scale's variance a single answer can have, so a
    series of identical answers still has some). Volumes: log(count + ½), variance 1/(count + ½)."""
    m = IMPACT_METRICS[metric] if isinstance(metric, str) else metric
    if m.kind == "volume":
        counts = np.array([_g(p, m.count_column) for p in periods], dtype=float)
        return PeriodSeries(np.log(counts + 0.5), 1.0 / (counts + 0.5), counts)
    parts = np.array([_score_parts(m.key, p) for p in periods], dtype=float).reshape(-1, 3)
    n, total, sumsq = parts[:, 0], parts[:, 1], parts[:, 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n > 0, total / np.where(n > 0, n, 1), np.nan)
    # Within-period pooled variance: a level shift between periods does not inflate it.
    has = n > 0
    within = (sumsq[has] - total[has] ** 2 / n[has]).sum()
    dof = n[has].sum() - has.sum()
    sigma2 = max(0.0, within / dof) if dof > 0 else 0.0
    sigma2 = max(sigma2, _VARIANCE_FLOOR[m.key])
    with np.errstate(divide="ignore"):
        variance = np.where(n > 0, sigma2 / np.where(n > 0, n, 1), np.inf)
    return PeriodSeries(value, variance, n)


# A tenth of the largest variance one answer can have on the metric's scale.
_VARIANCE_FLOOR = {"nps": 1000.0, "csat": 250.0, "ces_easy": 250.0, "negative_share": 250.0,
                   "complaint_share": 250.0, "churn_rate": 250.0, "retention_rate": 250.0,
                   "ces": 0.9, "sentiment": 0.1}


# ------------------------------------------------------------------ the regression


def newey_west_lags(periods: int) -> int:
    """⌊√T⌋, at least 1: a wider bandwidth than Newey & West's ⌊4·(T/100)^(2/9)⌋ rule,
    because the series are short and their wobble lasts; its share b = (lags + 1)/T widens the
    critical value (fixed-b, :attr:`SegmentedFit.fixed_b_factor`). Chosen by the simulations
    (docs/wins-measurement.md)."""
    return max(1, int(math.floor(math.sqrt(periods))))


@dataclass(frozen=True)
class SegmentedFit:
    """Weighted segmented regression d = a + b·τ + L·post + S·τ·post with robust covariance."""

    coef: np.ndarray  # a, b, L, S
    cov: np.ndarray  # Newey–West (HAC), small-sample scaled
    cov_model: np.ndarray  # (X'WX)⁻¹: what the sampling noise alone implies
    df: int
    lags: int
    periods: int
    rho: float = 0.0  # the residuals' AR(1) taken out before the Newey–West sum (prewhitening)

    @property
    def fixed_b_factor(self) -> float:
        """How much wider than the normal's the interval must be for this bandwidth share
        b = (lags + 1)/T: Kiefer & Vogelsang's (2005) Bartlett critical value at 95 %,
        1.96 + 2.9694·b + 0.4160·b² − 0.5324·b³, divided by 1.96."""
        b = min(1.0, (self.lags + 1) / self.periods)
        return (1.96 + 2.9694 * b + 0.4160 * b * b - 0.5324 * b ** 3) / 1.96

    def critical(self, alpha: float) -> float:
        """Two-sided critical value: Student t with the fit's df, times the fixed-b factor."""
        return self.fixed_b_factor * _t_crit(self.df, alpha)

    def p_value(self, statistic: float) -> float:
        return _t_p(statistic / self.fixed_b_factor, self.df)

    def contrast(self, weights: Sequence[float]) -> tuple[float, float]:
        """(estimate, standard error) of Σ wᵢ·coefᵢ: the larger of the robust and the model SE."""
        c = np.zeros(len(self.coef))
        c[:len(weights)] = np.asarray(weights, dtype=float)  # extra columns (seasonality) weigh 0
        estimate = float(c @ self.coef)
        var = max(float(c @ self.cov @ c), float(c @ self.cov_model @ c))
        return estimate, math.sqrt(max(var, 0.0))


def fit_segmented(d: np.ndarray, variance: np.ndarray, tau: np.ndarray, post: np.ndarray,
                  *, lags: int | None = None, prewhiten: bool = True,
                  extra: np.ndarray | None = None) -> SegmentedFit:
    """WLS of d on [1, τ, post, τ·post] (and the `extra` columns, e.g. seasonality terms, after
    them) with weights 1/variance; Newey–West covariance.

    HAC with weights: the regression of √w·d on √w·X is ordinary least squares, its scores
    uₜ = √wₜ·xₜ·êₜ (ê the transformed residuals); meat = Σₜ uₜuₜ' + Σₗ kₗ Σₜ (uₜuₜ₋ₗ' + uₜ₋ₗuₜ'),
    kₗ = 1 − l/(lags + 1); cov = B·meat·B·T/(T − k), B = (X'WX)⁻¹ (with prewhitening, the scores
    are whitened first and the sum divided by (1 − ρ)²)."""
    d, variance, tau, post = (np.asarray(a, dtype=float) for a in (d, variance, tau, post))
    t_count = len(d)
    x = np.column_stack([np.ones(t_count), tau, post, tau * post])
    if extra is not None and np.size(extra):
        x = np.column_stack([x, np.asarray(extra, dtype=float).reshape(t_count, -1)])
    w = 1.0 / variance
    sw = np.sqrt(w)
    xw, dw = x * sw[:, None], d * sw
    bread = np.linalg.pinv(xw.T @ xw)
    coef = bread @ xw.T @ dw
    resid = dw - xw @ coef
    # Prewhitened (Andrews & Monahan 1992): an AR(1) of the residuals, its coefficient
    # corrected for its small-sample bias (+ (1 + 3ρ)/T, Kendall) and kept within ±0.9, is
    # taken out of the scores before the Bartlett sum and put back after it.
    rho = 0.0
    if prewhiten and t_count > 8:
        e0, e1 = resid[:-1], resid[1:]
        denom = float(e0 @ e0)
        if denom > 0:
            rho = float(e0 @ e1) / denom
            rho = min(0.9, max(-0.9, rho + (1.0 + 3.0 * rho) / t_count))
    u = xw * resid[:, None]
    if rho:
        u = u[1:] - rho * u[:-1]
    lags = newey_west_lags(t_count) if lags is None else lags
    meat = u.T @ u
    for lag in range(1, min(lags, len(u) - 1) + 1):
        k = 1.0 - lag / (lags + 1.0)
        gamma = u[lag:].T @ u[:-lag]
        meat += k * (gamma + gamma.T)
    meat = meat * (t_count / len(u)) / (1.0 - rho) ** 2
    k_params = x.shape[1]
    df = max(1, t_count - k_params)
    cov = bread @ meat @ bread * (t_count / df)
    return SegmentedFit(coef, cov, bread, df, lags, t_count, rho)


def _t_p(statistic: float, df: float) -> float:
    return float(2.0 * _special.stdtr(df, -abs(statistic)))


def _t_crit(df: float, alpha: float) -> float:
    return float(_special.stdtrit(df, 1.0 - alpha / 2.0))


# ------------------------------------------------------------------ the assessment


@dataclass(frozen=True)
class Estimate:
    """An estimate with its (1 − α) interval and two-sided p, in the units it is reported in."""

    value: float
    low: float
    high: float
    p_value: float
    se: float


@dataclass(frozen=True)
class Assessment:
    """What the data say about one change, one metric. Effects are in the metric's units for
    scores and a relative change (−0.3 = 30 % fewer) for volumes; ``level`` and ``slope``
    (per period) likewise. ``reason`` says why a ``too_early`` verdict could not measure."""

    metric: str
    kind: str
    verdict: str
    reason: str
    higher_is_better: bool
    min_effect: float
    alpha: float
    grain_days: int
    effect: Estimate | None = None
    level: Estimate | None = None
    slope: Estimate | None = None
    n_before: int = 0
    n_after: int = 0
    comparison_n_before: int = 0
    comparison_n_after: int = 0
    periods_before: int = 0
    periods_after: int = 0
    lags: int = 0
    df: int = 0
    comparison_used: tuple = ()
    comparison_set_aside: tuple = ()  # (key, effect, p) of comparison steps that moved themselves
    before_value: float | None = None  # the changed steps' metric over the periods before / after
    after_value: float | None = None
    method: str = ("segmented regression (interrupted time series) of the difference to the comparison "
                   "series (difference in differences), weighted by n, prewhitened Newey–West errors with "
                   "fixed-b critical values")
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Organization level (analytics.impact_org): no comparison series, so placebo dates instead
    scope: str = "steps"  # "steps" | "organization"
    placebo_effects: tuple[float, ...] = ()  # the same model's effect at earlier fake dates (reported units)
    placebo_share_below: float | None = None  # share of placebo effects smaller (in size) than the real one
    seasonality: str = ""  # the seasonality terms fitted ("day of week", "yearly", …)
    need_periods_before: int = 0  # too early: how many periods before the change the measurement needs

    @property
    def measured(self) -> bool:
        return self.verdict != "too_early"


def _as_reported(kind: str, estimate: float, se: float, fit: SegmentedFit, alpha: float) -> Estimate:
    crit = fit.critical(alpha)
    p = fit.p_value(estimate / se) if se > 0 else (0.0 if estimate else 1.0)
    low, high = estimate - crit * se, estimate + crit * se
    if kind == "volume":
        return Estimate(math.expm1(estimate), math.expm1(low), math.expm1(high), p, se)
    return Estimate(estimate, low, high, p, se)


def _pooled(periods_by_step: Mapping[object, Sequence[Mapping[str, float] | None]], keys, length: int) -> list[dict]:
    out: list[dict] = [{} for _ in range(length)]
    for key in keys:
        for i, sums in enumerate(periods_by_step[key]):
            if not sums:
                continue
            acc = out[i]
            for column, value in sums.items():
                if value is not None:
                    acc[column] = acc.get(column, 0.0) + float(value)
    return out


def _whole(metric: ImpactMetric, periods: Sequence[Mapping[str, float] | None]) -> float | None:
    """The changed steps' metric over a run of periods, all answers together (volumes: items
    per period)."""
    if not periods:
        return None
    total = _pooled({0: periods}, [0], len(periods))
    together = {}
    for sums in total:
        for column, value in sums.items():
            together[column] = together.get(column, 0.0) + value
    s = period_series(metric, [together])
    if metric.kind == "volume":
        return float(s.n[0]) / len(periods)
    value = float(s.value[0])
    return None if math.isnan(value) else value


def _rows(m: ImpactMetric, compare_metric: ImpactMetric, treated, pooled, first_post: int):
    """Both series, τ, and which periods have data on both sides."""
    ys, cs = period_series(m, treated), period_series(compare_metric, pooled)
    tau = np.arange(len(treated), dtype=float) - first_post
    ok = np.isfinite(ys.value) & np.isfinite(cs.value) & np.isfinite(ys.variance) & np.isfinite(cs.variance)
    if m.kind == "score":
        ok &= (ys.n > 0) & (cs.n > 0)
    return ys, cs, tau, ok


def _effect_fit(m, compare_metric, treated, pooled, first_post, lags) -> tuple[SegmentedFit, float] | None:
    """The segmented fit of treated − comparison and the mean τ after the change (None: too
    few rows on a side to fit four parameters)."""
    ys, cs, tau, ok = _rows(m, compare_metric, treated, pooled, first_post)
    post = (tau >= 0).astype(float)
    if int((ok & (post == 0)).sum()) < 3 or int((ok & (post == 1)).sum()) < 2:
        return None
    fit = fit_segmented(ys.value[ok] - cs.value[ok], ys.variance[ok] + cs.variance[ok], tau[ok], post[ok],
                        lags=lags)
    return fit, float(tau[ok & (post == 1)].mean())


def assess_change(
    metric: ImpactMetric | str,
    treated: Sequence[Mapping[str, float] | None],
    comparison: Mapping[object, Sequence[Mapping[str, float] | None]],
    first_post: int,
    *,
    grain_days: int = 7,
    alpha: float = DEFAULT_ALPHA,
    min_effect: float | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_periods_before: int | None = None,
    min_periods_after: int | None = None,
    lags: int | None = None,
    screen: bool = True,
    comparison_totals: bool = False,
) -> Assessment:
    """Judge one change: `treated` holds the changed steps' rollup sums per period (oldest
    first), `comparison` each comparison step's sums for the same periods, `first_post` the
    index of the first period on or after the change date (len(treated) when the change is
    after the data: too early).

    `comparison_totals`: compare with the comparison steps' total volume (column ``n``)
    instead of the same count there — for mentions of a topic, which comparison steps rarely
    have. See the module docstring for the method and the verdict rules."""
    m = IMPACT_METRICS[metric] if isinstance(metric, str) else metric
    effect_min = m.min_effect if min_effect is None else float(min_effect)
    if effect_min < 0:
        raise ValueError("min_effect must not be negative")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    need_before = min_periods_before or max(3, math.ceil(MIN_DAYS_BEFORE / grain_days))
    need_after = min_periods_after or max(2, math.ceil(MIN_DAYS_AFTER / grain_days))
    length = len(treated)
    if any(len(series) != length for series in comparison.values()):
        raise ValueError("every comparison series needs as many periods as the changed steps'")
    base = dict(metric=m.key, kind=m.kind, higher_is_better=m.higher_is_better, min_effect=effect_min,
                alpha=alpha, grain_days=grain_days)
    treated_n = period_series(m, treated).n
    before_n, after_n = int(treated_n[:first_post].sum()), int(treated_n[first_post:].sum())
    base.update(n_before=before_n, n_after=after_n)
    if first_post >= length:
        return Assessment(**base, verdict="too_early", reason="after_data",
                          periods_before=min(first_post, length))
    compare_metric = m
    if comparison_totals and m.kind == "volume":
        compare_metric = ImpactMetric(m.key, "volume", m.higher_is_better, effect_min, "n")
    usable = [k for k, series in comparison.items() if period_series(compare_metric, series).n.sum() > 0]
    if not usable:
        return Assessment(**base, verdict="too_early", reason="no_comparison")

    set_aside: list[tuple] = []
    while screen and len(usable) >= SCREEN_MIN_STEPS:
        # Each remaining comparison step against the others; the one that moved most
        # credibly is set aside, then the rest are screened again without it.
        moved = []
        for key in usable:
            others = [k for k in usable if k != key]
            found = _effect_fit(compare_metric, compare_metric, comparison[key], _pooled(comparison, others, length),
                                first_post, lags)
            if found is None:
                continue
            fit, mean_tau = found
            estimate, se = fit.contrast([0, 0, 1, mean_tau])
            reported = _as_reported(m.kind, estimate, se, fit, alpha)
            if reported.p_value < alpha and abs(reported.value) >= effect_min:
                moved.append((abs(estimate) / se if se else math.inf, key, reported))
        if not moved:
            break
        _, key, reported = max(moved, key=lambda item: item[0])
        set_aside.append((key, reported.value, reported.p_value))
        usable = [k for k in usable if k != key]
    pooled = _pooled(comparison, usable, length)
    comp_n = period_series(compare_metric, pooled).n
    _, _, tau, ok = _rows(m, compare_metric, treated, pooled, first_post)
    pre_rows, post_rows = int((ok & (tau < 0)).sum()), int((ok & (tau >= 0)).sum())
    base.update(comparison_n_before=int(comp_n[:first_post].sum()), comparison_n_after=int(comp_n[first_post:].sum()),
                comparison_used=tuple(usable), comparison_set_aside=tuple(set_aside),
                periods_before=pre_rows, periods_after=post_rows)
    if post_rows < need_after:
        return Assessment(**base, verdict="too_early", reason="few_periods_after")
    if pre_rows < need_before:
        return Assessment(**base, verdict="too_early", reason="few_periods_before")
    if m.kind == "score" and (after_n < min_n or before_n < min_n):
        return Assessment(**base, verdict="too_early", reason="few_answers")
    if m.kind == "volume" and before_n < min_n:  # after may be anything: a fall to nothing is an effect
        return Assessment(**base, verdict="too_early", reason="few_items")
    found = _effect_fit(m, compare_metric, treated, pooled, first_post, lags)
    if found is None:  # cannot happen past the checks above (≥ 3 rows before, ≥ 2 after)
        return Assessment(**base, verdict="too_early", reason="few_periods_after")
    fit, mean_tau = found
    effect = _as_reported(m.kind, *fit.contrast([0, 0, 1, mean_tau]), fit, alpha)
    level = _as_reported(m.kind, *fit.contrast([0, 0, 1, 0]), fit, alpha)
    slope = _as_reported(m.kind, *fit.contrast([0, 0, 0, 1]), fit, alpha)
    good = effect.value > 0 if m.higher_is_better else effect.value < 0
    credible = effect.p_value < alpha and abs(effect.value) >= effect_min
    verdict = ("win" if good else "worse") if credible else "no_credible_change"
    return Assessment(**base, verdict=verdict, reason="", effect=effect, level=level, slope=slope, lags=fit.lags,
                      df=fit.df, before_value=_whole(m, treated[:first_post]),
                      after_value=_whole(m, treated[first_post:]))
