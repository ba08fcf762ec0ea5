"""Did this change, at these steps, on this date, move this metric? The impact engine's
series from the rollups, its comparison steps, and the verdict in words.

`measure_impact` is what the wins (initiatives, planned changes) and `cxkeeper impact` call.
The statistics are `analytics.impact` (no Django); this module reads the step × day rollups
(the fine step × day × channel × segment ones when a channel or segment is asked for),
chooses the comparison steps, and writes one plain sentence per verdict with the statistics
under `details`. The one raw read: counting items that mention a topic (rollups hold no
text), a single grouped count in the database over the changed steps and the window.

Comparison steps (`choose_comparison`): steps the change did not touch — not the changed
steps, not steps a handoff links to them (a change spills over along a handoff), not the
steps the caller excludes (other changes' steps) — with enough answers for the metric before
and after the change date, ranked by how alike their channel mix is to the changed steps'
before the change (cosine of the channel shares), steps of the same journey first among
near-equals (+0.25). The best `MAX_COMPARISON_STEPS` are used; each says why it was chosen.
See docs/wins-measurement.md.

Organization scope (`scope="organization"`, no steps — or steps that are every step with data,
leaving nothing to compare with): the whole organization's series, judged by
`analytics.impact_org` (seasonality terms, a wider minimum effect and placebo dates instead of a
comparison; decision 0034), over a year before the change by default so the yearly cycle can be
fitted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from cxkeeper.core import numbers
from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights import clock, textsearch
from cxkeeper.insights.analytics.impact import (
    IMPACT_METRICS,
    MIN_DAYS_AFTER,
    MIN_DAYS_BEFORE,
    Assessment,
    ImpactMetric,
    assess_change,
    period_series,
)
from cxkeeper.insights.analytics.impact_org import MIN_PLACEBOS, PLACEBO_QUANTILE, assess_organization
from cxkeeper.insights.analytics.rollups import SUM_COLUMNS
from cxkeeper.insights.analytics.stats import DEFAULT_ALPHA, DEFAULT_MIN_N
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.metrics import CATALOGUE, format_metric
from cxkeeper.insights.models import Feedback, FeedbackRollup, StepDayRollup, StepMonthRollup
from cxkeeper.journeys.models import Handoff, Step

__all__ = ["GRAINS", "MAX_COMPARISON_STEPS", "ComparisonStep", "ImpactResult", "choose_comparison",
           "impact_metric", "measure_impact", "steps_named"]

GRAINS = {"week": 7, "day": 1}
MAX_COMPARISON_STEPS = 6
SAME_JOURNEY_BONUS = 0.25
DEFAULT_BEFORE_DAYS = 182  # half a year of history before the change
DEFAULT_AFTER_DAYS = 182  # and at most half a year after it
ORG_BEFORE_DAYS = 371  # organization scope: 53 weeks before, so a yearly cycle can be fitted
SCOPES = ("steps", "organization")

# Labels of the counts the catalogue does not have (it has the shares).
_COUNT_LABELS = {"complaint_count": "Complaints (count)", "negative_count": "Negative texts (count)",
                 "mentions": "Mentions"}
VERDICT_LABELS = {"win": "Win", "no_credible_change": "No credible change", "worse": "Worse",
                  "too_early": "Too early"}


def impact_metric(text: str) -> str:
    """The key of an impact metric from its key or label, any case ("NPS", "ces", "% easy",
    "complaint_count"); InvalidInput naming `metric` for anything else."""
    wanted = (text or "").strip().lower()
    for key in IMPACT_METRICS:
        if wanted in (key, metric_label(key).lower()):
            return key
    choices = ", ".join(IMPACT_METRICS)
    raise InvalidInput({"metric": f"“{text}” is not a metric the impact engine measures; choose one of {choices}."})


def metric_label(key: str, topic: str = "") -> str:
    if key == "mentions":
        return f"Mentions of “{topic}”" if topic else "Mentions"
    return _COUNT_LABELS.get(key) or CATALOGUE[key].label


def steps_named(text: str) -> list[Step]:
    """Steps from "Journey/Step, Journey/Step" (journey by name or slug), a step's id, or a
    step name that only one journey has; InvalidInput naming `steps` otherwise."""
    found: list[Step] = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        steps = Step.objects.select_related("stage__journey")
        if part.isdigit():
            matches = list(steps.filter(pk=int(part)))
        elif "/" in part:
            journey, name = (s.strip() for s in part.split("/", 1))
            in_journey = Q(stage__journey__name__iexact=journey) | Q(stage__journey__slug__iexact=journey)
            matches = list(steps.filter(in_journey, name__iexact=name))
        else:
            matches = list(steps.filter(name__iexact=part))
        if not matches:
            raise InvalidInput({"steps": f"No step “{part}” (write Journey/Step, e.g. “Get help/Log in to the app”)."})
        if len(matches) > 1:
            raise InvalidInput({"steps": f"“{part}” names {len(matches)} steps; write Journey/Step."})
        if matches[0] not in found:
            found.append(matches[0])
    if not found:
        raise InvalidInput({"steps": "Name at least one step."})
    return found


# ---------------------------------------------------------------- series from the rollups


def _daily_sums(step_ids: Iterable[int] | None, start: dt.date, end: dt.date, *, channel: str = "",
                segment: str = "") -> dict[int, dict[dt.date, dict]]:
    """{step: {day: sums}} over [start, end] from the step × day rollup (the fine one when a
    channel or segment is asked for)."""
    if channel or segment:
        cells = FeedbackRollup.objects.filter(day__gte=start, day__lte=end)
        if channel:
            cells = cells.filter(channel=channel)
        if segment:
            cells = cells.filter(segment=segment)
        rows = cells.values("step_id", "day").annotate(**{c: Sum(c) for c in SUM_COLUMNS}).order_by()
        source = ((r["step_id"], r["day"], r) for r in rows)
    else:
        cells = StepDayRollup.objects.filter(day__gte=start, day__lte=end)
        if step_ids is not None:
            cells = cells.filter(step_id__in=list(step_ids))
        source = ((r[0], r[1], dict(zip(SUM_COLUMNS, r[2:], strict=True)))
                  for r in cells.values_list("step_id", "day", *SUM_COLUMNS))
    out: dict[int, dict[dt.date, dict]] = defaultdict(dict)
    wanted = None if step_ids is None else set(step_ids)
    for step_id, day, sums in source:
        if wanted is not None and step_id not in wanted:
            continue
        out[step_id][day] = {c: float(sums.get(c) or 0) for c in SUM_COLUMNS}
    return out


def _mention_counts(step_ids: Sequence[int] | None, topic: str, start: dt.date, end: dt.date, *, channel: str = "",
                    segment: str = "") -> dict[dt.date, int]:
    """Items at the steps whose text mentions `topic` (in the channel and segment, when given),
    per day (UTC), off-topic items left out: one grouped count in the database."""
    first = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    items = Feedback.objects.filter(textsearch.text_contains(topic), received_at__gte=first, received_at__lt=stop)
    if step_ids is not None:  # None: the whole organization
        items = items.filter(step_id__in=list(step_ids))
    if channel:
        items = items.filter(channel=channel)
    if segment:
        items = items.filter(segment=segment)
    rows = (items.exclude(routed_by=RoutedBy.OFF_TOPIC)
            .annotate(day=TruncDate("received_at", tzinfo=dt.UTC)).values("day").annotate(k=Count("id")).order_by())
    return {r["day"]: int(r["k"]) for r in rows}


def _bucket(daily: dict[dt.date, dict], start: dt.date, grain_days: int, length: int) -> list[dict]:
    periods: list[dict] = [{} for _ in range(length)]
    for day, sums in daily.items():
        index = (day - start).days // grain_days
        if 0 <= index < length:
            acc = periods[index]
            for column, value in sums.items():
                acc[column] = acc.get(column, 0.0) + value
    return periods


def _combined(series: Iterable[list[dict]], length: int) -> list[dict]:
    out: list[dict] = [{} for _ in range(length)]
    for periods in series:
        for i, sums in enumerate(periods):
            for column, value in sums.items():
                out[i][column] = out[i].get(column, 0.0) + value
    return out


# ---------------------------------------------------------------- comparison steps


@dataclass(frozen=True)
class ComparisonStep:
    step_id: int
    name: str
    journey: str
    reason: str  # why it was chosen: "same journey; channel mix 93% alike; 1,204 answers before"
    n_before: int
    similarity: float | None = None
    set_aside: str = ""  # why it was left out after all (it moved itself on the change date)

    def as_dict(self) -> dict:
        return {"step_id": self.step_id, "step": self.name, "journey": self.journey, "reason": self.reason,
                "n_before": self.n_before, "similarity": self.similarity, "set_aside": self.set_aside or None}


def _channel_mix(step_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, dict[str, float]]:
    """{step: {channel: items}} over the months touching [start, end) (step × month rollup)."""
    rows = (StepMonthRollup.objects.filter(step_id__in=list(step_ids), month__gte=start.replace(day=1), month__lt=end)
            .values("step_id", "channel").annotate(k=Sum("n")).order_by())
    mix: dict[int, dict[str, float]] = defaultdict(dict)
    for r in rows:
        mix[r["step_id"]][r["channel"]] = float(r["k"] or 0)
    return mix


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _neighbours(step_ids: set[int]) -> set[int]:
    """Steps a handoff links to or from the changed steps."""
    out: set[int] = set()
    for a, b in Handoff.objects.filter(Q(from_step_id__in=step_ids) | Q(to_step_id__in=step_ids)).values_list(
            "from_step_id", "to_step_id"):
        out.update((a, b))
    return out - step_ids


def choose_comparison(steps: Sequence[Step], metric: ImpactMetric, per_step: dict[int, list[dict]], first_post: int,
                      *, start: dt.date, change_date: dt.date, exclude: Iterable[int] = (),
                      min_n: int = DEFAULT_MIN_N, limit: int = MAX_COMPARISON_STEPS) -> list[ComparisonStep]:
    """The comparison steps (see the module docstring), best first."""
    changed = {s.pk for s in steps}
    skip = changed | set(exclude) | _neighbours(changed)
    journeys = {s.stage.journey_id for s in steps}
    counted = metric if metric.key != "mentions" else IMPACT_METRICS["volume"]
    candidates = {}
    for step_id, periods in per_step.items():
        if step_id in skip or step_id == 0:
            continue
        n = period_series(counted, periods).n
        before, after = int(n[:first_post].sum()), int(n[first_post:].sum())
        if before >= min_n and after >= 1:
            candidates[step_id] = before
    if not candidates:
        return []
    mix = _channel_mix([*changed, *candidates], start, change_date)
    target: dict[str, float] = defaultdict(float)
    for step_id in changed:
        for channel, k in mix.get(step_id, {}).items():
            target[channel] += k
    by_id = {s.pk: s for s in Step.objects.filter(pk__in=list(candidates)).select_related("stage__journey")}
    ranked = []
    for step_id, before in candidates.items():
        step = by_id.get(step_id)
        if step is None:
            continue
        similarity = _cosine(target, mix.get(step_id, {}))
        same = step.stage.journey_id in journeys
        ranked.append((similarity + (SAME_JOURNEY_BONUS if same else 0.0), before, step, similarity, same))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2].pk))
    unit = "answers" if metric.kind == "score" else "items"
    out = []
    for _, before, step, similarity, same in ranked[:limit]:
        reason = "; ".join(part for part in (
            "same journey" if same else "another journey",
            f"channel mix {numbers.percent(100 * similarity)} alike",
            f"{numbers.count(before)} {unit} before")
            if part)
        out.append(ComparisonStep(step.pk, step.name, step.stage.journey.name, reason, before, round(similarity, 3)))
    return out


# ---------------------------------------------------------------- the result


@dataclass
class ImpactResult:
    """The answer to "did this change move this metric?": a verdict, one sentence, details."""

    metric: str
    label: str
    steps: list[Step]
    change_date: dt.date
    as_of: dt.date
    grain: str
    verdict: str
    sentence: str
    assessment: Assessment
    comparison: list[ComparisonStep] = field(default_factory=list)
    topic: str = ""
    channel: str = ""
    segment: str = ""
    scope: str = "steps"  # "steps" | "organization"

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def details(self) -> dict:
        a = self.assessment

        def estimate(e):
            if e is None:
                return None
            return {"value": e.value, "low": e.low, "high": e.high, "p": e.p_value}

        unit = "relative change (−0.30 = 30% fewer)" if a.kind == "volume" else "metric units"
        if self.scope == "organization":
            return self._organization_details(estimate, unit)
        return {
            "method": a.method,
            "grain": self.grain,
            "effect_unit": unit,
            "effect": estimate(a.effect),
            "level_change": estimate(a.level),
            "slope_change_per_period": estimate(a.slope),
            "confidence": 1 - a.alpha,
            "alpha": a.alpha,
            "min_effect": a.min_effect,
            "higher_is_better": a.higher_is_better,
            "before": a.before_value,
            "after": a.after_value,
            "n_before": a.n_before,
            "n_after": a.n_after,
            "periods_before": a.periods_before,
            "periods_after": a.periods_after,
            "comparison_n_before": a.comparison_n_before,
            "comparison_n_after": a.comparison_n_after,
            "comparison_steps": [c.as_dict() for c in self.comparison],
            "newey_west_lags": a.lags or None,
            "degrees_of_freedom": a.df or None,
            "too_early_reason": a.reason or None,
            "rule": (f"win or worse: p < {a.alpha:g} and an effect of at least the minimum; too early: fewer than "
                     f"{MIN_DAYS_AFTER} days after or {MIN_DAYS_BEFORE} days before with data at both the changed "
                     f"and the comparison steps, fewer than {DEFAULT_MIN_N} answers on either side (scores) or "
                     f"{DEFAULT_MIN_N} items before (counts)"),
        }

    def _organization_details(self, estimate, unit) -> dict:
        a = self.assessment
        placebos = len(a.placebo_effects)
        return {
            "method": a.method,
            "scope": "organization",
            "caveat": _ORG_CAVEAT.format(n=placebos or "earlier"),
            "grain": self.grain,
            "effect_unit": unit,
            "effect": estimate(a.effect),
            "level_change": estimate(a.level),
            "slope_change_per_period": estimate(a.slope),
            "confidence": 1 - a.alpha,
            "alpha": a.alpha,
            "min_effect": a.min_effect,
            "higher_is_better": a.higher_is_better,
            "before": a.before_value,
            "after": a.after_value,
            "n_before": a.n_before,
            "n_after": a.n_after,
            "periods_before": a.periods_before,
            "periods_after": a.periods_after,
            "seasonality": a.seasonality or None,
            "placebo_dates": placebos,
            "placebo_effects": list(a.placebo_effects),
            "placebo_share_smaller": a.placebo_share_below,
            "comparison_steps": [],
            "newey_west_lags": a.lags or None,
            "degrees_of_freedom": a.df or None,
            "too_early_reason": a.reason or None,
            "rule": (f"win or worse: p < {a.alpha:g}, an effect of at least the organization-level minimum "
                     f"({a.min_effect:g}, 1.5 × the metric's) and larger than {PLACEBO_QUANTILE:.0%} of the "
                     f"effects at earlier placebo dates; too early: fewer than {MIN_DAYS_AFTER} days after, fewer "
                     f"than {a.need_periods_before} periods before (enough for {MIN_PLACEBOS} placebo dates), "
                     f"fewer than {DEFAULT_MIN_N} answers on either side (scores) or items before (counts)"),
        }

    def as_dict(self) -> dict:
        return {
            "scope": self.scope,
            "metric": self.metric, "label": self.label, "topic": self.topic or None,
            "channel": self.channel or None, "segment": self.segment or None,
            "steps": [{"id": s.pk, "step": s.name, "journey": s.stage.journey.name} for s in self.steps],
            "change_date": self.change_date.isoformat(), "as_of": self.as_of.isoformat(),
            "verdict": self.verdict, "verdict_label": self.verdict_label, "sentence": self.sentence,
            "details": self.details,
        }


_ORG_CAVEAT = ("Measured on the whole organization without a comparison: drift could look like an effect; "
               "we checked {n} placebo dates.")


def _where(steps: Sequence[Step]) -> str:
    if not steps:
        return "the whole organization"
    names = [f"“{s.name}”" for s in steps]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _sentence(result: ImpactResult, grain_days: int) -> str:
    a = result.assessment
    what, where, since = result.label, _where(result.steps), _date(result.change_date)
    unit = "week" if grain_days == 7 else "day"
    if result.scope == "organization" and a.verdict != "too_early":
        return _org_sentence(result, what, since)
    if a.verdict == "too_early":
        weeks_after = (f"only {a.periods_after} {numbers.plural(a.periods_after, unit, unit + 's')}"
                       if a.periods_after else f"no whole {unit}")
        need_after, need_before = MIN_DAYS_AFTER // grain_days, MIN_DAYS_BEFORE // grain_days
        return {
            "after_data": f"Too early: {since} is after the last day of data ({_date(result.as_of)}); "
                          f"{what} at {where} can be measured {MIN_DAYS_AFTER} days after it.",
            "few_periods_after": f"Too early: {weeks_after} with data "
                                 f"after {since}; measuring {what} at {where} needs {need_after} "
                                 f"{numbers.plural(need_after, unit, unit + 's')}.",
            "few_periods_before": f"Cannot measure yet: only {a.periods_before} "
                                  f"{numbers.plural(a.periods_before, unit, unit + 's')} "
                                  f"with data before {since}; measuring {what} at {where} needs "
                                  f"{a.need_periods_before or need_before} "
                                  f"{numbers.plural(a.need_periods_before or need_before, unit, unit + 's')}"
                                  + (" (without a comparison, earlier dates are checked for drift)."
                                     if result.scope == "organization" else "."),
            "few_answers": f"Cannot measure yet: {numbers.count(a.n_before)} answers before and "
                           f"{numbers.count(a.n_after)} after {since} for {what} at {where}; it needs "
                           f"{DEFAULT_MIN_N} on each side.",
            "few_items": f"Cannot measure yet: only {numbers.count(a.n_before)} items of {what} at {where} "
                         f"before {since}; it needs {DEFAULT_MIN_N} to compare with.",
            "no_comparison": f"Cannot measure: no comparable step the change did not touch has enough data for "
                             f"{what} to compare {where} with.",
        }[a.reason]
    e = a.effect
    rose = e.value > 0
    if a.kind == "volume":
        change = f"{'rose' if rose else 'fell'} by {numbers.percent(abs(100 * e.value))}"
        band = f"{numbers.signed(100 * e.low)}% to {numbers.signed(100 * e.high)}%"
        minimum = numbers.percent(100 * a.min_effect)
    else:
        change = f"{'rose' if rose else 'fell'} by {_size(abs(e.value), result.metric)}"
        band = f"{_size(e.low, result.metric, sign=True)} to {_size(e.high, result.metric, sign=True)}"
        minimum = _size(a.min_effect, result.metric)
    if a.verdict == "win":
        return (f"Win: {what} at {where} {change} after {since}, beyond what the comparison steps did "
                f"({band}): a credible improvement.")
    if a.verdict == "worse":
        return (f"Worse: {what} at {where} {change} after {since}, beyond what the comparison steps did "
                f"({band}): a credible regression.")
    if abs(e.low) < a.min_effect and abs(e.high) < a.min_effect:
        return (f"No credible change: {what} at {where} moved no more than the comparison steps after {since} "
                f"({band}), less than the {minimum} that would matter.")
    return (f"No credible change: against the comparison steps, {what} at {where} {change} after {since}, but "
            f"the data cannot tell that from noise ({band}; a change of {minimum} would matter).")


def _org_sentence(result: ImpactResult, what: str, since: str) -> str:
    a = result.assessment
    e = a.effect
    change = _change_text(result, e.value)
    band, minimum = _band(result, e), _minimum(result)
    caveat = _ORG_CAVEAT.format(n=len(a.placebo_effects))
    beaten = round((a.placebo_share_below or 0.0) * len(a.placebo_effects))  # as the rule counts them
    if a.verdict in ("win", "worse"):
        kind = "a credible improvement" if a.verdict == "win" else "a credible regression"
        return (f"{VERDICT_LABELS[a.verdict]}: {what} across the whole organization {change} after {since} "
                f"({band}), more than at {beaten} of {len(a.placebo_effects)} earlier dates checked: {kind}. "
                f"{caveat}")
    if abs(e.low) < a.min_effect and abs(e.high) < a.min_effect:
        why = f"less than the {minimum} that would matter"
    elif (a.placebo_share_below or 0) < PLACEBO_QUANTILE and e.p_value < a.alpha and abs(e.value) >= a.min_effect:
        why = (f"but the series broke as much at {len(a.placebo_effects) - beaten} of "
               f"{len(a.placebo_effects)} earlier dates without a change")
    else:
        why = f"which the data cannot tell from noise (a change of {minimum} would matter)"
    return (f"No credible change: {what} across the whole organization {change} after {since} ({band}), {why}. "
            f"{caveat}")


def _change_text(result: ImpactResult, value: float) -> str:
    direction = "rose" if value > 0 else "fell"
    if result.assessment.kind == "volume":
        return f"{direction} by {numbers.percent(abs(100 * value))}"
    return f"{direction} by {_size(abs(value), result.metric)}"


def _band(result: ImpactResult, e) -> str:
    if result.assessment.kind == "volume":
        return f"{numbers.signed(100 * e.low)}% to {numbers.signed(100 * e.high)}%"
    return f"{_size(e.low, result.metric, sign=True)} to {_size(e.high, result.metric, sign=True)}"


def _minimum(result: ImpactResult) -> str:
    a = result.assessment
    return numbers.percent(100 * a.min_effect) if a.kind == "volume" else _size(a.min_effect, result.metric)


def _size(value: float, metric: str, *, sign: bool = False) -> str:
    """A change in a metric's units; a change in a share is in percentage points."""
    if CATALOGUE[metric].unit == "%":
        text = numbers.fixed(value, CATALOGUE[metric].digits)
        return f"{numbers.with_sign(text) if sign else text} points"
    return format_metric(value, metric, sign=sign)


def measure_impact(steps: Sequence[Step | int] | Step, metric: str, change_date: dt.date, *,
                   as_of: dt.date | None = None, comparison: Sequence[Step | int] | None = None,
                   exclude: Iterable[Step | int] = (), grain: str = "week", topic: str = "", channel: str = "",
                   segment: str = "", min_effect: float | None = None, alpha: float = DEFAULT_ALPHA,
                   before_days: int | None = None, after_days: int = DEFAULT_AFTER_DAYS,
                   scope: str = "steps") -> ImpactResult:
    """Did the change at `steps` on `change_date` move `metric` (an impact metric key or label)?

    `comparison`: the comparison steps (default: chosen, see `choose_comparison`); `exclude`:
    steps the comparison must not use (other changes' steps). `topic`: the words counted by
    the ``mentions`` metric. `as_of` defaults to the clock's data-through day. Bad input
    raises InvalidInput naming the field; too little data is the verdict ``too_early`` with
    its reason.

    `scope="organization"` (with no steps) measures the whole organization's series without a
    comparison (`analytics.impact_org`); steps that are every step of the organization are
    measured so too. `before_days` defaults to 182 (steps) or 371 (organization)."""
    if isinstance(steps, Step | int):
        steps = [steps]
    if scope not in SCOPES:
        raise InvalidInput({"scope": f"Choose {' or '.join(SCOPES)}."})
    step_ids = [s.pk if isinstance(s, Step) else int(s) for s in (steps or [])]
    if scope == "organization" and step_ids:
        raise InvalidInput({"scope": "An organization-wide measurement names no steps."})
    found = {s.pk: s for s in Step.objects.filter(pk__in=step_ids).select_related("stage__journey")}
    if scope == "steps" and (not step_ids or len(found) != len(set(step_ids))):
        raise InvalidInput({"steps": "Name at least one existing step."})
    changed = [found[i] for i in dict.fromkeys(step_ids)]
    if scope == "steps" and comparison is None and set(found) >= set(Step.objects.values_list("pk", flat=True)):
        scope, changed = "organization", []  # every step: nothing left to compare with
    key = impact_metric(metric)
    m = IMPACT_METRICS[key]
    topic = (topic or "").strip()
    if key == "mentions" and not topic:
        raise InvalidInput({"topic": "Say which words to count (e.g. “login”) for mentions."})
    if grain not in GRAINS:
        raise InvalidInput({"grain": f"Choose {' or '.join(GRAINS)}."})
    if not isinstance(change_date, dt.date):
        raise InvalidInput({"change_date": "Give the date of the change (YYYY-MM-DD)."})
    if min_effect is not None and min_effect < 0:
        raise InvalidInput({"min_effect": "The minimum effect cannot be negative."})
    grain_days = GRAINS[grain]
    if before_days is None:
        before_days = ORG_BEFORE_DAYS if scope == "organization" else DEFAULT_BEFORE_DAYS
    as_of = as_of or clock.as_of()
    before = max(1, before_days // grain_days)
    start = change_date - dt.timedelta(days=before * grain_days)
    full_after = max(0, ((as_of - change_date).days + 1) // grain_days)
    after = min(full_after, max(0, after_days // grain_days))
    length = before + after
    end = change_date + dt.timedelta(days=after * grain_days - 1)
    first_post = before
    read_end = max(end, start)

    daily = _daily_sums(None, start, read_end, channel=channel, segment=segment)
    per_step = {step_id: _bucket(days, start, grain_days, length) for step_id, days in daily.items()}
    if scope == "organization":
        return _measure_organization(key, m, per_step, change_date, as_of, start, read_end, length, first_post,
                                     grain, topic=topic, channel=channel, segment=segment, min_effect=min_effect,
                                     alpha=alpha)
    treated = _combined((per_step.get(s.pk, [{} for _ in range(length)]) for s in changed), length)
    if key == "mentions":
        counts = _mention_counts([s.pk for s in changed], topic, start, read_end, channel=channel, segment=segment)
        mentions = _bucket({d: {"mentions": float(k)} for d, k in counts.items()}, start, grain_days, length)
        for periods, extra in zip(treated, mentions, strict=True):
            periods["mentions"] = extra.get("mentions", 0.0)

    exclude_ids = [s.pk if isinstance(s, Step) else int(s) for s in exclude]
    if comparison is not None:
        ids = [s.pk if isinstance(s, Step) else int(s) for s in comparison]
        chosen_steps = {s.pk: s for s in Step.objects.filter(pk__in=ids).select_related("stage__journey")}
        if len(chosen_steps) != len(set(ids)) or set(ids) & set(found):
            raise InvalidInput({"comparison": "Comparison steps must exist and must not be the changed steps."})
        counted = m if key != "mentions" else IMPACT_METRICS["volume"]
        chosen = []
        for i in dict.fromkeys(ids):
            n = period_series(counted, per_step.get(i, [{} for _ in range(length)])).n
            chosen.append(ComparisonStep(i, chosen_steps[i].name, chosen_steps[i].stage.journey.name,
                                         "chosen by the caller", int(n[:first_post].sum())))
    else:
        chosen = choose_comparison(changed, m, per_step, first_post, start=start, change_date=change_date,
                                   exclude=exclude_ids)
    comparison_series = {c.step_id: per_step.get(c.step_id, [{} for _ in range(length)]) for c in chosen}
    if change_date > as_of:
        first_post = length  # nothing after the change yet
    assessment = assess_change(m, treated, comparison_series, first_post, grain_days=grain_days, alpha=alpha,
                               min_effect=min_effect, comparison_totals=key == "mentions")
    if assessment.reason == "after_data" and change_date <= as_of:  # data after it, not a whole period yet
        assessment = dataclasses.replace(assessment, reason="few_periods_after", periods_after=0)
    set_aside = {key_: (effect, p) for key_, effect, p in assessment.comparison_set_aside}
    if set_aside:
        chosen = [ComparisonStep(c.step_id, c.name, c.journey, c.reason, c.n_before, c.similarity,
                                 _set_aside_reason(m, *set_aside[c.step_id])) if c.step_id in set_aside else c
                  for c in chosen]
    result = ImpactResult(key, metric_label(key, topic), changed, change_date, as_of, grain, assessment.verdict, "",
                          assessment, chosen, topic, channel, segment)
    result.sentence = _sentence(result, grain_days)
    return result


def _measure_organization(key: str, m: ImpactMetric, per_step: dict[int, list[dict]], change_date: dt.date,
                          as_of: dt.date, start: dt.date, read_end: dt.date, length: int, first_post: int, grain: str,
                          *, topic: str, channel: str, segment: str, min_effect: float | None,
                          alpha: float) -> ImpactResult:
    """The whole organization's series (every step, unrouted feedback too), judged without a
    comparison by `assess_organization`."""
    grain_days = GRAINS[grain]
    series = _combined(per_step.values(), length)
    if key == "mentions":
        counts = _mention_counts(None, topic, start, read_end, channel=channel, segment=segment)
        mentions = _bucket({d: {"mentions": float(k)} for d, k in counts.items()}, start, grain_days, length)
        for periods, extra in zip(series, mentions, strict=True):
            periods["mentions"] = extra.get("mentions", 0.0)
    # Periods before the organization's first feedback are not zeros: they are left out.
    first = min(next((i for i, p in enumerate(series) if p.get("n", 0) > 0), length), first_post)
    series = series[first:]
    post = first_post - first if change_date <= as_of else len(series)
    days = [(start + dt.timedelta(days=(first + i) * grain_days)).toordinal() for i in range(len(series))]
    assessment = assess_organization(m, series, post, grain_days=grain_days, period_days=days, alpha=alpha,
                                     min_effect=min_effect)
    if assessment.reason == "after_data" and change_date <= as_of:
        assessment = dataclasses.replace(assessment, reason="few_periods_after", periods_after=0)
    result = ImpactResult(key, metric_label(key, topic), [], change_date, as_of, grain, assessment.verdict, "",
                          assessment, [], topic, channel, segment, scope="organization")
    result.sentence = _sentence(result, grain_days)
    return result


def _set_aside_reason(m: ImpactMetric, effect: float, p: float) -> str:
    size = f"{numbers.signed(100 * effect)}%" if m.kind == "volume" else _size(effect, m.key, sign=True)
    return f"set aside: it moved itself on the change date against the other comparison steps ({size}, " \
           f"{numbers.pvalue(p, name='p')})"
