"""Did an organization-wide change move a metric? Measured on the organization's own series,
with no comparison series — so with a stricter rule than :mod:`impact`, because drift could look
like an effect.

An initiative whose scope is the whole organization (no steps, or every step) leaves no
untouched steps to compare with, so :func:`impact.assess_change` cannot separate its effect
from organization-wide drift. Here, instead (docs/wins-measurement.md, decision 0034):

1. **The series**: the metric of the whole organization per period (days or weeks anchored
   at the change date, as in :mod:`impact`), weights n per period.
2. **Segmented regression with seasonality**: y_t = a + b·τ + L·post + S·τ·post + seasonal
   terms + e_t, by weighted least squares; the seasonal terms are day-of-week indicators for
   daily series and a yearly sine and cosine when the data before the change span at least a
   year (with less, a yearly cycle cannot be told from a trend and is not fitted). Errors are
   the same prewhitened Newey–West (HAC) with fixed-b critical values.
3. **A wider minimum effect**: :data:`ORG_MIN_EFFECT_FACTOR` × the metric's minimum effect.
4. **Placebo dates**: the segmented model (without the seasonal terms: the series has the
   seasonal pattern of step 2 taken out) is fitted at up to :data:`MAX_PLACEBOS` earlier fake
   change dates a week apart, each on the data *before the real change only* (so the real
   effect cannot leak into them), from :data:`PLACEBO_WINDOW_DAYS` before its date to as many
   periods after it as the real change has (at most the rest of the data before the change).
   The real date's break is measured the same way (the same window before it), so the real
   and the fake breaks are alike but for the change; the fake ones show how large a "break"
   drift, slow wobble and curvature alone produce in this organization's own series.

Verdict: **win** (or **worse**) only when p < α, the effect is at least the wider minimum, and
the real break is larger in size than :data:`PLACEBO_QUANTILE` (95 %) of the placebo breaks; too early when
there are fewer than :data:`MIN_PLACEBOS` placebo dates (the data before the change are too
short to check drift), plus the same too-early rules as :mod:`impact`.

What it cannot do: a change elsewhere in the organization on the same date, or an event that
moves everything on that date (a price rise, a storm), is indistinguishable from the effect.
The sentence says so."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .impact import (
    IMPACT_METRICS,
    MIN_DAYS_AFTER,
    MIN_DAYS_BEFORE,
    Assessment,
    ImpactMetric,
    _as_reported,
    _whole,
    fit_segmented,
    period_series,
)
from .stats import DEFAULT_ALPHA, DEFAULT_MIN_N

__all__ = ["MAX_PLACEBOS", "MIN_PLACEBOS", "ORG_METHOD", "ORG_MIN_EFFECT_FACTOR", "PLACEBO_QUANTILE",
           "assess_organization", "org_periods_before_needed"]

ORG_MIN_EFFECT_FACTOR = 1.5  # the organization-level minimum effect, × the metric's
PLACEBO_QUANTILE = 0.95  # the real break must be larger than this share of placebo breaks
MIN_PLACEBOS = 8
MAX_PLACEBOS = 20
PLACEBO_WINDOW_DAYS = 70  # the real and the placebo breaks compared: each from 10 weeks before its date
YEAR_DAYS = 364  # the data before the change span this many days: the yearly cycle is fitted

ORG_METHOD = ("segmented regression (interrupted time series) of the whole organization's series, no comparison "
              "series; seasonality terms; weighted by n; prewhitened Newey–West errors with fixed-b critical "
              "values; a wider minimum effect and a placebo-date test against drift")


def _spacing(grain_days: int) -> int:
    """Placebo dates one week apart (every period for weekly series, every 7th day for daily)."""
    return max(1, 7 // grain_days)


def org_periods_before_needed(grain_days: int) -> int:
    """Periods with data before the change the organization-level measurement needs: enough for
    the first placebo date's own before-period and after-period, and :data:`MIN_PLACEBOS` dates."""
    need_before = max(3, math.ceil(MIN_DAYS_BEFORE / grain_days))
    need_after = max(2, math.ceil(MIN_DAYS_AFTER / grain_days))
    return need_before + need_after + (MIN_PLACEBOS - 1) * _spacing(grain_days)


def _design(days: np.ndarray, weekday_terms: bool, yearly: bool) -> np.ndarray:
    """Seasonality columns: day-of-week indicators (the first weekday present left out) when
    `weekday_terms` (daily series); a yearly sine and cosine when `yearly`."""
    cols = []
    if weekday_terms:
        weekday = np.mod(days.astype(int), 7)
        present = sorted(set(weekday.tolist()))
        for wd in present[1:]:
            cols.append((weekday == wd).astype(float))
    if yearly:
        angle = 2 * np.pi * days / 365.25
        cols += [np.sin(angle), np.cos(angle)]
    return np.column_stack(cols) if cols else np.zeros((len(days), 0))


def _fit(value, variance, tau, days, grain_days, lags, *, seasonal: bool = True):
    """The segmented fit (with seasonality unless `seasonal` is False) on rows already selected;
    (fit, mean τ after, the seasonal terms' names, the fitted seasonal pattern per row)."""
    post = (tau >= 0).astype(float)
    span_before = float(days[post == 0].max() - days[post == 0].min()) if (post == 0).any() else 0.0
    yearly = seasonal and span_before >= YEAR_DAYS
    extra = _design(days, grain_days == 1 and seasonal, yearly)
    fit = fit_segmented(value, variance, tau, post, lags=lags, extra=extra)
    pattern = extra @ fit.coef[4:] if extra.shape[1] else np.zeros(len(value))
    terms = ", ".join(t for t in ("day of week" if extra.shape[1] and grain_days == 1 and seasonal else "",
                                  "yearly cycle" if yearly else "") if t)
    return fit, float(tau[post == 1].mean()), terms, pattern


def assess_organization(
    metric: ImpactMetric | str,
    series: Sequence[Mapping[str, float] | None],
    first_post: int,
    *,
    grain_days: int = 7,
    period_days: Sequence[float] | None = None,
    alpha: float = DEFAULT_ALPHA,
    min_effect: float | None = None,
    min_n: int = DEFAULT_MIN_N,
    lags: int | None = None,
) -> Assessment:
    """Judge an organization-wide change from the organization's rollup sums per period
    (oldest first); `first_post` the first period on or after the change date;
    `period_days` each period's first day as a day number (e.g. ``date.toordinal()``), for the
    seasonality terms (default: consecutive periods from day 0). `min_effect` is the metric's
    minimum; the organization-level rule uses :data:`ORG_MIN_EFFECT_FACTOR` times it."""
    m = IMPACT_METRICS[metric] if isinstance(metric, str) else metric
    base_min = m.min_effect if min_effect is None else float(min_effect)
    if base_min < 0:
        raise ValueError("min_effect must not be negative")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    effect_min = ORG_MIN_EFFECT_FACTOR * base_min
    length = len(series)
    days = (np.arange(length, dtype=float) * grain_days if period_days is None
            else np.asarray(period_days, dtype=float))
    if len(days) != length:
        raise ValueError("period_days needs one day per period")
    need_before = org_periods_before_needed(grain_days)
    need_after = max(2, math.ceil(MIN_DAYS_AFTER / grain_days))
    s = period_series(m, series)
    before_n, after_n = int(s.n[:first_post].sum()), int(s.n[first_post:].sum())
    base = dict(metric=m.key, kind=m.kind, higher_is_better=m.higher_is_better, min_effect=effect_min, alpha=alpha,
                grain_days=grain_days, n_before=before_n, n_after=after_n, scope="organization", method=ORG_METHOD,
                need_periods_before=need_before)
    if first_post >= length:
        return Assessment(**base, verdict="too_early", reason="after_data", periods_before=min(first_post, length))
    tau = np.arange(length, dtype=float) - first_post
    ok = np.isfinite(s.value) & np.isfinite(s.variance)
    if m.kind == "score":
        ok &= s.n > 0
    pre_rows, post_rows = int((ok & (tau < 0)).sum()), int((ok & (tau >= 0)).sum())
    base.update(periods_before=pre_rows, periods_after=post_rows)
    if post_rows < need_after:
        return Assessment(**base, verdict="too_early", reason="few_periods_after")
    if pre_rows < need_before:
        return Assessment(**base, verdict="too_early", reason="few_periods_before")
    if m.kind == "score" and (after_n < min_n or before_n < min_n):
        return Assessment(**base, verdict="too_early", reason="few_answers")
    if m.kind == "volume" and before_n < min_n:
        return Assessment(**base, verdict="too_early", reason="few_items")

    fit, mean_tau, terms, pattern = _fit(s.value[ok], s.variance[ok], tau[ok], days[ok], grain_days, lags)
    raw_effect = fit.contrast([0, 0, 1, mean_tau])
    effect = _as_reported(m.kind, *raw_effect, fit, alpha)
    level = _as_reported(m.kind, *fit.contrast([0, 0, 1, 0]), fit, alpha)
    slope = _as_reported(m.kind, *fit.contrast([0, 0, 0, 1]), fit, alpha)

    # The placebo fits see the series with the seasonal pattern the real fit found taken out:
    # a placebo window shorter than a year could not estimate the yearly cycle itself.
    adjusted = np.full(length, np.nan)
    adjusted[ok] = s.value[ok] - pattern
    placebos = _placebo_effects(adjusted, s.variance, ok, tau, days, grain_days, post_rows, lags)
    # The real break as the placebos see theirs: the same window (PLACEBO_WINDOW_DAYS before), the
    # same deseasonalised series, so the real date and the fake ones are alike but for the change.
    window = np.flatnonzero(ok)
    pre_all = window[tau[window] < 0]
    rows = np.r_[pre_all[-_window_periods(grain_days):], window[tau[window] >= 0]]
    local, local_tau, _, _ = _fit(adjusted[rows], s.variance[rows], tau[rows], days[rows], grain_days, lags,
                                  seasonal=False)
    local_break = local.contrast([0, 0, 1, local_tau])[0]
    base.update(seasonality=terms, lags=fit.lags, df=fit.df, effect=effect, level=level, slope=slope,
                before_value=_whole(m, series[:first_post]), after_value=_whole(m, series[first_post:]))
    if len(placebos) < MIN_PLACEBOS:  # cannot happen past the periods-before check; kept as a guard
        return Assessment(**{**base, "effect": None, "level": None, "slope": None}, verdict="too_early",
                          reason="few_periods_before")
    size = abs(local_break)
    share_below = float(np.mean([abs(p) < size for p in placebos]))
    reported = tuple(math.expm1(p) if m.kind == "volume" else p for p in placebos)
    good = effect.value > 0 if m.higher_is_better else effect.value < 0
    credible = effect.p_value < alpha and abs(effect.value) >= effect_min and share_below >= PLACEBO_QUANTILE
    verdict = ("win" if good else "worse") if credible else "no_credible_change"
    return Assessment(**base, verdict=verdict, reason="", placebo_effects=reported, placebo_share_below=share_below)


def _window_periods(grain_days: int) -> int:
    """Periods before a date (real or placebo) its break is measured over for the placebo test."""
    return max(3, math.ceil(PLACEBO_WINDOW_DAYS / grain_days))


def _placebo_effects(value, variance, ok, tau, days, grain_days, post_rows, lags) -> list[float]:
    """The model's effect (raw: metric units, or log ratio for volumes) at earlier fake dates,
    each fitted on the periods before the real change only, on the deseasonalised `value`."""
    pre = np.flatnonzero(ok & (tau < 0))
    need_before = max(3, math.ceil(MIN_DAYS_BEFORE / grain_days))
    need_after = max(2, math.ceil(MIN_DAYS_AFTER / grain_days))
    candidates = list(range(need_before, len(pre) - need_after + 1, _spacing(grain_days)))
    if len(candidates) > MAX_PLACEBOS:  # spread evenly, the latest kept
        pick = np.linspace(0, len(candidates) - 1, MAX_PLACEBOS).round().astype(int)
        candidates = [candidates[i] for i in sorted(set(pick.tolist()))]
    out = []
    for cut in candidates:
        after = min(post_rows, len(pre) - cut)
        rows = pre[max(0, cut - _window_periods(grain_days)): cut + after]
        fake_tau = tau[rows] - tau[pre[cut]]
        fit, mean_tau, _, _ = _fit(value[rows], variance[rows], fake_tau, days[rows], grain_days, lags, seasonal=False)
        out.append(fit.contrast([0, 0, 1, mean_tau])[0])
    return out
