"""Is a team's KPI improving while a shared CX measure at that team's steps gets worse?

Pure numbers in, :class:`TensionTest` out (no Django, no database).

:func:`test_tension` compares two monthly series over the months both have:

* the KPI (any dates; values averaged per calendar month) — trend by ordinary least squares,
  one-sided p that it moves in its desired direction;
* the measure (one :class:`MetricValue` per month; months without ``enough`` responses are
  dropped) — trend by weighted least squares with weights 1/SEᵢ² from each month's interval,
  one-sided p that it worsens;
* combined p = max(p_KPI, p_measure): the intersection–union test of "KPI improves AND
  measure worsens", valid at level α without any correction between its two parts;
* effect = the measure's worsening over the span, slope × (last month − first month), in the
  measure's unit (positive = worse), compared with ``min_effect``.

Fewer than ``min_periods`` common months → strength "not enough data", nothing reported.

:func:`detect_tensions` applies Benjamini–Hochberg across a family of tests (every KPI ×
measure pair looked at together) and sets ``found`` (q ≤ α and effect ≥ min_effect) and
``strength`` ("strong": found with q ≤ α/5 and effect ≥ 2·min_effect; "moderate": other
found; "none"). See docs/outcomes-statistics.md.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import DEFAULT_CONFIDENCE, MetricValue, benjamini_hochberg

from .status import fit_line, month_index, monthly_points

# One-sided level of each trend: 2.5 % is a two-sided 5 % test per trend. At 5 % one-sided the
# false-report rate under the hardest null (the KPI clearly improving, the measure flat but
# wobbling month to month) sits right at 5 %; the issue asks for at most 5 %, with a margin.
TENSION_ALPHA = 0.025

__all__ = [
    "MODERATE",
    "NONE",
    "NOT_ENOUGH",
    "STRONG",
    "TensionTest",
    "detect_tensions",
    "test_tension",
]

STRONG = "strong"
MODERATE = "moderate"
NONE = "none"
NOT_ENOUGH = "not enough data"

#: "strong" needs the corrected p at most α/STRONG_FACTOR and an effect of at least 2 × min_effect.
STRONG_FACTOR = 5.0


@dataclass(frozen=True)
class TensionTest:
    __test__ = False  # not a pytest test class despite its name

    kpi_name: str
    measure_name: str
    periods: int  # months both series have (measure points with enough=True only)
    kpi_slope: float | None  # per month, in the KPI's unit
    kpi_p: float | None  # one-sided p that the KPI improves (in its desired direction)
    measure_slope: float | None  # per month
    measure_p: float | None  # one-sided p that the measure worsens
    correlation: float | None  # Pearson r between the KPI and the measure over the common periods
    p_value: float | None  # max of the two one-sided p's (intersection–union test)
    effect: float | None  # the measure's worsening over the span, in its unit (positive = worse)
    found: bool
    strength: str  # "strong" | "moderate" | "none" | "not enough data"
    explanation: str
    # ---- added context (all optional) ----
    p_adjusted: float | None = None  # Benjamini–Hochberg q across the family (= p_value alone)
    comparisons: int = 1  # size of the family the correction was made over
    kpi_change: float | None = None  # the KPI's improvement over the span (positive = better)
    span_months: int | None = None  # last common month − first common month
    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    min_periods: int = 6
    min_effect: float = 0.0
    alpha: float = TENSION_ALPHA
    kpi_higher_is_better: bool = True
    measure_higher_is_better: bool = True
    kpi_unit: str = ""
    measure_unit: str = ""


# ------------------------------------------------------------------------- helpers


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_label(day: datetime.date) -> str:
    return f"{calendar.month_abbr[day.month]} {day.year}"


def _kpi_by_month(kpi: Sequence[tuple[datetime.date, float]]) -> dict[int, float]:
    """Mean KPI value per calendar month (None/NaN values skipped)."""
    sums: dict[int, list[float]] = {}
    for day, value in kpi:
        if value is None or not math.isfinite(value):
            continue
        sums.setdefault(month_index(day), []).append(float(value))
    return {m: sum(v) / len(v) for m, v in sums.items()}


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """r = Σ(x − x̄)(y − ȳ)/√(Σ(x − x̄)²·Σ(y − ȳ)²); None when either series is constant."""
    k = len(xs)
    if k < 2:
        return None
    mx, my = sum(xs) / k, sum(ys) / k
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if not sxx > 0 or not syy > 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _decide(t: TensionTest, q: float | None, comparisons: int, alpha: float) -> TensionTest:
    """Set p_adjusted, found, strength and the explanation from the (corrected) q."""
    if t.p_value is None or q is None or t.effect is None:
        return replace(t, found=False, strength=NOT_ENOUGH, explanation=_explain(t))
    big_enough = t.effect >= t.min_effect
    found = q <= alpha and big_enough
    if not found:
        strength = NONE
    elif q <= alpha / STRONG_FACTOR and t.effect >= 2.0 * t.min_effect:
        strength = STRONG
    else:
        strength = MODERATE
    out = replace(t, p_adjusted=q, comparisons=comparisons, alpha=alpha, found=found, strength=strength)
    return replace(out, explanation=_explain(out))


def _p(p: float, name: str = "p") -> str:
    """p=0.034, p<0.001: two significant figures, as the target explanations write them too."""
    return numbers.pvalue(p, name=name, figures=2)


def _explain(t: TensionTest) -> str:
    if t.p_value is None:
        have = f"{t.periods} month{'s' if t.periods != 1 else ''}"
        return (
            f"Not enough data: {t.kpi_name} and {t.measure_name} (with enough responses) have {have} in common; "
            f"at least {t.min_periods} are needed to judge a tension."
        )
    ku, mu = t.kpi_unit, t.measure_unit
    span = f"{t.periods} months ({_month_label(t.first_month)} – {_month_label(t.last_month)})"
    if t.kpi_change is not None and t.kpi_change > 0:
        kpi_part = f"{t.kpi_name} improved by {numbers.significant(t.kpi_change)}{ku}"
    else:
        kpi_part = f"{t.kpi_name} did not improve"
    kpi_part += f" ({numbers.signed_significant(t.kpi_slope)}{ku} a month, {_p(t.kpi_p)})"
    if t.effect > 0:
        measure_part = f"{t.measure_name} worsened by {numbers.significant(t.effect)}{mu}"
    else:
        measure_part = f"{t.measure_name} did not worsen"
    measure_part += f" ({numbers.signed_significant(t.measure_slope)}{mu} a month, {_p(t.measure_p)})"
    r = "" if t.correlation is None else f"; r={numbers.fixed(t.correlation, 2)}"
    first = f"Over {span}, {kpi_part} while {measure_part}{r}."

    combined = _p(t.p_value, "combined p")
    if t.comparisons > 1 and t.p_adjusted is not None:
        q = _p(t.p_adjusted, "q")
        evidence = f"{combined}, {q} after correcting for {t.comparisons} comparisons"
    else:
        evidence = combined
    if t.found:
        second = f"Tension found ({t.strength}): {evidence}."
    else:
        reasons = []
        if (t.p_adjusted if t.p_adjusted is not None else t.p_value) > t.alpha:
            reasons.append(f"{evidence}, above {numbers.significant(t.alpha)}")
        if t.effect < t.min_effect:
            reasons.append(f"the worsening is below the minimum of {numbers.significant(t.min_effect)}{mu}")
        second = "No tension: " + ("; ".join(reasons) if reasons else evidence) + "."
    return f"{first} {second}"


# ------------------------------------------------------------------------- the test


def test_tension(
    *,
    kpi_name: str,
    kpi: list[tuple[datetime.date, float]],
    kpi_higher_is_better: bool,
    measure_name: str,
    measure: list[tuple[datetime.date, MetricValue]],
    measure_higher_is_better: bool,
    min_periods: int = 6,
    min_effect: float = 0.0,
    alpha: float = TENSION_ALPHA,
    kpi_unit: str = "",
    measure_unit: str = "",
    confidence: float = DEFAULT_CONFIDENCE,
) -> TensionTest:
    """One KPI × measure pair, decided on its own (a family of one; see :func:`detect_tensions`).

    ``confidence`` is the level of the measure's intervals (SE = width/2z). Units are appended
    verbatim in the explanation.
    """
    if min_periods < 3:
        raise ValueError("min_periods must be at least 3 (a trend through k months has k − 2 degrees of freedom)")
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    if min_effect < 0:
        raise ValueError("min_effect must not be negative")

    kpi_months = _kpi_by_month(kpi)
    points = [p for p in monthly_points(measure, confidence=confidence) if p.month in kpi_months]
    periods = len(points)
    base = TensionTest(
        kpi_name=kpi_name,
        measure_name=measure_name,
        periods=periods,
        kpi_slope=None,
        kpi_p=None,
        measure_slope=None,
        measure_p=None,
        correlation=None,
        p_value=None,
        effect=None,
        found=False,
        strength=NOT_ENOUGH,
        explanation="",
        min_periods=min_periods,
        min_effect=min_effect,
        alpha=alpha,
        kpi_higher_is_better=kpi_higher_is_better,
        measure_higher_is_better=measure_higher_is_better,
        kpi_unit=kpi_unit,
        measure_unit=measure_unit,
    )
    if periods < min_periods:
        return replace(base, explanation=_explain(base))

    origin = points[0].month
    xs = [float(p.month - origin) for p in points]
    kpi_values = [kpi_months[p.month] for p in points]
    measure_values = [p.value for p in points]
    kpi_fit = fit_line(xs, kpi_values)  # ordinary least squares
    measure_fit = fit_line(xs, measure_values, [p.se for p in points])  # weighted, σ̂² ≥ 1
    assert kpi_fit is not None and measure_fit is not None  # periods ≥ 3 distinct months

    kpi_p = kpi_fit.p_one_sided(positive=kpi_higher_is_better)
    measure_p = measure_fit.p_one_sided(positive=not measure_higher_is_better)
    span = points[-1].month - origin
    effect = (-measure_fit.slope if measure_higher_is_better else measure_fit.slope) * span
    kpi_change = (kpi_fit.slope if kpi_higher_is_better else -kpi_fit.slope) * span
    tested = replace(
        base,
        kpi_slope=kpi_fit.slope,
        kpi_p=kpi_p,
        measure_slope=measure_fit.slope,
        measure_p=measure_p,
        correlation=_pearson(kpi_values, measure_values),
        p_value=max(kpi_p, measure_p),
        effect=effect,
        kpi_change=kpi_change,
        span_months=span,
        first_month=_month_start(origin),
        last_month=_month_start(points[-1].month),
    )
    return _decide(tested, tested.p_value, 1, alpha)


def detect_tensions(tests: list[TensionTest], *, alpha: float = TENSION_ALPHA) -> list[TensionTest]:
    """Benjamini–Hochberg across a family of tension tests; returns new tests, same order.

    Tests without enough data are kept as they are and are not counted. For the m others,
    q₍ᵢ₎ = min_{j≥i} min(1, p₍ⱼ₎·m/j) over the combined p-values sorted ascending;
    ``found`` = q ≤ α and effect ≥ min_effect (each test's own); ``strength`` = "strong" when
    also q ≤ α/5 and effect ≥ 2·min_effect, else "moderate"; not found → "none".
    Under the complete null this keeps the chance of reporting any tension at most α.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    tested = [i for i, t in enumerate(tests) if t.p_value is not None]
    adjusted, _ = benjamini_hochberg([tests[i].p_value for i in tested], alpha)
    out = list(tests)
    for i, q in zip(tested, adjusted, strict=True):
        out[i] = _decide(tests[i], q, len(tested), alpha)
    return out


test_tension.__test__ = False  # a function named test_* that pytest must not collect when imported
