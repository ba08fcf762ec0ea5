"""Is a shared-outcome target on track? A pure function of numbers (no Django, no database).

:func:`assess_target` takes the metric over the recent window (a
:class:`~cxkeeper.insights.analytics.stats.MetricValue`), the same metric per calendar month,
the target and its due date, and returns a :class:`TargetAssessment` whose ``status`` is one of
``on_track``, ``at_risk``, ``off_track`` or ``no_data`` with two sentences:

* ``plain`` — what a team lead reads first: the status and why in everyday words, with the
  value now and the projected value, but no p value, no interval and no n ("Off track: at 4.29
  it is below the target, and at the recent pace it would still be below it (about 4.35) by
  Dec 2026.");
* ``explanation`` — the statistics behind it (value, interval, n, target, date, trend,
  projection), shown behind "Details" on every page, report and e-mail.

Both are written here, from the same formatted figures, so a number reads the same in both.

Rules, in order (see docs/outcomes-statistics.md for the reasoning):

1. ``no_data``  — the current value is "too few responses" (``enough`` False) or has no interval.
2. ``on_track`` — the whole current interval already meets the target
   (low ≥ target when higher is better, high ≤ target otherwise).
3. Due date reached (``as_of >= due``): ``off_track`` when the whole current interval misses
   the target, ``at_risk`` otherwise (the interval straddles it).
4. Fewer than ``min_months`` usable monthly points (``enough`` with a positive-width interval):
   ``at_risk`` — no trend to project, and the current interval does not yet meet the target.
5. Otherwise a weighted least-squares line through the monthly points
   (:func:`fit_line`, weights 1/SEᵢ², SEᵢ = interval width / 2z) is projected to the due date
   with a (1 − α) t interval (k − 2 degrees of freedom):

   * ``on_track``  — the whole projected interval meets the target;
   * ``off_track`` — the whole projected interval misses it **and** the whole current
     interval misses it;
   * ``at_risk``   — anything else (projection straddles the target: trend unclear; or the
     projection misses while today's interval still reaches the target).

Numbers: every value and interval is written with the metric's digits (``digits``; without
it, as many decimals as the interval's width makes meaningful) and its unit. A projection
or interval that reaches past the metric's scale (``scale``: 1–7 for CES, 0–100 % for a share)
is cut at the scale, and the explanation says so ("projects 5.43 (3.63 to 7.00, the top of
the scale)"): a straight line goes on for ever, the measure does not. The stored
``projected*`` values are the cut ones, so every page shows the same.

Time axis: months. A monthly point sits at the middle of its calendar month (whatever day it
is dated); the due date sits at the end of its day (30 Sep → the end of September).
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy import stats as _sps

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import DEFAULT_CONFIDENCE, DEFAULT_MIN_N, MetricValue, z_quantile

__all__ = [
    "AT_RISK",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "LineFit",
    "MonthPoint",
    "TargetAssessment",
    "assess_target",
    "fit_line",
    "month_index",
    "monthly_points",
]

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"


@dataclass(frozen=True)
class TargetAssessment:
    status: str  # "on_track" | "at_risk" | "off_track" | "no_data"
    explanation: str  # the statistics: value, interval, n, trend, p, projection
    plain: str  # the same verdict in everyday words: no p value, no interval, no n
    current: MetricValue | None
    projected: float | None  # value projected at the due date from the trend
    projected_low: float | None
    projected_high: float | None
    slope_per_month: float | None
    trend_p: float | None  # two-sided p of the slope
    months_used: int
    projection_note: str = ""  # where the projection was cut to the scale ("the top of the scale"), or ""


# ------------------------------------------------------------------------ time axis


def month_index(day: datetime.date) -> int:
    """Calendar month as an integer: year·12 + month − 1 (Jan 2026 → 24312)."""
    return day.year * 12 + day.month - 1


def _due_position(due: datetime.date) -> float:
    """The due date on the month axis: its month index + day/days-in-month (end of that day)."""
    return month_index(due) + due.day / calendar.monthrange(due.year, due.month)[1]


# ------------------------------------------------------------------- monthly points


@dataclass(frozen=True)
class MonthPoint:
    """One usable month: its index, value and standard error (from the interval)."""

    month: int
    value: float
    se: float


def monthly_points(
    monthly: Iterable[tuple[datetime.date, MetricValue]], *, confidence: float = DEFAULT_CONFIDENCE
) -> list[MonthPoint]:
    """The usable monthly points, one per calendar month, oldest first.

    A point is usable when ``enough`` is True and it has a value and an interval of positive
    width. Its standard error is SE = (high − low)/(2z), z = Φ⁻¹(1 − (1 − confidence)/2)
    (1.96 for the default 95 % intervals). Two points in the same month are merged by
    inverse-variance weighting: value = Σwᵢvᵢ/Σwᵢ, SE = 1/√Σwᵢ, wᵢ = 1/SEᵢ².
    """
    z = z_quantile(confidence)
    by_month: dict[int, list[tuple[float, float]]] = {}
    for day, mv in monthly:
        if not mv.enough or mv.value is None or mv.low is None or mv.high is None:
            continue
        se = (mv.high - mv.low) / (2.0 * z)
        if not se > 0 or not math.isfinite(se) or not math.isfinite(mv.value):
            continue
        by_month.setdefault(month_index(day), []).append((float(mv.value), se))
    points = []
    for month in sorted(by_month):
        items = by_month[month]
        if len(items) == 1:
            value, se = items[0]
        else:
            weights = [1.0 / se * (1.0 / se) for _, se in items]
            total = sum(weights)
            value = sum(w * v for w, (v, _) in zip(weights, items, strict=True)) / total
            se = 1.0 / math.sqrt(total)
        points.append(MonthPoint(month, value, se))
    return points


# ------------------------------------------------------------------------ line fit


@dataclass(frozen=True)
class LineFit:
    """A fitted line y = intercept + slope·x (x in months) with its uncertainty.

    ``scale`` is the σ̂² that multiplies (XᵀWX)⁻¹; ``df`` = k − 2.
    """

    k: int
    slope: float
    intercept: float
    x_mean: float  # weighted mean of x
    sum_w: float
    sxx: float  # Σwᵢ(xᵢ − x̄)²
    scale: float
    df: int

    @property
    def slope_se(self) -> float:
        """SE(b) = √(σ̂²/Sxx)."""
        return math.sqrt(self.scale / self.sxx)

    @property
    def t(self) -> float:
        """t = b/SE(b) (±inf for a perfect fit with a non-zero slope, 0 for a flat one)."""
        se = self.slope_se
        if se > 0:
            return self.slope / se
        return math.copysign(math.inf, self.slope) if self.slope else 0.0

    @property
    def p_two_sided(self) -> float:
        """p = 2·(1 − T_df(|t|))."""
        return float(2.0 * _sps.t.sf(abs(self.t), self.df))

    def p_one_sided(self, positive: bool) -> float:
        """One-sided p for H₁: slope > 0 (``positive``) or slope < 0."""
        t = self.t
        return float(_sps.t.sf(t, self.df) if positive else _sps.t.cdf(t, self.df))

    def predict(self, x: float, alpha: float = 0.05) -> tuple[float, float, float]:
        """Fitted value at x with its (1 − α) interval for the line (not for a single month).

        ŷ = ȳ_w + b(x − x̄_w),  SE(ŷ) = √(σ̂²·(1/Σw + (x − x̄_w)²/Sxx)),
        interval = ŷ ± T⁻¹_df(1 − α/2)·SE(ŷ).
        """
        y = self.intercept + self.slope * x
        se = math.sqrt(self.scale * (1.0 / self.sum_w + (x - self.x_mean) ** 2 / self.sxx))
        half = float(_sps.t.ppf(1.0 - alpha / 2.0, self.df)) * se
        return y, y - half, y + half


def fit_line(xs: Sequence[float], ys: Sequence[float], ses: Sequence[float] | None = None) -> LineFit | None:
    """Least-squares line through (xᵢ, yᵢ); ``None`` with fewer than 3 points or one distinct x.

    Weights wᵢ = 1/SEᵢ² when ``ses`` is given (weighted least squares), else 1 (ordinary).

        W = Σwᵢ, x̄ = Σwᵢxᵢ/W, ȳ = Σwᵢyᵢ/W
        Sxx = Σwᵢ(xᵢ − x̄)², Sxy = Σwᵢ(xᵢ − x̄)(yᵢ − ȳ)
        b = Sxy/Sxx, a = ȳ − b·x̄, rᵢ = yᵢ − a − b·xᵢ
        σ̂² = Σwᵢrᵢ²/(k − 2)

    With ``ses`` the months' own intervals say how noisy each point is at least, so
    σ̂² is floored at 1: a line is never more certain than its points' intervals imply, and
    month-to-month scatter beyond sampling noise (σ̂² > 1) widens it. Ordinary least squares
    uses σ̂² as is. Tests and intervals use Student t with k − 2 degrees of freedom.
    """
    k = len(xs)
    if len(ys) != k or (ses is not None and len(ses) != k):
        raise ValueError("xs, ys and ses must have the same length")
    if k < 3:
        return None
    ws = [1.0] * k if ses is None else [1.0 / (s * s) for s in ses]
    w_total = sum(ws)
    x_mean = sum(w * x for w, x in zip(ws, xs, strict=True)) / w_total
    y_mean = sum(w * y for w, y in zip(ws, ys, strict=True)) / w_total
    sxx = sum(w * (x - x_mean) ** 2 for w, x in zip(ws, xs, strict=True))
    if not sxx > 0:
        return None
    sxy = sum(w * (x - x_mean) * (y - y_mean) for w, x, y in zip(ws, xs, ys, strict=True))
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    rss = sum(w * (y - intercept - slope * x) ** 2 for w, x, y in zip(ws, xs, ys, strict=True))
    df = k - 2
    scale = rss / df
    if ses is not None:
        scale = max(1.0, scale)
    return LineFit(k, slope, intercept, x_mean, w_total, sxx, scale, df)


# ------------------------------------------------------------------------ formatting


def _decimals(half_width: float | None) -> int:
    """Decimals that show an interval of this half-width meaningfully (0.2 → 1, 4 → 0)."""
    if half_width is None or not half_width > 0 or not math.isfinite(half_width):
        return 2
    return min(4, max(0, -math.floor(math.log10(half_width))))


def _figure(value: float, decimals: int, unit: str) -> str:
    return numbers.with_unit(numbers.fixed(value, decimals), unit)


def _range(low: float, high: float, decimals: int, unit: str, note: str = "") -> str:
    return numbers.range_text(low, high, decimals, unit, note=note)


def _date(day: datetime.date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def _month(day: datetime.date) -> str:
    return f"{calendar.month_abbr[day.month]} {day.year}"


# ------------------------------------------------------------------------ assessment


def assess_target(
    *,
    current: MetricValue,
    monthly: list[tuple[datetime.date, MetricValue]],
    target: float,
    higher_is_better: bool,
    due: datetime.date,
    as_of: datetime.date,
    metric_label: str,
    unit: str = "",
    baseline: float | None = None,
    alpha: float = 0.05,
    min_months: int = 3,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
    scale: tuple[float, float] | None = None,
    digits: int | None = None,
) -> TargetAssessment:
    """Status of a target (see the module docstring for the rules).

    ``monthly`` points with ``enough`` False are ignored; ``min_n`` is only quoted in the
    "no data" explanation (the minimum the caller applied); ``confidence`` is the level of the
    monthly intervals (to turn their width into a standard error); ``alpha`` sets the
    projection interval (1 − α) and the significance quoted for the trend. ``unit`` follows
    every number ("%" → "82%", " min" → "6.5 min"). ``scale`` (low, high) is what the metric
    can take: intervals and the projection are cut to it, saying so. ``digits`` is the metric's
    precision (None: from each interval's width).
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    if min_months < 3:
        raise ValueError("min_months must be at least 3 (a line through k points has k − 2 degrees of freedom)")

    def meets(x: float) -> bool:
        return x >= target if higher_is_better else x <= target

    def misses(x: float) -> bool:
        return not meets(x)

    op = "≥" if higher_is_better else "≤"
    target_text = f"a target of {op} {numbers.with_unit(numbers.plain(target), unit)} by {_date(due)}"

    if not current.enough or current.value is None or current.low is None or current.high is None:
        if not current.enough or current.value is None:
            why = (f"{numbers.count(current.n)} responses in the recent window; at least {numbers.count(min_n)} "
                   "are needed for a reliable figure")
            plain = "Not enough responses yet to tell"
            if current.n is not None and current.n < min_n:
                plain += f" ({numbers.count(current.n)} of the {numbers.count(min_n)} needed)"
        else:
            why = f"its interval cannot be computed from n={numbers.count(current.n)}"
            plain = "Not enough usable responses yet to tell"
        explanation = f"No data for {metric_label} against {target_text}: {why}."
        return TargetAssessment(NO_DATA, explanation, plain + ".", current, None, None, None, None, None, 0)

    value, low, high = float(current.value), float(current.low), float(current.high)
    # the interval edge closest to missing / to meeting the target
    worst, best = (low, high) if higher_is_better else (high, low)
    decimals = _decimals((high - low) / 2.0) if digits is None else digits
    shown_value, shown_low, shown_high, note = numbers.bounded(value, low, high, scale)
    first = (
        f"{metric_label} is {_figure(shown_value, decimals, unit)} "
        f"({_range(shown_low, shown_high, decimals, unit, note)}, n={numbers.count(current.n)}) "
        f"against {target_text}"
    )
    if baseline is not None:
        written = numbers.plain(baseline) if digits is None else numbers.fixed(baseline, digits)
        first += f" (baseline {numbers.with_unit(written, unit)})"

    # The plain sentence: the same figures, in words — where the value stands now (the whole
    # interval meets the target / it straddles it: "close" / it misses), never the statistics.
    now = _figure(shown_value, decimals, unit)
    side = "below" if higher_is_better else "above"  # where a value that misses the target lies
    if meets(worst):
        position = "already meets the target"
    elif meets(best):
        position = "is close to the target"
    else:
        position = f"is {side} the target"
    by = _month(due)

    def result(status: str, clause: str, verdict: str, plain: str, fit: LineFit | None = None,
               proj: tuple[float, float, float] | None = None, used: int = 0,
               proj_note: str = "") -> TargetAssessment:
        text = f"{first}{clause}. {verdict}"
        return TargetAssessment(
            status=status,
            explanation=text,
            plain=plain,
            current=current,
            projected=proj[0] if proj else None,
            projected_low=proj[1] if proj else None,
            projected_high=proj[2] if proj else None,
            slope_per_month=fit.slope if fit else None,
            trend_p=fit.p_two_sided if fit else None,
            months_used=used,
            projection_note=proj_note,
        )

    if as_of >= due:
        passed = as_of > due
        clause = "; the due date has passed" if passed else "; the due date is today"
        if meets(worst):
            plain = (f"Met: at {now} it meets the target, and the due date ({_date(due)}) has passed." if passed
                     else f"Met: at {now} it meets the target on its due date, today.")
            return result(ON_TRACK, clause, "Met: the whole interval meets the target.", plain)
        if misses(best):
            plain = (f"Off track: the due date ({_date(due)}) has passed and at {now} it is {side} the target."
                     if passed else f"Off track: the target is due today and at {now} it is {side} it.")
            return result(OFF_TRACK, clause, "Off track: the whole interval misses the target.", plain)
        plain = (f"At risk: the due date ({_date(due)}) has passed and at {now} it is too close to the target to "
                 "say whether it was met." if passed else
                 f"At risk: the target is due today and at {now} it is too close to it to say whether it is met.")
        return result(AT_RISK, clause, "At risk: the interval straddles the target, so it is not clear it was met.",
                      plain)

    met_now = f"On track: at {now} it already meets the target."
    points = monthly_points(monthly, confidence=confidence)
    used = len(points)
    fit = None
    if used >= min_months:
        origin = points[0].month
        fit = fit_line(
            [p.month - origin + 0.5 for p in points], [p.value for p in points], [p.se for p in points]
        )
    if fit is None:
        clause = (
            f"; {used} month{'s' if used != 1 else ''} with enough responses are too few for a trend "
            f"(at least {min_months} needed)"
        )
        if meets(worst):
            return result(ON_TRACK, clause, "On track: the whole interval already meets the target.", met_now,
                          used=used)
        plain = f"At risk: at {now} it {position}, and there are too few months with enough responses to see a trend"
        plain += f" yet ({used} of the {min_months} needed)." if used < min_months else " yet."
        return result(
            AT_RISK, clause, "At risk: without a trend to project, the interval does not yet meet the target.",
            plain, used=used,
        )

    raw = fit.predict(_due_position(due) - points[0].month, alpha)
    pdec = _decimals((raw[2] - raw[1]) / 2.0) if digits is None else digits
    # a line goes on for ever; the metric stops at its scale: cut there, and say so
    pv, pl, ph, pnote = numbers.bounded(*raw, scale)
    proj = (pv, pl, ph)
    clause = (
        f"; the trend over {used} months ({numbers.with_unit(numbers.signed_significant(fit.slope), unit)} "
        f"a month, {numbers.pvalue(fit.p_two_sided, name='p', figures=2)}) "
        f"projects {_figure(pv, pdec, unit)} ({_range(pl, ph, pdec, unit, pnote)}) by then"
    )
    proj_worst, proj_best = (pl, ph) if higher_is_better else (ph, pl)
    # the projected value in words: "about 4.6", or where the line left the scale "7.00, the top of the scale"
    projected = _figure(pv, pdec, unit)
    if pv != raw[0]:
        projected += ", " + (numbers.SCALE_TOP if raw[0] > pv else numbers.SCALE_BOTTOM)
        reach = f"{projected},"
    else:
        projected = reach = f"about {projected}"
    if meets(worst):
        return result(ON_TRACK, clause, "On track: the whole interval already meets the target.", met_now, fit, proj,
                      used, pnote)
    if meets(proj_worst):
        plain = (f"On track: at {now} it {position}, and at the pace of the last {used} months it would reach {reach} "
                 f"by {by}.")
        return result(ON_TRACK, clause, "On track: the whole projected interval meets the target.", plain, fit, proj,
                      used, pnote)
    if misses(proj_best) and misses(best):
        plain = (f"Off track: at {now} it {position}, and at the recent pace it would still be {side} it "
                 f"({projected}) by {by}.")
        return result(
            OFF_TRACK, clause, "Off track: both today's interval and the whole projected interval miss the target.",
            plain, fit, proj, used, pnote,
        )
    if misses(proj_best):
        verdict = "At risk: the projection misses the target, but today's interval still reaches it."
        plain = f"At risk: at {now} it {position}, but at the recent pace it would be {side} it ({projected}) by {by}."
    else:
        verdict = "At risk: the projected interval straddles the target, so the trend is not clear enough to say."
        plain = (f"At risk: at {now} it {position}, and the recent trend is too unsteady to say whether it will "
                 f"{'still meet it' if meets(value) else 'get there'} by {by}.")
    return result(AT_RISK, clause, verdict, plain, fit, proj, used, pnote)
