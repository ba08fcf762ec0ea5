"""Friction signals: where the journey hurts, claimed only when the data says so credibly.

For every step (of one journey, or of every journey) and every metric this module asks two
questions of the rollups:

* ``worse_than_journey`` — is the step worse than the rest of its journey in the window?
* ``worse_than_before`` — is the step worse in the window than in its own trailing period?

and one about volume:

* ``volume_spike`` — did the last 7 days bring far more feedback than the trailing weeks?

and adds growing, mostly negative themes of text (``negative_theme``, from
:mod:`cxkeeper.insights.themes`).

Every question is a stated two-sample test (``analytics.stats``) and all of them together
are one family: Benjamini–Hochberg at ``alpha`` across every test of the run. A signal needs
the adjusted p below ``alpha``, the difference in the "worse" direction, and a minimum effect
(:data:`DEFAULT_MIN_EFFECT`). Figures come from the rollups (``StepDayRollup``) only; the sole raw reads
are up to three example texts per reported signal. See docs/insights-friction.md.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Min, Q, Sum

from cxkeeper.core import numbers
from cxkeeper.insights import clock
from cxkeeper.insights.analytics.rollups import SUM_COLUMNS
from cxkeeper.insights.analytics.stats import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    Comparison,
    MeanSums,
    MetricValue,
    NpsCounts,
    Proportion,
    benjamini_hochberg,
    compare_nps,
    compare_proportions,
    metrics_from_sums,
    welch_t,
)
from cxkeeper.insights.metrics import format_interval, format_metric
from cxkeeper.insights.metrics import unit as metric_unit
from cxkeeper.insights.models import Feedback, StepDayRollup
from cxkeeper.insights.themes import GROWTH_DAYS, Theme, discover_themes, growth_p_value, rate_ratio
from cxkeeper.journeys.choices import ResponsibilityRole
from cxkeeper.journeys.models import Responsibility, Step

__all__ = [
    "DEFAULT_MIN_EFFECT",
    "DEFINING_TOPICS",
    "FRICTION_METRICS",
    "KINDS",
    "FrictionRun",
    "FrictionSignal",
    "FrictionTest",
    "NotTested",
    "StepCard",
    "circular_metrics",
    "detect_friction",
    "run_friction",
    "signal_cards",
    "signals_for_step",
]

KINDS = ("worse_than_journey", "worse_than_before", "volume_spike", "negative_theme")
KIND_LABELS = {"worse_than_journey": "worse than the rest of the journey", "worse_than_before": "worse than before",
               "volume_spike": "volume spike", "negative_theme": "growing negative theme"}
SPIKE_DAYS = 7
MIN_HISTORY_DAYS = 14  # a volume spike needs at least two weeks of history to compare with
THEME_MIN_SHARE_NEGATIVE = 0.5
MAX_TIMES_MINIMUM = 10.0  # severity cap, so an infinite ratio (nothing before) does not swamp the ranking


@dataclass(frozen=True)
class MetricSpec:
    label: str
    higher_is_better: bool
    test: str  # "nps", "proportion", "mean"
    unit: str  # unit of a difference; values are written by insights.metrics.format_metric


FRICTION_METRICS: dict[str, MetricSpec] = {
    "nps": MetricSpec("NPS", True, "nps", "points"),
    "csat": MetricSpec("CSAT", True, "proportion", "points"),
    "ces": MetricSpec("CES", True, "mean", ""),
    "sentiment": MetricSpec("Sentiment", True, "mean", ""),
    "negative_share": MetricSpec("% negative", False, "proportion", "points"),
    "complaint_share": MetricSpec("Complaint share", False, "proportion", "points"),
    "churn_rate": MetricSpec("Churn", False, "proportion", "points"),
}

#: Smallest difference worth a signal, in each metric's units (NPS points, percentage points,
#: scale units); ``volume_ratio``/``volume_items`` for spikes, ``theme_ratio``/``theme_items`` for
#: growing themes. Override any of them with ``min_effect={...}``.
DEFAULT_MIN_EFFECT: dict[str, float] = {
    "nps": 10.0,
    "csat": 5.0,
    "ces": 0.3,
    "sentiment": 0.1,
    "negative_share": 5.0,
    "complaint_share": 5.0,
    "churn_rate": 5.0,
    "volume_ratio": 1.5,
    "volume_items": 20,
    "theme_ratio": 1.5,
    "theme_items": 10,
}


@dataclass(frozen=True)
class FrictionTest:
    """One test of the family, significant or not (for "what was tested" and diagnostics)."""

    kind: str
    step_id: int | None
    metric: str
    test: str
    difference: float | None
    low: float | None
    high: float | None
    p_value: float
    p_adjusted: float
    worse: bool
    credible: bool  # adjusted p < alpha, the minimum effect reached, in the worse direction
    n_current: int
    n_reference: int
    min_effect: float
    theme_key: str | None = None


@dataclass(frozen=True)
class FrictionSignal:
    """A credible friction signal, explained.

    ``difference`` is current − reference in the metric's unit (``unit``: "points" for NPS
    and percentages, "" for CES/sentiment means) with its (1 − alpha) interval
    ``difference_low``..``difference_high``; for ``volume_spike`` and ``negative_theme`` it is
    the rate ratio (``unit`` "×"). ``p_value`` is the test's own, ``p_adjusted`` after
    Benjamini–Hochberg across the run. ``teams`` lists owners, then contributors.
    """

    kind: str
    step: Step | None
    metric: str
    metric_label: str
    current: MetricValue
    reference: MetricValue
    reference_label: str
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    unit: str
    test: str
    p_value: float
    p_adjusted: float
    alpha: float
    min_effect: float
    n_current: int
    n_reference: int
    period: tuple[dt.date, dt.date]
    reference_period: tuple[dt.date, dt.date]
    teams: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    explanation: str = ""
    theme: Theme | None = None

    @property
    def severity(self) -> tuple[float, float]:
        """Sort key of equal impact: adjusted p ascending, then effect relative to its minimum."""
        return (self.p_adjusted, -_relative_effect(self.kind, self.difference, self.min_effect))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def customers_affected(self) -> int:
        """The customers (feedback items) behind the current figure: the answers to the metric at
        the step in the window; items in the last 7 days for volume; the theme's items in the last
        28 days for a theme."""
        return int(self.n_current)

    @property
    def times_minimum(self) -> float:
        """How bad, plainly: the difference in multiples of the smallest difference worth a
        signal (1.0 = just at it; capped at :data:`MAX_TIMES_MINIMUM`, e.g. an infinite ratio)."""
        return min(_relative_effect(self.kind, self.difference, self.min_effect), MAX_TIMES_MINIMUM)

    @property
    def impact(self) -> float:
        """Rank of a signal: customers affected × severity (:attr:`times_minimum`)."""
        return self.customers_affected * self.times_minimum


@dataclass
class FrictionRun:
    """Everything one run did: the periods, every test of the family, and the signals."""

    as_of: dt.date
    window: tuple[dt.date, dt.date]
    trailing: tuple[dt.date, dt.date]
    alpha: float
    min_effect: dict[str, float]
    min_n: int
    tests: list[FrictionTest]
    signals: list[FrictionSignal]
    themes: list[Theme]
    not_tested: list[NotTested] = field(default_factory=list)

    @property
    def family_size(self) -> int:
        return len(self.tests)

    @property
    def cards(self) -> list[StepCard]:
        return signal_cards(self.signals)


@dataclass
class StepCard:
    """One step's signals together (``step`` None: themes that match no mapped step).

    ``customers_affected`` is the largest number behind any of its signals (the same customers
    answer several metrics, so they are not added up); ``impact`` the largest signal impact,
    which orders the cards."""

    step: Step | None
    signals: list[FrictionSignal]

    @property
    def customers_affected(self) -> int:
        return max(s.customers_affected for s in self.signals)

    @property
    def impact(self) -> float:
        return max(s.impact for s in self.signals)


def signal_cards(signals: Iterable[FrictionSignal]) -> list[StepCard]:
    """One card per step, each with its signals (highest impact first), cards by impact."""
    by_step: dict[int | None, list[FrictionSignal]] = {}
    for signal in signals:
        by_step.setdefault(signal.step.pk if signal.step is not None else None, []).append(signal)
    cards = [StepCard(group[0].step, sorted(group, key=_rank)) for group in by_step.values()]
    cards.sort(key=lambda c: (-c.impact, c.step is None, c.step.pk if c.step is not None else 0))
    return cards


def _rank(s: FrictionSignal):
    return (-s.impact, s.severity, s.kind, s.step.pk if s.step else 0, s.metric)


# ---------------------------------------------------------------- circular comparisons

_BOTH = ("worse_than_journey", "worse_than_before")


@dataclass(frozen=True)
class DefiningTopic:
    """A kind of step whose very purpose a metric measures. ``words``: the step's own words
    (name, description, or most of its example phrases) that make a step this kind;
    ``metrics``: metric → the comparisons that would be circular there, with the reason."""

    name: str
    words: frozenset[str]
    metrics: dict[str, tuple[tuple[str, ...], str]]


#: A complaint-handling step has a high complaint share — and negative feedback, compared with
#: the rest of its journey — because that is what the step is; an ask-to-cancel step has churn.
#: Such comparisons are not made (not in the family, never a signal); they are listed as
#: "not tested" with the reason. Scores (NPS, CSAT, CES) say how the step was handled and are
#: always tested. docs/insights-friction.md §3, decision 0014.
DEFINING_TOPICS: tuple[DefiningTopic, ...] = (
    DefiningTopic("complaint", frozenset({
        "complain", "complains", "complained", "complaining", "complaint", "complaints", "grievance",
        "grievances", "escalate", "escalation", "escalations"}), {
        "complaint_share": (_BOTH, "customers at a complaint-handling step are complaining by definition"),
        "negative_share": (("worse_than_journey",), "feedback at a complaint-handling step is negative by "
                                                     "definition, so it is only compared with its own past"),
        "sentiment": (("worse_than_journey",), "feedback at a complaint-handling step is negative by definition, "
                                               "so it is only compared with its own past"),
    }),
    DefiningTopic("cancellation", frozenset({
        "cancel", "cancels", "cancelled", "canceled", "cancelling", "canceling", "cancellation", "cancellations",
        "churn", "leave", "leaving", "terminate", "termination", "unsubscribe"}), {
        "churn_rate": (_BOTH, "customers at a cancellation step are leaving by definition"),
    }),
)
_STEP_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> set[str]:
    return set(_STEP_WORD.findall(text.casefold()))


def circular_metrics(step: Step) -> dict[tuple[str, str], str]:
    """(kind, metric) → why that comparison is circular at this step; empty for most steps.

    A step is of a :data:`DEFINING_TOPICS` kind when its name or description holds one of the
    topic's words, or at least half of its example phrases do (one customer phrase that
    mentions a complaint does not make a helpline a complaint step)."""
    own = _words(f"{step.name} {step.description}")
    phrases = [_words(str(p)) for p in (step.phrases or [])]
    out: dict[tuple[str, str], str] = {}
    for topic in DEFINING_TOPICS:
        by_phrases = phrases and sum(1 for p in phrases if p & topic.words) * 2 >= len(phrases)
        if own & topic.words or by_phrases:
            for metric, (kinds, reason) in topic.metrics.items():
                for kind in kinds:
                    out.setdefault((kind, metric), reason)
    return out


@dataclass(frozen=True)
class NotTested:
    """A comparison left out of the run because it is circular at the step."""

    step: Step
    kind: str
    metric: str
    metric_label: str
    reason: str


# ---------------------------------------------------------------- reading rollups


def _sums_query(steps: Sequence[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    rows = (StepDayRollup.objects.filter(step_id__in=list(steps), day__gte=start, day__lte=end)
            .values("step_id").annotate(**{c: Sum(c) for c in SUM_COLUMNS}).order_by())
    return {row["step_id"]: {c: (row[c] or 0) for c in SUM_COLUMNS} for row in rows}


def _volume_query(steps: Sequence[int], recent: tuple[dt.date, dt.date], ref: tuple[dt.date, dt.date]):
    rows = (StepDayRollup.objects.filter(step_id__in=list(steps), day__gte=ref[0], day__lte=recent[1])
            .values("step_id")
            .annotate(recent=Sum("n", filter=Q(day__gte=recent[0], day__lte=recent[1])),
                      ref=Sum("n", filter=Q(day__gte=ref[0], day__lte=ref[1])))
            .order_by())
    return {row["step_id"]: (int(row["recent"] or 0), int(row["ref"] or 0)) for row in rows}


def _zero() -> dict:
    return dict.fromkeys(SUM_COLUMNS, 0)


def _add(a: dict, b: dict, sign: int = 1) -> dict:
    return {c: a.get(c, 0) + sign * b.get(c, 0) for c in SUM_COLUMNS}


# ---------------------------------------------------------------- tests


def _compare(metric: str, reference: dict, current: dict, *, alpha: float, min_effect: float,
             min_n: int) -> Comparison:
    """Two-sample test of current (b) against reference (a): difference = current − reference."""
    kw = {"alpha": alpha, "min_effect": min_effect, "min_n": min_n}

    def g(s: dict, c: str):
        return s.get(c) or 0

    if metric == "nps":
        return compare_nps(NpsCounts(int(g(reference, "promoters")), int(g(reference, "detractors")),
                                     int(g(reference, "nps_n"))),
                           NpsCounts(int(g(current, "promoters")), int(g(current, "detractors")),
                                     int(g(current, "nps_n"))), **kw)
    if metric in ("ces", "sentiment"):
        return welch_t(MeanSums(int(g(reference, f"{metric}_n")), float(g(reference, f"{metric}_sum")),
                                float(g(reference, f"{metric}_sumsq"))),
                       MeanSums(int(g(current, f"{metric}_n")), float(g(current, f"{metric}_sum")),
                                float(g(current, f"{metric}_sumsq"))), **kw)
    k_col, n_cols = {
        "csat": ("csat_top", ("csat_n",)),
        "negative_share": ("negative_n", ("sentiment_n",)),
        "complaint_share": ("complaint_n", ("n",)),
        "churn_rate": ("churn_n", ("churn_n", "renewal_n")),
    }[metric]

    def proportion(s: dict) -> Proportion:
        return Proportion(int(g(s, k_col)), int(sum(g(s, c) for c in n_cols)))

    return compare_proportions(proportion(reference), proportion(current), **kw)


def _is_worse(metric: str, difference: float | None) -> bool:
    if difference is None or difference == 0:
        return False
    return difference < 0 if FRICTION_METRICS[metric].higher_is_better else difference > 0


def _relative_effect(kind: str, difference: float | None, min_effect: float) -> float:
    if difference is None:
        return math.inf
    if kind in ("volume_spike", "negative_theme"):
        return difference / min_effect if min_effect else difference
    return abs(difference) / min_effect if min_effect else abs(difference)


@dataclass
class _Candidate:
    kind: str
    step_id: int | None
    metric: str
    test: str
    p_value: float
    difference: float | None
    low: float | None
    high: float | None
    worse: bool
    effect_ok: bool
    n_current: int
    n_reference: int
    min_effect: float
    current: MetricValue
    reference: MetricValue
    period: tuple[dt.date, dt.date]
    reference_period: tuple[dt.date, dt.date]
    reference_label: str
    theme: Theme | None = None
    p_adjusted: float = 1.0


# ---------------------------------------------------------------- formatting


def _fmt_value(metric: str, value: float | None) -> str:
    """A value of a friction metric as every page writes it: the catalogue's digits and unit
    (`insights.metrics.format_metric`): NPS −16.8, CSAT 82.0%, CES 5.21."""
    return format_metric(value, metric, empty="n/a")


def _fmt_interval(metric: str, low: float, high: float) -> str:
    """The interval of a value, cut to the metric's scale and saying so (`format_interval`)."""
    return format_interval(low, high, metric)


def _fmt_diff(metric: str, difference: float) -> str:
    """The size of a difference in the metric's digits: "12.5 points" (NPS), "3.0 percentage
    points" (a share), "0.48" (a mean on its own scale)."""
    text = format_metric(abs(difference), metric, with_unit=False)
    if metric_unit(metric) == "%":
        return f"{text} percentage point{'' if text == '1.0' else 's'}"
    if FRICTION_METRICS[metric].unit == "points":
        return f"{text} point{'' if text == '1.0' else 's'}"
    return text


def _fmt_share(share: float) -> str:
    """A share of a theme's members (0–1) as a whole percent: "83%"."""
    return numbers.percent(100.0 * share, 0)


def _fmt_n(n: int) -> str:
    return numbers.count(n)


def _fmt_p(p: float) -> str:
    return numbers.pvalue(p, name="adjusted p", spaced=True)


def _fmt_ratio(value: float | None) -> str:
    return "∞" if value is None else numbers.with_unit(numbers.fixed(value, 1), "×")


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _teams_sentence(owners: Sequence[str], contributors: Sequence[str]) -> str:
    if not owners and not contributors:
        return "No team is responsible for this step yet."
    parts = []
    if owners:
        parts.append(f"Owned by {_join(owners)}")
    if contributors:
        verb = "contributes" if len(contributors) == 1 else "contribute"
        parts.append(f"{_join(contributors)} {verb}")
    return "; ".join(parts) + "."


def _metric_explanation(c: _Candidate, step: Step, confidence_pct: str, window_days: int,
                        teams: str) -> str:
    spec = FRICTION_METRICS[c.metric]
    cur, ref = c.current, c.reference
    direction = ("below" if spec.higher_is_better else "above")
    ci = (f"{confidence_pct}% CI {_fmt_interval(c.metric, cur.low, cur.high)}, "
          if cur.low is not None and cur.high is not None else "")
    return (f"{spec.label} at “{step.name}” is {_fmt_value(c.metric, cur.value)} ({ci}n={_fmt_n(cur.n)}) "
            f"in the last {window_days} days, {_fmt_diff(c.metric, c.difference)} {direction} "
            f"{c.reference_label} ({_fmt_value(c.metric, ref.value)}, n={_fmt_n(ref.n)}); "
            f"{_fmt_p(c.p_adjusted)}. {teams}")


def _spike_explanation(c: _Candidate, step: Step, confidence_pct: str, teams: str) -> str:
    ref_days = (c.reference_period[1] - c.reference_period[0]).days + 1
    return (f"Volume at “{step.name}” is {_fmt_n(c.n_current)} items in the last {SPIKE_DAYS} days, "
            f"{_fmt_ratio(c.difference)} its weekly average of {format_metric(c.reference.value, 'volume')} over "
            f"the previous {ref_days} days ({confidence_pct}% CI {_fmt_ratio(c.low)} to {_fmt_ratio(c.high)}); "
            f"{_fmt_p(c.p_adjusted)}. {teams}")


def _theme_explanation(c: _Candidate, step: Step | None, confidence_pct: str, teams: str) -> str:
    theme = c.theme
    growth = theme.growing
    text = (f"Negative theme “{theme.label}” is growing: {_fmt_n(growth.current)} items in the last "
            f"{growth.days} days against {_fmt_n(growth.previous)} in the {growth.days} before "
            f"({_fmt_ratio(c.difference)}, {confidence_pct}% CI {_fmt_ratio(c.low)} to {_fmt_ratio(c.high)}), "
            f"{_fmt_share(theme.share_negative)} negative, {_fmt_share(theme.share_unrouted)} unrouted; "
            f"{_fmt_p(c.p_adjusted)}.")
    if step is None:
        return text + " It matches no mapped step: consider it as a new friction point."
    if theme.suggested_step is not None and theme.suggested_step.pk == step.pk:
        where = (f" The router would send it to “{step.name}” ({_fmt_share(theme.suggested_confidence)} "
                 "confident).")
    else:
        where = f" Most of it is at “{step.name}”."
    return text + where + " " + teams


# ---------------------------------------------------------------- teams and examples


def _teams(step_ids: Iterable[int]) -> dict[int, tuple[list[str], list[str]]]:
    out: dict[int, tuple[list[str], list[str]]] = {}
    rows = (Responsibility.objects.filter(step_id__in=list(step_ids),
                                          role__in=[ResponsibilityRole.OWNS, ResponsibilityRole.CONTRIBUTES])
            .order_by("step_id", "-is_lead", "team__name").values_list("step_id", "role", "team__name"))
    for step_id, role, name in rows:
        owners, contributors = out.setdefault(step_id, ([], []))
        (owners if role == ResponsibilityRole.OWNS else contributors).append(name)
    return out


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _examples(step_id: int, period: tuple[dt.date, dt.date], limit: int = 3) -> list[str]:
    """The most negative texts at the step in the period, newest first among equals (LIMIT 3)."""
    from django.db.models import F

    rows = (Feedback.objects.filter(step_id=step_id, received_at__gte=_day_start(period[0]),
                                    received_at__lt=_day_start(period[1] + dt.timedelta(days=1)))
            .exclude(text="")
            .order_by(F("sentiment").asc(nulls_last=True), "-received_at", "-id")
            .values_list("text", flat=True)[:limit])
    return list(rows)


# ---------------------------------------------------------------- the run


def _effects(min_effect: dict[str, float] | None) -> dict[str, float]:
    effects = dict(DEFAULT_MIN_EFFECT)
    for key, value in (min_effect or {}).items():
        if key not in effects:
            raise ValueError(f"unknown minimum effect {key!r}; known: {', '.join(effects)}")
        effects[key] = float(value)
    return effects


def _steps(journey) -> list[Step]:
    steps = Step.objects.select_related("stage__journey").order_by("stage__journey_id", "stage__position",
                                                                   "position", "pk")
    if journey is not None:
        steps = steps.filter(stage__journey=journey)
    return list(steps)


def run_friction(journey=None, *, as_of: dt.date | None = None, window_days: int = 28, trailing_days: int = 84,
                 alpha: float = DEFAULT_ALPHA, min_effect: dict[str, float] | None = None,
                 min_n: int = DEFAULT_MIN_N, themes: Sequence[Theme] | None = None) -> FrictionRun:
    """Every test of one friction run and the signals it supports (see :func:`detect_friction`)."""
    if window_days < 1 or trailing_days < 1:
        raise ValueError("window_days and trailing_days must be positive")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    effects = _effects(min_effect)
    as_of = as_of or clock.as_of()
    window = (as_of - dt.timedelta(days=window_days - 1), as_of)
    trailing = (window[0] - dt.timedelta(days=trailing_days), window[0] - dt.timedelta(days=1))
    confidence = 1 - alpha
    steps = _steps(journey)
    by_id = {s.pk: s for s in steps}
    ids = list(by_id)

    current = _sums_query(ids, *window) if ids else {}
    before = _sums_query(ids, *trailing) if ids else {}
    journey_totals: dict[int, dict] = {}
    circular_of = {step.pk: circular_metrics(step) for step in steps}
    # A journey's baseline for a metric leaves out the steps that metric defines: a complaint
    # step's 100 % complaints would make every other step look good on complaint share.
    defined: dict[tuple[int, str], dict] = {}
    for step in steps:
        mine = current.get(step.pk, _zero())
        journey_totals[step.stage.journey_id] = _add(journey_totals.get(step.stage.journey_id, _zero()), mine)
        for kind, metric in circular_of[step.pk]:
            if kind == "worse_than_journey":
                key = (step.stage.journey_id, metric)
                defined[key] = _add(defined.get(key, _zero()), mine)

    candidates: list[_Candidate] = []
    not_tested: list[NotTested] = []
    for step in steps:
        circular = circular_of[step.pk]
        for (kind, metric), reason in circular.items():
            not_tested.append(NotTested(step, kind, metric, FRICTION_METRICS[metric].label, reason))
        mine = current.get(step.pk, _zero())
        rest = _add(journey_totals[step.stage.journey_id], mine, -1)
        mine_metrics = metrics_from_sums(mine, min_n=min_n, confidence=confidence)
        references = [
            ("worse_than_journey", rest, window, "the rest of the journey"),
            ("worse_than_before", before.get(step.pk, _zero()), trailing, f"its previous {trailing_days} days"),
        ]
        for kind, base_sums, ref_period, ref_label in references:
            base_metrics = metrics_from_sums(base_sums, min_n=min_n, confidence=confidence)
            for metric in FRICTION_METRICS:
                if (kind, metric) in circular:
                    continue
                ref_sums, ref_metrics = base_sums, base_metrics
                leave_out = defined.get((step.stage.journey_id, metric)) if kind == "worse_than_journey" else None
                if leave_out is not None:
                    ref_sums = _add(base_sums, leave_out, -1)
                    ref_metrics = metrics_from_sums(ref_sums, min_n=min_n, confidence=confidence)
                comparison = _compare(metric, ref_sums, mine, alpha=alpha, min_effect=effects[metric], min_n=min_n)
                if not comparison.enough or comparison.p_value is None:
                    continue
                candidates.append(_Candidate(
                    kind, step.pk, metric, comparison.test, comparison.p_value, comparison.difference,
                    comparison.low, comparison.high, _is_worse(metric, comparison.difference),
                    abs(comparison.difference) >= effects[metric], comparison.n_b, comparison.n_a,
                    effects[metric], mine_metrics[metric], ref_metrics[metric], window, ref_period, ref_label))

    candidates += _spike_candidates(ids, as_of, trailing_days, effects, min_n, confidence)

    if themes is None:
        themes = discover_themes(journey=journey, since=as_of - dt.timedelta(days=2 * GROWTH_DAYS - 1), as_of=as_of)
    themes = list(themes)
    candidates += _theme_candidates(themes, by_id if journey is not None else None, effects, confidence, as_of)

    adjusted, _ = benjamini_hochberg([c.p_value for c in candidates], alpha) if candidates else ([], [])
    tests = []
    for c, q in zip(candidates, adjusted, strict=True):
        c.p_adjusted = q
        tests.append(FrictionTest(c.kind, c.step_id, c.metric, c.test, c.difference, c.low, c.high, c.p_value, q,
                                  c.worse, q < alpha and c.worse and c.effect_ok, c.n_current, c.n_reference,
                                  c.min_effect, c.theme.key if c.theme else None))
    chosen = [c for c, t in zip(candidates, tests, strict=True) if t.credible]
    signals = _explain(chosen, by_id, alpha=alpha, window_days=window_days)
    signals.sort(key=_rank)
    return FrictionRun(as_of, window, trailing, alpha, effects, min_n, tests, signals, themes, not_tested)


def excludes_no_change(ratio_low: float | None) -> bool:
    """A growth (a volume spike, a growing theme) is claimed only when the (1 − alpha) interval
    of its rate ratio — the one its explanation shows — lies above 1×: no signal may say
    "1.6× (95% CI 0.93× to 2.8×)", an interval that holds "no change". For the exact
    conditional binomial test this is the one-sided test at alpha/2, so growth signals are
    conservative; the theme null simulation measures it (docs/insights-friction.md)."""
    return ratio_low is not None and ratio_low > 1.0


def _spike_candidates(ids, as_of, trailing_days, effects, min_n, confidence) -> list[_Candidate]:
    """Latest 7 days against the weekly rate of the ``trailing_days`` before them.

    Exact conditional test of two Poisson rates, one-sided (more than before): with x items in
    the last 7 days and y in the d reference days, x | x + y ~ Binomial(x + y, 7/(7 + d)).
    The reference period starts no earlier than the first day with any rollup (history), and
    needs at least 14 days. A step is tested when x + y ≥ min_n.
    """
    if not ids:
        return []
    recent = (as_of - dt.timedelta(days=SPIKE_DAYS - 1), as_of)
    ref_end = recent[0] - dt.timedelta(days=1)
    ref_start = ref_end - dt.timedelta(days=trailing_days - 1)
    first = StepDayRollup.objects.aggregate(first=Min("day"))["first"]
    if first is None:
        return []
    ref_start = max(ref_start, first)
    ref_days = (ref_end - ref_start).days + 1
    if ref_days < MIN_HISTORY_DAYS:
        return []
    counts = _volume_query(ids, recent, (ref_start, ref_end))
    out = []
    for step_id in ids:
        x, y = counts.get(step_id, (0, 0))
        if x + y < max(min_n, 1):
            continue
        exposure = ref_days / SPIKE_DAYS
        p = growth_p_value(x, y, SPIKE_DAYS / (SPIKE_DAYS + ref_days))
        ratio, low, high = rate_ratio(x, y, exposure, confidence)
        weekly = y / exposure
        effect_ok = x >= effects["volume_items"] and (ratio is None or ratio >= effects["volume_ratio"]) \
            and excludes_no_change(low)
        out.append(_Candidate(
            "volume_spike", step_id, "volume", "exact conditional Poisson rate test (one-sided)", p, ratio, low,
            high, ratio is None or ratio > 1, effect_ok, x, y, effects["volume_ratio"],
            MetricValue(float(x), x, None, None, True), MetricValue(weekly, y, None, None, True),
            recent, (ref_start, ref_end), f"its weekly average over the previous {ref_days} days"))
    return out


def _theme_candidates(themes, journey_steps, effects, confidence, as_of) -> list[_Candidate]:
    """Mostly negative, testable themes with at least ``theme_items`` items in the two periods."""
    out = []
    for theme in themes:
        growth = theme.growing
        if not (growth.testable and theme.mostly_negative and growth.p_value is not None):
            continue
        if growth.current + growth.previous < effects["theme_items"]:
            continue
        step_id = theme.suggested_step.pk if theme.suggested_step is not None else theme.main_step_id
        if journey_steps is not None and step_id is not None and step_id not in journey_steps:
            continue  # a theme about another journey
        ratio, low, high = rate_ratio(growth.current, growth.previous, 1.0, confidence)
        effect_ok = growth.current >= effects["theme_items"] and (ratio is None or ratio >= effects["theme_ratio"]) \
            and excludes_no_change(low)
        middle = as_of - dt.timedelta(days=growth.days)
        period = (middle + dt.timedelta(days=1), as_of)
        reference_period = (middle - dt.timedelta(days=growth.days - 1), middle)
        out.append(_Candidate(
            "negative_theme", step_id, "theme", "exact binomial test of growth (one-sided)", growth.p_value,
            ratio, low, high, ratio is None or ratio > 1, effect_ok, growth.current, growth.previous,
            effects["theme_ratio"], MetricValue(float(growth.current), growth.current, None, None, True),
            MetricValue(float(growth.previous), growth.previous, None, None, True),
            period, reference_period, f"the previous {growth.days} days", theme))
    return out


def _explain(chosen: list[_Candidate], by_id: dict[int, Step], *, alpha: float, window_days: int):
    confidence_pct = numbers.plain(round((1 - alpha) * 100, 6))
    step_ids = {c.step_id for c in chosen if c.step_id is not None}
    missing = step_ids - set(by_id)
    if missing:
        by_id = {**by_id, **{s.pk: s for s in Step.objects.filter(pk__in=missing).select_related("stage__journey")}}
    teams = _teams(step_ids)
    examples_cache: dict[tuple, list[str]] = {}
    signals = []
    for c in chosen:
        step = by_id.get(c.step_id) if c.step_id is not None else None
        owners, contributors = teams.get(c.step_id, ([], []))
        teams_text = _teams_sentence(owners, contributors)
        if c.kind == "negative_theme":
            examples = list(c.theme.examples)
            explanation = _theme_explanation(c, step, confidence_pct, teams_text)
            metric_label = "Negative theme"
        else:
            key = (c.step_id, c.period)
            if key not in examples_cache:
                examples_cache[key] = _examples(c.step_id, c.period)
            examples = examples_cache[key]
            if c.kind == "volume_spike":
                explanation = _spike_explanation(c, step, confidence_pct, teams_text)
                metric_label = "Volume"
            else:
                explanation = _metric_explanation(c, step, confidence_pct, window_days, teams_text)
                metric_label = FRICTION_METRICS[c.metric].label
        unit = "×" if c.kind in ("volume_spike", "negative_theme") else FRICTION_METRICS[c.metric].unit
        signals.append(FrictionSignal(
            kind=c.kind, step=step, metric=c.metric, metric_label=metric_label, current=c.current,
            reference=c.reference, reference_label=c.reference_label, difference=c.difference,
            difference_low=c.low, difference_high=c.high, unit=unit, test=c.test, p_value=c.p_value,
            p_adjusted=c.p_adjusted, alpha=alpha, min_effect=c.min_effect, n_current=c.n_current,
            n_reference=c.n_reference, period=c.period, reference_period=c.reference_period,
            teams=owners + contributors, owners=list(owners), contributors=list(contributors), examples=examples,
            explanation=explanation, theme=c.theme))
    return signals


def detect_friction(journey=None, *, as_of: dt.date | None = None, window_days: int = 28, trailing_days: int = 84,
                    alpha: float = DEFAULT_ALPHA, min_effect: dict[str, float] | None = None,
                    min_n: int = DEFAULT_MIN_N, themes: Sequence[Theme] | None = None) -> list[FrictionSignal]:
    """Credible friction signals of one journey (or every journey), highest impact first
    (customers affected × severity, :attr:`FrictionSignal.impact`).

    Window = the ``window_days`` days ending ``as_of`` (default the clock's data-through day); trailing period =
    the ``trailing_days`` before the window. For each step × metric in
    :data:`FRICTION_METRICS`: the step against the rest of its journey in the window, and the
    step's window against its trailing period; plus volume spikes (last 7 days against the
    weekly rate before) and growing negative themes. Benjamini–Hochberg at ``alpha`` over all
    of these tests; a signal needs adjusted p < alpha, the worse direction and the minimum
    effect (``min_effect`` overrides :data:`DEFAULT_MIN_EFFECT` per key). Circular comparisons
    (:func:`circular_metrics`) are not made. ``themes``: pass a
    list to reuse themes already discovered, ``[]`` to leave themes out; None discovers them.
    """
    return run_friction(journey, as_of=as_of, window_days=window_days, trailing_days=trailing_days, alpha=alpha,
                        min_effect=min_effect, min_n=min_n, themes=themes).signals


def signals_for_step(step: Step, **kwargs) -> list[FrictionSignal]:
    """The signals of one step, from a run over its journey (the BH family is that journey's)."""
    signals = detect_friction(step.stage.journey, **kwargs)
    return [s for s in signals if s.step is not None and s.step.pk == step.pk]

