"""Target status (cxkeeper.outcomes.status): hand-computed references, every branch, simulations.

The simulations are seeded and quick; run this file as a script for the larger runs quoted in
docs/outcomes-statistics.md:  .venv/bin/python tests/outcomes/test_status.py --runs 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import math

import numpy as np
import pytest

from cxkeeper.insights.analytics import stats
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.outcomes.status import assess_target, fit_line, monthly_points

Z95 = 1.959963984540054  # Φ⁻¹(0.975)
D = dt.date


def mv(value: float, se: float, n: int = 400) -> MetricValue:
    """A MetricValue whose 95 % interval is value ± 1.96·se (so the module recovers se exactly)."""
    return MetricValue(value, n, value - Z95 * se, value + Z95 * se, True)


def close(x):
    return pytest.approx(x, rel=1e-6, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Series B: four months Jan–Apr 2026, every SE = 0.1 (w = 100), values 5.0, 5.3, 5.4, 5.9.
#   x (mid-month) = 0.5, 1.5, 2.5, 3.5 → W = 400, x̄ = 2.0, x − x̄ = −1.5, −0.5, 0.5, 1.5
#   Sxx = 100·(2.25 + 0.25 + 0.25 + 2.25) = 500
#   ȳ = 21.6/4 = 5.4; y − ȳ = −0.4, −0.1, 0, 0.5
#   Sxy = 100·(0.6 + 0.05 + 0 + 0.75) = 140  → b = 140/500 = 0.28 a month
#   a = ȳ − b·x̄ = 5.4 − 0.56 = 4.84; fitted 4.98, 5.26, 5.54, 5.82; residuals 0.02, 0.04, −0.14, 0.08
#   Σw·r² = 100·(0.0004 + 0.0016 + 0.0196 + 0.0064) = 2.8; σ̂² = 2.8/(4 − 2) = 1.4 (> 1, not floored)
#   SE(b) = √(1.4/500) = √0.0028 = 0.0529150; t = 0.28/0.0529150 = √28 = 5.29150
#   df = 2: two-sided p = 1 − t/√(t² + 2) = 1 − √(28/30) = 0.0339082
#   due 31 Jul 2026 → x_due = 6 + 31/31 = 7 (relative to January) → ŷ = 4.84 + 0.28·7 = 6.80
#   SE(ŷ) = √(1.4·(1/400 + (7 − 2)²/500)) = √(1.4·0.0525) = √0.0735 = 0.271109
#   t₂(0.975) = 0.95/√(2·0.975·0.025) = 4.302653 → half = 1.166487 → 5.633513 … 7.966487
# ---------------------------------------------------------------------------------------------
B_MONTHS = [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)]
B_VALUES = [5.0, 5.3, 5.4, 5.9]
B_SLOPE = 0.28
B_P = 1 - math.sqrt(28 / 30)
B_PROJ = 6.80
B_HALF = 0.95 / math.sqrt(2 * 0.975 * 0.025) * math.sqrt(1.4 * (1 / 400 + 25 / 500))


def series_b(values=B_VALUES):
    return [(d, mv(v, 0.1)) for d, v in zip(B_MONTHS, values, strict=True)]


def assess_b(*, target, current=None, higher=True, values=B_VALUES, **kw):
    kw.setdefault("due", D(2026, 7, 31))
    kw.setdefault("as_of", D(2026, 4, 30))
    return assess_target(
        current=current or MetricValue(5.7, 400, 5.5, 5.9, True),
        monthly=series_b(values),
        target=target,
        higher_is_better=higher,
        metric_label="CES at Installation",
        **kw,
    )


def test_line_fit_by_hand_series_b():
    fit = fit_line([0.5, 1.5, 2.5, 3.5], B_VALUES, [0.1] * 4)
    assert fit.slope == close(B_SLOPE)
    assert fit.intercept == close(4.84)
    assert fit.scale == close(1.4)
    assert fit.slope_se == close(math.sqrt(0.0028))
    assert fit.t == close(math.sqrt(28))
    assert fit.p_two_sided == close(B_P)
    y, low, high = fit.predict(7.0)
    assert (y, low, high) == (close(B_PROJ), close(B_PROJ - B_HALF), close(B_PROJ + B_HALF))
    assert close(1.166487) == B_HALF


def test_on_track_from_the_projection_with_exact_numbers():
    # current 5.7 (5.5–5.9) does not meet ≥ 5.6 yet, but the projection's low 5.6335 does
    a = assess_b(target=5.6)
    assert a.status == "on_track"
    assert a.slope_per_month == close(B_SLOPE)
    assert a.trend_p == close(B_P)
    assert a.projected == close(B_PROJ)
    assert a.projected_low == close(B_PROJ - B_HALF)
    assert a.projected_high == close(B_PROJ + B_HALF)
    assert a.months_used == 4
    assert a.explanation == (
        "CES at Installation is 5.7 (5.5 to 5.9, n=400) against a target of ≥ 5.6 by 31 Jul 2026; "
        "the trend over 4 months (+0.28 a month, p=0.034) projects 7 (6 to 8) by then. "
        "On track: the whole projected interval meets the target."
    )


def test_off_track_when_projection_and_current_both_miss():
    a = assess_b(target=8.0)  # projection high 7.9665 < 8, current high 5.9 < 8
    assert a.status == "off_track"
    assert a.projected_high == close(B_PROJ + B_HALF)
    assert "Off track: both today's interval and the whole projected interval miss the target." in a.explanation


def test_at_risk_when_the_projection_straddles_the_target():
    a = assess_b(target=7.0)  # 5.6335 < 7 < 7.9665
    assert a.status == "at_risk"
    assert "straddles the target" in a.explanation


def test_at_risk_when_projection_misses_but_current_still_reaches_the_target():
    a = assess_b(target=8.0, current=MetricValue(7.9, 400, 7.7, 8.1, True))
    assert a.status == "at_risk"
    assert "the projection misses the target, but today's interval still reaches it" in a.explanation


def test_lower_is_better_mirrors_the_same_numbers():
    # y' = 10 − y: slope −0.28, projection 3.20 with the same half-width 1.166487
    mirrored = [10 - v for v in B_VALUES]
    cur = MetricValue(4.3, 400, 4.1, 4.5, True)
    on = assess_b(target=4.4, higher=False, values=mirrored, current=cur)
    assert on.status == "on_track"
    assert on.slope_per_month == close(-B_SLOPE)
    assert on.trend_p == close(B_P)
    assert on.projected == close(3.2)
    assert on.projected_high == close(3.2 + B_HALF)
    assert on.explanation.startswith(
        "CES at Installation is 4.3 (4.1 to 4.5, n=400) against a target of ≤ 4.4 by 31 Jul 2026; "
        "the trend over 4 months (−0.28 a month, p=0.034) projects 3 (2 to 4) by then."
    )
    assert assess_b(target=2.0, higher=False, values=mirrored, current=cur).status == "off_track"
    assert assess_b(target=3.0, higher=False, values=mirrored, current=cur).status == "at_risk"


# ---------------------------------------------------------------------------------------------
# Series A: three months, SE 0.1, 0.1, 0.2 (w = 100, 100, 25), values 5.0, 5.1, 5.3
#   x = 0.5, 1.5, 2.5; W = 225; x̄ = (50 + 150 + 62.5)/225 = 7/6
#   Sxx = 100·(2/3)² + 100·(1/3)² + 25·(4/3)² = 44.444 + 11.111 + 44.444 = 100
#   ȳ = (500 + 510 + 132.5)/225 = 5.077778
#   Sxy = 100·(−2/3)(−0.077778) + 100·(1/3)(0.022222) + 25·(4/3)(0.222222)
#       = 5.185185 + 0.740741 + 7.407407 = 13.333333 → b = 2/15 = 0.133333
#   a = ȳ − b·x̄ = 443/90 = 4.922222; residuals 0.011111, −0.022222, 0.044444
#   Σw·r² = 0.012346 + 0.049383 + 0.049383 = 0.111111; σ̂² = 0.111/1 < 1 → floored at 1
#   SE(b) = √(1/100) = 0.1; t = 4/3; df = 1: p = 1 − (2/π)·atan(4/3) = 0.409666
#   due 30 Jun 2026 → x_due = 5 + 30/30 = 6; ŷ = 443/90 + 0.8 = 515/90 = 5.722222
#   SE(ŷ) = √(1/225 + (6 − 7/6)²/100) = √(0.004444 + 0.233611) = 0.487909
#   t₁(0.975) = tan(0.475π) = 12.706205 → half = 6.199476 (a 3-month trend says little)
# ---------------------------------------------------------------------------------------------


def test_weighted_fit_floors_the_scale_and_straddles_with_three_months():
    monthly = [(D(2026, 1, 15), mv(5.0, 0.1)), (D(2026, 2, 3), mv(5.1, 0.1)), (D(2026, 3, 28), mv(5.3, 0.2))]
    a = assess_target(
        current=MetricValue(5.2, 300, 5.05, 5.35, True),
        monthly=monthly,
        target=5.5,
        higher_is_better=True,
        due=D(2026, 6, 30),
        as_of=D(2026, 3, 31),
        metric_label="CES",
    )
    half = math.tan(0.475 * math.pi) * math.sqrt(1 / 225 + (6 - 7 / 6) ** 2 / 100)
    assert a.slope_per_month == close(2 / 15)
    assert a.trend_p == close(1 - 2 / math.pi * math.atan(4 / 3))
    assert a.projected == close(515 / 90)
    assert a.projected_low == close(515 / 90 - half)
    assert a.projected_high == close(515 / 90 + half)
    assert half == close(6.199476)
    assert a.status == "at_risk"


def test_months_without_enough_responses_are_ignored_and_duplicates_merged():
    noisy = series_b() + [(D(2026, 5, 1), MetricValue.too_few(12)), (D(2025, 12, 1), MetricValue.too_few(3))]
    a = assess_target(
        current=MetricValue(5.7, 400, 5.5, 5.9, True), monthly=noisy, target=5.6, higher_is_better=True,
        due=D(2026, 7, 31), as_of=D(2026, 5, 31), metric_label="CES",
    )
    assert a.months_used == 4
    assert a.projected == close(B_PROJ)
    # two values in one month: inverse-variance mean, SE = 1/√(100 + 100)
    pts = monthly_points([(D(2026, 1, 1), mv(5.0, 0.1)), (D(2026, 1, 20), mv(5.2, 0.1))])
    assert len(pts) == 1
    assert pts[0].value == close(5.1)
    assert pts[0].se == close(1 / math.sqrt(200))


def test_no_data_says_n_and_the_minimum():
    a = assess_target(
        current=MetricValue.too_few(12), monthly=series_b(), target=5.5, higher_is_better=True,
        due=D(2027, 9, 30), as_of=D(2026, 11, 22), metric_label="CES at Installation",
    )
    assert a.status == "no_data"
    assert a.projected is None and a.slope_per_month is None and a.months_used == 0
    assert a.explanation == (
        "No data for CES at Installation against a target of ≥ 5.5 by 30 Sep 2027: 12 responses in the "
        "recent window; at least 30 are needed for a reliable figure."
    )
    b = assess_target(
        current=MetricValue.too_few(40), monthly=[], target=20, higher_is_better=False, unit="%",
        due=D(2027, 9, 30), as_of=D(2026, 11, 22), metric_label="Churn", min_n=50,
    )
    assert "≤ 20% by 30 Sep 2027: 40 responses" in b.explanation and "at least 50" in b.explanation


def test_on_track_when_the_whole_interval_already_meets():
    a = assess_b(target=5.4)  # current 5.5–5.9 ≥ 5.4
    assert a.status == "on_track"
    assert "On track: the whole interval already meets the target." in a.explanation
    b = assess_b(target=6.0, higher=False)  # 5.5–5.9 ≤ 6.0
    assert b.status == "on_track"
    assert "a target of ≤ 6 by 31 Jul 2026" in b.explanation


@pytest.mark.parametrize(
    ("current", "higher", "expected"),
    [
        (MetricValue(5.2, 500, 5.1, 5.3, True), True, "off_track"),  # all below 5.5
        (MetricValue(5.45, 500, 5.35, 5.55, True), True, "at_risk"),  # straddles
        (MetricValue(5.7, 500, 5.6, 5.8, True), True, "on_track"),
        (MetricValue(5.7, 500, 5.6, 5.8, True), False, "off_track"),  # all above ≤ 5.5
        (MetricValue(5.45, 500, 5.35, 5.55, True), False, "at_risk"),
        (MetricValue(5.2, 500, 5.1, 5.3, True), False, "on_track"),
    ],
)
def test_due_date_passed_is_judged_on_the_current_interval(current, higher, expected):
    a = assess_target(
        current=current, monthly=series_b(), target=5.5, higher_is_better=higher,
        due=D(2026, 6, 30), as_of=D(2026, 7, 15), metric_label="CES",
    )
    assert a.status == expected
    assert "the due date has passed" in a.explanation
    assert a.projected is None and a.months_used == 0


def test_due_today_is_judged_on_the_current_interval():
    a = assess_b(target=6.0, due=D(2026, 7, 31), as_of=D(2026, 7, 31))
    assert a.status == "off_track"
    assert "the due date is today" in a.explanation


def test_too_few_months_for_a_trend_is_at_risk():
    monthly = series_b()[:2] + [(D(2026, 3, 1), MetricValue.too_few(10))]
    a = assess_target(
        current=MetricValue(5.2, 300, 5.05, 5.35, True), monthly=monthly, target=5.5, higher_is_better=True,
        due=D(2027, 1, 31), as_of=D(2026, 3, 31), metric_label="CES",
    )
    assert a.status == "at_risk"
    assert a.months_used == 2 and a.projected is None
    assert "2 months with enough responses are too few for a trend (at least 3 needed)" in a.explanation
    # the same series with min_months=5 does not project either
    assert assess_b(target=7.0, min_months=5).projected is None


def test_units_baseline_and_negative_numbers_in_the_wording():
    monthly = [(D(2026, m, 1), mv(v, 2.0, 500)) for m, v in zip(range(1, 7), [10, 12, 13, 15, 16, 18], strict=True)]
    a = assess_target(
        current=MetricValue(17.0, 1500, 14.0, 20.0, True), monthly=monthly, target=25, higher_is_better=True,
        due=D(2027, 3, 31), as_of=D(2026, 6, 30), metric_label="NPS of new customers", unit=" pts", baseline=8,
    )
    assert a.explanation.startswith(
        "NPS of new customers is 17 pts (14 pts to 20 pts, n=1,500) against a target of ≥ 25 pts by 31 Mar 2027 "
        "(baseline 8 pts); the trend over 6 months (+1.5 pts a month"
    )
    neg = assess_target(
        current=MetricValue(-5.0, 300, -12.0, 2.0, True), monthly=[], target=0, higher_is_better=True,
        due=D(2027, 3, 31), as_of=D(2026, 6, 30), metric_label="NPS",
    )
    assert neg.explanation.startswith("NPS is −5 (−12 to 2, n=300) against a target of ≥ 0")


def test_invalid_arguments():
    with pytest.raises(ValueError):
        assess_b(target=5.6, min_months=2)
    with pytest.raises(ValueError):
        assess_b(target=5.6, alpha=0)


# ------------------------------------------------------------------------------- plain sentences
# Every path of assess_target fills `plain`: the verdict in everyday words, with the value now and
# the projected value written as the explanation writes them, and none of the statistics.

STATISTICS = ("p=", "p<", "n=", "interval", "significan")


def assert_plain(a, *parts: str) -> None:
    assert a.plain, a
    for word in STATISTICS:
        assert word not in a.plain, (word, a.plain)
    for part in parts:
        assert part in a.plain, (part, a.plain)


def test_plain_when_the_target_is_already_met():
    a = assess_b(target=5.4)
    assert a.status == "on_track"
    assert a.plain == "On track: at 5.7 it already meets the target."
    assert_plain(a)
    # the same figure as the explanation: its digits and its unit
    b = assess_b(target=5.4, digits=2, unit=" pts")
    assert "5.70 pts (5.50 pts to 5.90 pts" in b.explanation
    assert b.plain == "On track: at 5.70 pts it already meets the target."


def test_plain_when_the_projection_is_on_track():
    a = assess_b(target=5.6, digits=2)
    assert a.status == "on_track"
    assert "projects 6.80 (5.63 to 7.97) by then" in a.explanation
    assert a.plain == ("On track: at 5.70 it is close to the target, and at the pace of the last 4 months it would "
                       "reach about 6.80 by Jul 2026.")
    assert_plain(a)


def test_plain_when_the_projection_straddles_the_target():
    a = assess_b(target=7.0, digits=2)
    assert a.status == "at_risk"
    assert a.plain == ("At risk: at 5.70 it is below the target, and the recent trend is too unsteady to say whether "
                       "it will get there by Jul 2026.")
    assert_plain(a)
    # today's value at the target by a hair: whether it will *still* meet it
    still = assess_b(target=5.68, digits=2, values=[5.8, 5.7, 5.5, 5.6])
    assert still.status == "at_risk"
    assert_plain(still, "at 5.70 it is close to the target", "whether it will still meet it by Jul 2026")


def test_plain_when_the_projection_misses_but_today_still_reaches_the_target():
    a = assess_b(target=8.0, current=MetricValue(7.9, 400, 7.7, 8.1, True), digits=1)
    assert a.status == "at_risk"
    assert a.plain == "At risk: at 7.9 it is close to the target, but at the recent pace it would be below it " \
                      "(about 6.8) by Jul 2026."
    assert_plain(a)


def test_plain_when_off_track_says_below_or_above_by_direction():
    a = assess_b(target=8.0, digits=1)
    assert a.status == "off_track"
    assert a.plain == ("Off track: at 5.7 it is below the target, and at the recent pace it would still be below it "
                       "(about 6.8) by Jul 2026.")
    assert_plain(a)
    # lower is better (the mirrored series): a value that misses lies above the target
    mirrored = [10 - v for v in B_VALUES]
    low = assess_b(target=2.0, higher=False, values=mirrored, current=MetricValue(4.3, 400, 4.1, 4.5, True),
                   digits=1, unit="%")
    assert low.status == "off_track"
    assert low.plain == ("Off track: at 4.3% it is above the target, and at the recent pace it would still be above "
                         "it (about 3.2%) by Jul 2026.")
    assert_plain(low)
    assert "below" not in low.plain


def test_plain_when_there_is_no_data():
    a = assess_target(
        current=MetricValue.too_few(12), monthly=series_b(), target=5.5, higher_is_better=True,
        due=D(2027, 9, 30), as_of=D(2026, 11, 22), metric_label="CES at Installation", min_n=200,
    )
    assert a.status == "no_data"
    assert a.plain == "Not enough responses yet to tell (12 of the 200 needed)."
    assert_plain(a)
    # enough responses but no interval: still no statistics in the plain sentence
    b = assess_target(
        current=MetricValue(5.0, 1_500, None, None, True), monthly=[], target=5.5, higher_is_better=True,
        due=D(2027, 9, 30), as_of=D(2026, 11, 22), metric_label="CES",
    )
    assert b.status == "no_data" and "n=1,500" in b.explanation
    assert b.plain == "Not enough usable responses yet to tell."
    assert_plain(b)


def test_plain_when_the_projection_leaves_the_scale():
    # a steep line projects 8.5 on a 1–7 scale: the plain sentence says the top of the scale, as cut
    steep = [5.0, 5.6, 6.2, 6.8]
    a = assess_b(target=6.0, values=steep, current=MetricValue(5.9, 400, 5.7, 6.1, True), scale=(1.0, 7.0),
                 digits=2)
    assert a.status == "on_track"
    assert a.projected == 7.0 and a.projection_note == "the top of the scale"
    assert "projects 7.00 (" in a.explanation and "the top of the scale) by then" in a.explanation
    assert a.plain == ("On track: at 5.90 it is close to the target, and at the pace of the last 4 months it would "
                       "reach 7.00, the top of the scale, by Jul 2026.")
    assert_plain(a)
    assert "about" not in a.plain


@pytest.mark.parametrize(
    ("current", "higher", "expected"),
    [
        (MetricValue(5.2, 500, 5.1, 5.3, True), True,
         "Off track: the due date (30 Jun 2026) has passed and at 5.2 it is below the target."),
        (MetricValue(5.7, 500, 5.6, 5.8, True), False,
         "Off track: the due date (30 Jun 2026) has passed and at 5.7 it is above the target."),
        (MetricValue(5.45, 500, 5.35, 5.55, True), True,
         "At risk: the due date (30 Jun 2026) has passed and at 5.5 it is too close to the target to say whether "
         "it was met."),
        (MetricValue(5.7, 500, 5.6, 5.8, True), True,
         "Met: at 5.7 it meets the target, and the due date (30 Jun 2026) has passed."),
    ],
)
def test_plain_when_the_due_date_has_passed(current, higher, expected):
    a = assess_target(
        current=current, monthly=series_b(), target=5.5, higher_is_better=higher,
        due=D(2026, 6, 30), as_of=D(2026, 7, 15), metric_label="CES",
    )
    assert a.plain == expected
    assert_plain(a)


def test_plain_when_due_today_and_with_too_few_months():
    today = assess_b(target=6.0, due=D(2026, 7, 31), as_of=D(2026, 7, 31))
    assert today.plain == "Off track: the target is due today and at 5.7 it is below it."
    assert_plain(today)
    monthly = series_b()[:2] + [(D(2026, 3, 1), MetricValue.too_few(10))]
    few = assess_target(
        current=MetricValue(5.2, 300, 5.05, 5.35, True), monthly=monthly, target=5.5, higher_is_better=True,
        due=D(2027, 1, 31), as_of=D(2026, 3, 31), metric_label="CES",
    )
    assert few.status == "at_risk"
    assert few.plain == ("At risk: at 5.2 it is below the target, and there are too few months with enough "
                         "responses to see a trend yet (2 of the 3 needed).")
    assert_plain(few)


# ------------------------------------------------------------------------------- simulations


def _month_sums(rng, mu: float, n: int, sd: float = 1.4) -> tuple[int, float, float]:
    """Partial sums (n, Σx, Σx²) of n CES answers with true mean mu: the mean is normal with
    SE sd/√n and the sample variance sd²·χ²(n − 1)/(n − 1), as for normal answers."""
    k = int(rng.integers(int(n * 0.8), int(n * 1.2) + 1))
    mean = rng.normal(mu, sd / math.sqrt(k))
    s2 = sd * sd * rng.chisquare(k - 1) / (k - 1)
    return k, k * mean, (k - 1) * s2 + k * mean * mean


def simulate_status(rng, *, trend: float, start: float, target: float, due: dt.date, tau: float = 0.03,
                    months: int = 12, n: int = 300) -> str:
    """A year of monthly CES (true value start + trend·x at mid-month x, plus a month-to-month
    wobble of SD tau that sampling does not explain); current = the last three months pooled."""
    monthly, sums = [], []
    for i in range(months):
        mu = start + trend * (i + 0.5) + rng.normal(0.0, tau)
        s = _month_sums(rng, mu, n)
        sums.append(s)
        monthly.append((D(2026, 1 + i, 1), stats.ces(*s)))
    pooled = [sum(c) for c in zip(*sums[-3:], strict=True)]
    current = stats.ces(int(pooled[0]), pooled[1], pooled[2])
    return assess_target(
        current=current, monthly=monthly, target=target, higher_is_better=True, due=due,
        as_of=D(2026, 12, 31), metric_label="CES",
    ).status


def on_trajectory_rates(runs: int, seed: int = 11) -> dict[str, float]:
    # true line 4.9 + 0.05·x; due 31 Dec 2027 is x = 24 → 4.9 + 1.2 = 6.1 = the target exactly
    rng = np.random.default_rng(seed)
    out = [simulate_status(rng, trend=0.05, start=4.9, target=6.1, due=D(2027, 12, 31)) for _ in range(runs)]
    return {s: out.count(s) / runs for s in ("on_track", "at_risk", "off_track")}


def flat_far_rates(runs: int, seed: int = 12) -> dict[str, float]:
    # flat at 5.0, target ≥ 5.5 by 30 Jun 2027 (six months after the last data)
    rng = np.random.default_rng(seed)
    out = [simulate_status(rng, trend=0.0, start=5.0, target=5.5, due=D(2027, 6, 30)) for _ in range(runs)]
    return {s: out.count(s) / runs for s in ("on_track", "at_risk", "off_track")}


def comfortable_rates(runs: int, seed: int = 13) -> dict[str, float]:
    # the same line (6.1 at the due date) against a target of 5.8: comfortably met
    rng = np.random.default_rng(seed)
    out = [simulate_status(rng, trend=0.05, start=4.9, target=5.8, due=D(2027, 12, 31)) for _ in range(runs)]
    return {s: out.count(s) / runs for s in ("on_track", "at_risk", "off_track")}


def flat_near_rates(runs: int, seed: int = 14) -> dict[str, float]:
    # flat at 5.0, target ≥ 5.2 by 30 Jun 2027: a smaller gap
    rng = np.random.default_rng(seed)
    out = [simulate_status(rng, trend=0.0, start=5.0, target=5.2, due=D(2027, 6, 30)) for _ in range(runs)]
    return {s: out.count(s) / runs for s in ("on_track", "at_risk", "off_track")}


def test_simulation_on_trajectory_is_rarely_called_off_track():
    rates = on_trajectory_rates(400)
    assert rates["off_track"] <= 0.05, rates


def test_simulation_flat_and_far_from_target_is_mostly_off_track():
    rates = flat_far_rates(400)
    assert rates["off_track"] >= 0.90, rates
    assert rates["on_track"] == 0.0, rates


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Target-status simulation rates")
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    print("on trajectory to exactly the target:", on_trajectory_rates(args.runs))
    print("flat at 5.0, target 5.5:            ", flat_far_rates(args.runs))
    print("on trajectory to 6.1, target 5.8:   ", comfortable_rates(args.runs))
    print("flat at 5.0, target 5.2:            ", flat_near_rates(args.runs))
