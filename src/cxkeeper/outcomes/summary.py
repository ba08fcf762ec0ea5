"""The sponsor's one-screen summary at the top of the organization view and on the first page
of its report (issue 14, item 3; docs/decisions/0038).

Every figure comes from what the organization view already computed (`queries.org_view`):
the target statuses, and each target's monthly trend with its p — the line and the test the
target cards quote. Nothing is re-measured here. What the summary adds is a word for each
figure a non-statistician can act on, and one correction: a handful of targets tested at once
would throw up a "mover" by chance, so a trend counts as a clear change only when it stays
significant after Benjamini–Hochberg across every target trend of the view (the correction
the scorecards and tensions use for the same reason).

Escalations and the priority board belong to apps above outcomes (initiatives, governance),
which outcomes may not import (docs/decisions/0010); as with commitments (0028) and wins
(0030) they register providers here at app-ready time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import DEFAULT_ALPHA, benjamini_hochberg
from cxkeeper.outcomes import recognitions
from cxkeeper.outcomes.choices import Scope, Status
from cxkeeper.outcomes.status import monthly_points

MOVERS_SHOWN = 3
ESCALATIONS_SHOWN = 3
PRIORITIES_SHOWN = 3
WINS_SHOWN = 3
CLEAR_BETTER = "better than {ago}, and the difference is larger than chance"
CLEAR_WORSE = "worse than {ago}, and the difference is larger than chance"
NO_CLEAR_CHANGE = "no clear change"


# ---------------------------------------------------------------- what the apps above provide


@dataclass(frozen=True)
class SponsorItem:
    """An escalation waiting for the sponsor, or a friction point high on the priority board."""

    title: str
    url: str
    sentence: str             # plain words, with the n behind it where there is one
    n: int | None = None      # responses behind it (friction points); None where nothing is counted
    when: dt.date | None = None


Provider = Callable[[], list[SponsorItem]]
_providers: dict[str, dict[str, Provider]] = {"escalations": {}, "priorities": {}}


def register_provider(kind: str, name: str, provider: Provider) -> None:
    """`kind`: "escalations" (waiting for the sponsor) or "priorities" (top of the board, best
    first). Idempotent by name (app configs may be readied more than once in tests)."""
    if kind not in _providers:
        raise ValueError(f"kind must be one of {', '.join(_providers)}, not {kind!r}")
    _providers[kind][name] = provider


def _provided(kind: str) -> list[SponsorItem]:
    return [item for provider in _providers[kind].values() for item in provider()]


# ---------------------------------------------------------------- the summary


@dataclass(frozen=True)
class Trend:
    """A target's monthly trend in words: the line the target card quotes (slope, p) with the
    Benjamini–Hochberg q across every target trend of the view."""

    view: object              # queries.TargetView
    label: str                # "NPS at the organization"
    months: int
    n: int                    # responses over the months of the trend
    slope: float | None       # per month, in the metric's unit
    change: float | None      # slope × the months it spans: how far the line moved
    p: float | None
    q: float | None
    clear: bool               # significant after the correction
    better: bool | None       # None: no clear change, or no trend

    @property
    def words(self) -> str:
        if self.slope is None:
            return f"too few months with enough responses for a trend ({self.months})"
        if not self.clear:
            return NO_CLEAR_CHANGE
        ago = f"{self.months} months ago"
        return (CLEAR_BETTER if self.better else CLEAR_WORSE).format(ago=ago)

    @property
    def clause(self) -> str:
        """The trend in words with how far it moved and the n behind it (a mover's line)."""
        if self.change is None:
            return f"{self.words} (n={numbers.count(self.n)})"
        change = numbers.with_unit(numbers.signed_significant(self.change), self.view.target.metric.unit)
        return f"{self.words} ({change} over {self.months} months, n={numbers.count(self.n)})"

    @property
    def details(self) -> str:
        if self.slope is None:
            return "No trend line: at least 3 months with enough responses are needed."
        unit = self.view.target.metric.unit
        slope = numbers.with_unit(numbers.signed_significant(self.slope), unit)
        p = numbers.pvalue(self.p, name="p", figures=2)
        return (f"Line through {self.months} monthly values: {slope} a month, {p}, "
                f"{numbers.pvalue(self.q, name='q', figures=2)} after Benjamini–Hochberg across every target trend "
                "of this view.")


@dataclass
class SponsorSummary:
    mission: str
    north_star: Trend | None          # the first organization-wide target: how the North Star is measured
    status_counts: dict[str, int]
    n_targets: int
    trends: list[Trend]
    movers: list[Trend]
    escalations: list[SponsorItem]
    n_escalations: int
    priorities: list[SponsorItem]
    wins: list = field(default_factory=list)  # recognitions.Recognition

    @property
    def north_star_sentence(self) -> str:
        """How the North Star (the mission, shown above it) is doing, by its organization-wide
        measure: the first target set for the whole organization."""
        trend = self.north_star
        if trend is None:
            return "No organization-wide target measures the North Star yet."
        current = trend.view.assessment.current
        if current is None or not current.enough:
            return (f"The North Star is measured by {trend.label}: not enough responses yet "
                    f"(n={numbers.count(current.n if current else 0)}).")
        metric = trend.view.target.metric
        value = numbers.with_unit(numbers.fixed(current.value, metric.digits), metric.unit)
        return (f"The North Star is measured by {trend.label}: {value} now (n={numbers.count(current.n)}), "
                f"{trend.words}.")

    @property
    def status_sentence(self) -> str:
        if not self.n_targets:
            return "No targets are set yet."
        c = self.status_counts
        return (f"Of {numbers.count(self.n_targets)} {numbers.plural(self.n_targets, 'target', 'targets')}, "
                f"{c.get(Status.ON_TRACK, 0)} on track, {c.get(Status.AT_RISK, 0)} at risk, "
                f"{c.get(Status.OFF_TRACK, 0)} off track and {c.get(Status.NO_DATA, 0)} without enough data.")

    def mover_sentence(self, trend: Trend) -> str:
        return f"{trend.label}: {trend.clause}."

    @property
    def movers_sentence(self) -> str:
        lines = [t for t in self.trends if t.slope is not None]
        if not lines:
            return "No target has enough months of data for a trend yet."
        clear = [t for t in lines if t.clear]
        if not clear:
            return (f"No clear change: none of the {len(lines)} target trends moved by more than chance "
                    "would.")
        return (f"{len(clear)} of {len(lines)} target trends moved by more than chance would; "
                f"the {'largest' if len(clear) > 1 else 'one'}:")

    @property
    def escalations_sentence(self) -> str:
        n = self.n_escalations
        if not n:
            return "Nothing is waiting for the sponsor."
        return f"{n} {numbers.plural(n, 'question is', 'questions are')} waiting for the sponsor's decision."

    @property
    def sentences(self) -> list[str]:
        """The summary in words, in the order shown (the report's first page carries them all)."""
        lines = [self.north_star_sentence, self.status_sentence, self.movers_sentence]
        lines += [self.mover_sentence(t) for t in self.movers]
        lines.append(self.escalations_sentence)
        return lines


def _trends(view) -> list[Trend]:
    """Every target with a trend line, its p corrected across all of them."""
    targets = [t for outcome in view.outcomes for t in outcome.targets]
    tested = [t for t in targets if t.assessment.trend_p is not None]
    qs, significant = benjamini_hochberg([t.assessment.trend_p for t in tested], DEFAULT_ALPHA) if tested else ([], [])
    adjusted = {id(t): (q, s) for t, q, s in zip(tested, qs, significant, strict=True)}
    trends = []
    for target_view in targets:
        a, target = target_view.assessment, target_view.target
        points = monthly_points(target_view.monthly)
        months = a.months_used or len(points)
        n = sum(mv.n for _, mv in target_view.monthly if mv.enough)
        q, clear = adjusted.get(id(target_view), (None, False))
        slope = a.slope_per_month
        span = (points[-1].month - points[0].month) if len(points) > 1 else 0
        change = slope * span if slope is not None else None
        better = None
        if clear and slope:
            better = (slope > 0) == target.metric.higher_is_better
        trends.append(Trend(target_view, f"{target.metric.name} at {target.scope_label}", months, n, slope,
                            change, a.trend_p, q, bool(clear and slope), better))
    return trends


def _size(trend: Trend) -> float:
    """How far the line moved, as a share of what the metric can take (its scale), so an NPS
    point and a CES point compare."""
    bounds = trend.view.target.metric.scale_bounds
    width = (bounds[1] - bounds[0]) if bounds else max(1.0, abs(trend.view.assessment.current.value or 1.0))
    return abs(trend.change or 0.0) / width


def _north_star_rank(trend: Trend) -> tuple:
    """The organization-wide target that best stands for the North Star: a measure of every
    channel and segment before a filtered one, a headline metric (NPS, CSAT, effort) before
    others, then the order of the view (outcome, due date)."""
    metric = trend.view.target.metric
    headline = ("nps", "csat", "ces")
    return (bool(metric.channel or metric.segment),
            headline.index(metric.base) if metric.base in headline else len(headline))


def sponsor_summary(view) -> SponsorSummary:
    """The summary of an organization view (`queries.org_view()`)."""
    trends = _trends(view)
    north = min((t for t in trends if t.view.target.scope == Scope.ORGANIZATION), key=_north_star_rank, default=None)
    movers = sorted((t for t in trends if t.clear), key=_size, reverse=True)[:MOVERS_SHOWN]
    escalations = _provided("escalations")
    return SponsorSummary(
        mission=view.mission, north_star=north, status_counts=view.status_counts,
        n_targets=sum(view.status_counts.values()), trends=trends, movers=movers,
        escalations=escalations[:ESCALATIONS_SHOWN], n_escalations=len(escalations),
        priorities=_provided("priorities")[:PRIORITIES_SHOWN], wins=recognitions.all_wins()[:WINS_SHOWN])
