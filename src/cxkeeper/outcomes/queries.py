"""Reads of outcomes: metric values at a scope, target status, KPI series, tensions, the
alignment map, team scorecards and the organization view.

Every figure comes from the insight engine's rollups (`insights.queries`), never from raw
feedback; the statistics live in `status` (targets) and `tensions` (KPI vs shared measure).
Pages, the API and the reports read through here, so they always agree.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, Sum
from django.shortcuts import get_object_or_404

from cxkeeper.core import figures, numbers
from cxkeeper.core.models import ChangeRecord
from cxkeeper.insights import clock
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.analytics.stats import (
    DEFAULT_MIN_N,
    MeanSums,
    MetricValue,
    NpsCounts,
    Proportion,
    adjust_comparisons,
    compare_nps,
    compare_proportions,
    welch_t,
)
from cxkeeper.journeys.choices import ResponsibilityRole
from cxkeeper.journeys.models import Journey, Responsibility, Stage, Step
from cxkeeper.org.models import Team, Workspace
from cxkeeper.outcomes.choices import KpiSource, LinkKind, Scope, Status
from cxkeeper.outcomes.models import (
    BASE_METRICS,
    KpiLink,
    MetricDefinition,
    SharedOutcome,
    SuccessStatement,
    Target,
    TeamKpi,
)

TREND_MONTHS = 12
# The smallest worsening of a shared measure over the compared months that counts as a
# tension: below these a KPI "in tension" would be a statistical curiosity, not a problem.
MIN_TENSION_EFFECT = {
    "nps": 3.0, "csat": 2.0, "ces": 0.1, "ces_easy": 2.0, "sentiment": 0.03, "negative_share": 2.0,
    "churn_rate": 1.0, "retention_rate": 1.0, "complaint_share": 1.0, "volume": 0.0,
}
MIN_TENSION_MONTHS = 6


def default_as_of() -> dt.date:
    """The day figures are computed as of: the clock's data-through day (`insights.clock`: the
    last day with a real day's feedback, so an export that stopped a month ago is judged on its
    own last months and a few late-dated rows move nothing), else today before any feedback.
    Every read here, and the insight pages, use the same clock, so pages, API, CLI and reports
    agree."""
    return clock.as_of()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- metric values at a scope


def outcome_by_id(pk: int) -> SharedOutcome:
    return get_object_or_404(SharedOutcome, pk=pk)


def metric_by_id(pk: int) -> MetricDefinition:
    return get_object_or_404(MetricDefinition, pk=pk)


def target_by_id(pk: int) -> Target:
    return get_object_or_404(Target.objects.select_related("metric", "outcome", "journey", "stage", "step"), pk=pk)


def kpi_by_id(pk: int) -> TeamKpi:
    return get_object_or_404(TeamKpi.objects.select_related("team", "metric"), pk=pk)


def target_steps(target: Target) -> list[int] | None:
    """Step ids a target measures; None is the whole organization (unrouted feedback included)."""
    if target.scope == Scope.JOURNEY and target.journey_id:
        return list(Step.objects.filter(stage__journey_id=target.journey_id).values_list("pk", flat=True))
    if target.scope == Scope.STAGE and target.stage_id:
        return list(Step.objects.filter(stage_id=target.stage_id).values_list("pk", flat=True))
    if target.scope == Scope.STEP and target.step_id:
        return [target.step_id]
    return None


def _cells(metric: MetricDefinition, steps, start: dt.date, end: dt.date):
    return insight_queries.rollups(start=start, end=end, steps=steps, channel=metric.channel, segment=metric.segment)


def metric_value(metric: MetricDefinition, steps, start: dt.date, end: dt.date,
                 *, min_n: int = DEFAULT_MIN_N) -> MetricValue:
    if steps is not None and not steps:
        return MetricValue.too_few(0)
    return insight_queries.total(_cells(metric, steps, start, end), min_n=min_n).value(metric.base)


def metric_sums(metric: MetricDefinition, steps, start: dt.date, end: dt.date) -> dict:
    if steps is not None and not steps:
        return {}
    return insight_queries.total(_cells(metric, steps, start, end)).sums


def _monthly_sums(steps, channel: str, segment: str, start: dt.date, end: dt.date) -> dict[dt.date, dict]:
    """Rollup sums per calendar month: the database sums per day (no per-row date function,
    which SQLite would call in Python for every cell), the months are folded here."""
    from cxkeeper.insights.analytics.rollups import SUM_COLUMNS

    cells = insight_queries.rollups(start=start, end=end, steps=steps, channel=channel, segment=segment)
    months: dict[dt.date, dict] = {}
    sums = {column: Sum(column) for column in SUM_COLUMNS}
    for row in cells.values("day").annotate(**sums).order_by():
        day = row["day"] if isinstance(row["day"], dt.date) else dt.date.fromisoformat(str(row["day"])[:10])
        bucket = months.setdefault(month_start(day), dict.fromkeys(SUM_COLUMNS, 0))
        for column in SUM_COLUMNS:
            bucket[column] += row[column] or 0
    return months


def monthly_values(metric: MetricDefinition, steps, *, end: dt.date, months: int = TREND_MONTHS,
                   min_n: int = DEFAULT_MIN_N, memo: dict | None = None) -> list[tuple[dt.date, MetricValue]]:
    """One value per calendar month, oldest first, the last being `end`'s (partial) month;
    months without feedback are present with n = 0, so gaps are visible. `memo` shares the
    monthly sums between metrics that read the same cells (same steps and filters)."""
    start = months_back(end, months - 1)
    sums: dict[dt.date, dict] = {}
    if steps is None or steps:
        key = (None if steps is None else tuple(sorted(steps)), metric.channel, metric.segment, start, end)
        if memo is not None and key in memo:
            sums = memo[key]
        else:
            # Kept per change of the feedback: the reports and the sponsor summary read the same
            # months on every request (two reads were half of the organization export's 55 ms).
            sums = figures.figure("outcomes.monthly_sums", key,
                                  lambda: _monthly_sums(steps, metric.channel, metric.segment, start, end),
                                  depends=(figures.FEEDBACK,))
            if memo is not None:
                memo[key] = sums
    series = []
    for i in range(months - 1, -1, -1):
        month = months_back(end, i)
        if month in sums:
            series.append((month, insight_queries._figure(month, sums[month], min_n=min_n).value(metric.base)))
        else:
            series.append((month, MetricValue.too_few(0)))
    return series


def current_value(target: Target, *, as_of: dt.date | None = None) -> MetricValue:
    as_of = as_of or default_as_of()
    start = as_of - dt.timedelta(days=target.window_days - 1)
    return metric_value(target.metric, target_steps(target), start, as_of)


# ---------------------------------------------------------------- target status


@dataclass
class TargetView:
    target: Target
    assessment: object  # status.TargetAssessment
    monthly: list[tuple[dt.date, MetricValue]]
    as_of: dt.date | None = None
    #: the clock's data-through day when it was read to assess this (None: no feedback yet);
    #: `clock.UNREAD` when the as-of day was given
    data_through: object = clock.UNREAD

    @property
    def period(self) -> clock.Period:
        """The days of the current value: the target's window ending on the as-of day."""
        return clock.period(self.target.window_days, end=self.as_of)

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def status_label(self) -> str:
        return Status(self.assessment.status).label


def assess(target: Target, *, as_of: dt.date | None = None, memo: dict | None = None) -> TargetView:
    """The target's status, current value and monthly trend as of `as_of` (default: the clock's
    data-through day): computed once per change of the data (`core.figures`)."""
    through = clock.UNREAD
    if as_of is None:
        through = clock.data_through()
        as_of = through or default_as_of()
    view = figures.figure("outcomes.assess", (target, target.version, as_of),
                          lambda: _assess(target, as_of=as_of, memo=memo))
    view = copy.copy(view)  # the stored figure is shared (core.figures): the caller's own data-through on a copy
    view.data_through = through
    return view


def _assess(target: Target, *, as_of: dt.date, memo: dict | None) -> TargetView:
    from cxkeeper.outcomes.status import assess_target

    steps = target_steps(target)
    current = current_value(target, as_of=as_of)
    monthly = monthly_values(target.metric, steps, end=as_of, memo=memo)
    assessment = assess_target(
        current=current, monthly=monthly, target=target.value, higher_is_better=target.metric.higher_is_better,
        due=target.due, as_of=as_of, metric_label=f"{target.metric.name} at {target.scope_label}",
        unit=target.metric.unit, baseline=target.baseline, scale=target.metric.scale_bounds,
        digits=target.metric.digits,
    )
    return TargetView(target, assessment, monthly, as_of)


def targets_in_scope(*, steps: set[int] | None = None, outcome: SharedOutcome | None = None):
    targets = Target.objects.select_related("metric", "outcome", "journey", "stage", "step", "stage__journey",
                                            "step__stage__journey")
    if outcome is not None:
        targets = targets.filter(outcome=outcome)
    if steps is not None:
        stage_ids = set(Step.objects.filter(pk__in=steps).values_list("stage_id", flat=True))
        journey_ids = set(Step.objects.filter(pk__in=steps).values_list("stage__journey_id", flat=True))
        targets = targets.filter(Q(scope=Scope.ORGANIZATION) | Q(step_id__in=steps) | Q(stage_id__in=stage_ids)
                                 | Q(journey_id__in=journey_ids))
    return targets


# ---------------------------------------------------------------- KPIs


def team_step_ids(team: Team, roles=(ResponsibilityRole.OWNS,)) -> list[int]:
    return list(Responsibility.objects.filter(team=team, role__in=roles).values_list("step_id", flat=True).distinct())


def kpi_series(kpi: TeamKpi, *, end: dt.date | None = None, months: int = TREND_MONTHS) -> list[tuple[dt.date, float]]:
    """The KPI's values, oldest first: stored values, or a cxkeeper metric's monthly values at
    the steps the team owns (months below the minimum n are left out, not guessed). Computed
    once per change of the data (`core.figures`)."""
    end = end or default_as_of()
    return figures.figure("outcomes.kpi_series", (kpi, kpi.version, end, months),
                          lambda: _kpi_series(kpi, end=end, months=months))


def _kpi_series(kpi: TeamKpi, *, end: dt.date, months: int) -> list[tuple[dt.date, float]]:
    if kpi.source == KpiSource.METRIC and kpi.metric_id:
        steps = team_step_ids(kpi.team) or team_step_ids(kpi.team, (ResponsibilityRole.OWNS,
                                                                    ResponsibilityRole.CONTRIBUTES))
        return [(month, value.value) for month, value in monthly_values(kpi.metric, steps, end=end, months=months)
                if value.enough and value.value is not None]
    start = months_back(end, months - 1)
    return list(kpi.values.filter(period__gte=start, period__lte=end).values_list("period", "value"))


@dataclass
class KpiView:
    kpi: TeamKpi
    series: list[tuple[dt.date, float]]
    links: list[KpiLink]
    tensions: list = field(default_factory=list)  # found TensionFinding for this KPI

    @property
    def latest(self):
        return self.series[-1] if self.series else None

    @property
    def previous(self):
        return self.series[-2] if len(self.series) > 1 else None

    @property
    def change(self) -> float | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest[1] - self.previous[1]

    @property
    def improving(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == self.kpi.higher_is_better


# ---------------------------------------------------------------- tensions


@dataclass
class TensionFinding:
    kpi: TeamKpi
    metric: MetricDefinition
    outcomes: list[SharedOutcome]
    declared: KpiLink | None
    test: object  # tensions.TensionTest
    steps: list[int]

    @property
    def found(self) -> bool:
        return self.test.found


def shared_metrics() -> list[tuple[MetricDefinition, list[SharedOutcome]]]:
    """Every metric that measures a shared outcome, with the outcomes it measures."""
    by_metric: dict[int, tuple[MetricDefinition, list]] = {}
    for outcome in SharedOutcome.objects.prefetch_related("metrics"):
        for metric in outcome.metrics.all():
            by_metric.setdefault(metric.pk, (metric, []))[1].append(outcome)
    return sorted(by_metric.values(), key=lambda pair: pair[0].name)


def tension_findings(*, as_of: dt.date | None = None, team: Team | None = None,
                     months: int = TREND_MONTHS, memo: dict | None = None) -> list[TensionFinding]:
    """Test every team KPI against every shared measure at the steps that team owns, over the
    same months, corrected for the number of comparisons (`tensions.detect_tensions`).

    Returns every comparison made (found or not), so pages can show the evidence either way.
    Computed once per change of the data (`core.figures`), for every team at once."""
    as_of = as_of or default_as_of()
    findings = figures.figure("outcomes.tensions", (as_of, months),
                              lambda: _tension_findings(as_of=as_of, months=months, memo=memo))
    if team is not None:
        findings = [f for f in findings if f.kpi.team_id == team.pk]
    return findings


def _tension_findings(*, as_of: dt.date, months: int, memo: dict | None) -> list[TensionFinding]:
    from cxkeeper.outcomes.tensions import detect_tensions, test_tension

    metrics = shared_metrics()
    kpis = TeamKpi.objects.select_related("team", "metric").prefetch_related(
        Prefetch("links", queryset=KpiLink.objects.select_related("outcome")))
    findings: list[TensionFinding] = []
    memo = {} if memo is None else memo
    for kpi in kpis:
        steps = team_step_ids(kpi.team)
        series = kpi_series(kpi, end=as_of, months=months)
        if not steps:
            continue
        links = {link.outcome_id: link for link in kpi.links.all()}
        for metric, outcomes in metrics:
            if kpi.metric_id == metric.pk:
                continue  # a KPI is not in tension with itself
            measure = monthly_values(metric, steps, end=as_of, months=months, memo=memo)
            test = test_tension(
                kpi_name=f"{kpi.name} ({kpi.team.name})", kpi=series, kpi_higher_is_better=kpi.higher_is_better,
                measure_name=f"{metric.name} at {kpi.team.name}'s steps", measure=measure,
                measure_higher_is_better=metric.higher_is_better, min_periods=MIN_TENSION_MONTHS,
                min_effect=MIN_TENSION_EFFECT.get(metric.base, 0.0), kpi_unit=_unit(kpi.unit),
                measure_unit=metric.unit,
            )
            declared = next((links[o.pk] for o in outcomes if o.pk in links and links[o.pk].kind == LinkKind.TENSION),
                            None)
            findings.append(TensionFinding(kpi, metric, outcomes, declared, test, steps))
    tested = detect_tensions([f.test for f in findings])
    for finding, result in zip(findings, tested, strict=True):
        finding.test = result
    return findings


def _unit(unit: str) -> str:
    """Units read after a number: "%" sticks to it, words get a space ("3.3 minutes")."""
    return unit if not unit or unit.startswith("%") else f" {unit}"


# ---------------------------------------------------------------- alignment map


@dataclass
class AlignmentNode:
    id: str
    kind: str  # north_star | outcome | metric | target | kpi
    label: str
    url: str
    detail: str = ""
    status: str = ""
    plain: str = ""  # a target's status in everyday words (its `detail` holds the statistics)


@dataclass
class AlignmentEdge:
    source: str
    target: str
    kind: str  # measures | targets | supports | tension | found_tension


@dataclass
class Alignment:
    mission: str
    columns: list[tuple[str, list[AlignmentNode]]]
    edges: list[AlignmentEdge]
    findings: list[TensionFinding]


def alignment(*, as_of: dt.date | None = None) -> Alignment:
    """North Star → shared outcomes → metrics and targets → team KPIs; declared links and
    tensions found in the data (the latter highlighted even when nobody declared them).
    Computed once per change of the data (`core.figures`)."""
    as_of = as_of or default_as_of()
    return figures.figure("outcomes.alignment", (as_of,), lambda: _alignment(as_of=as_of))


def _alignment(*, as_of: dt.date) -> Alignment:
    from django.urls import reverse

    memo: dict = {}  # monthly sums shared by targets and tension tests reading the same cells
    workspace = Workspace.current()
    outcomes = list(SharedOutcome.objects.prefetch_related("metrics"))
    north = AlignmentNode("north", "north_star", workspace.mission or workspace.name, reverse("outcomes:language"))
    outcome_nodes = [AlignmentNode(f"o{o.pk}", "outcome", o.name, o.get_absolute_url(), o.description)
                     for o in outcomes]
    metric_ids, metric_nodes = set(), []
    edges = [AlignmentEdge("north", f"o{o.pk}", "measures") for o in outcomes]
    for outcome in outcomes:
        for metric in outcome.metrics.all():
            if metric.pk not in metric_ids:
                metric_ids.add(metric.pk)
                metric_nodes.append(AlignmentNode(f"m{metric.pk}", "metric", metric.name, metric.get_absolute_url(),
                                                  metric.description))
            edges.append(AlignmentEdge(f"o{outcome.pk}", f"m{metric.pk}", "measures"))
    target_nodes = []
    for target in Target.objects.select_related("metric", "outcome", "journey", "stage", "step"):
        view = assess(target, as_of=as_of, memo=memo)
        target_nodes.append(AlignmentNode(
            f"t{target.pk}", "target",
            f"{target.metric.name} {target.comparator} {numbers.plain(target.value)} by {target.due:%b %Y}",
            target.get_absolute_url(), f"{target.scope_label}: {view.assessment.explanation}", view.status,
            f"{target.scope_label}: {view.assessment.plain}"))
        if target.metric_id in metric_ids:
            edges.append(AlignmentEdge(f"m{target.metric_id}", f"t{target.pk}", "targets"))
        else:
            edges.append(AlignmentEdge(f"o{target.outcome_id}", f"t{target.pk}", "targets"))
    findings = tension_findings(as_of=as_of, memo=memo)
    found_pairs = {(f.kpi.pk, f.metric.pk) for f in findings if f.found}
    kpi_nodes = []
    for kpi in TeamKpi.objects.select_related("team").prefetch_related("links"):
        found = any(k == kpi.pk for k, _ in found_pairs)
        kpi_nodes.append(AlignmentNode(f"k{kpi.pk}", "kpi", f"{kpi.name} ({kpi.team.name})", kpi.get_absolute_url(),
                                       f"{kpi.get_direction_display()}, {kpi.unit}", "tension" if found else ""))
        for link in kpi.links.all():
            edges.append(AlignmentEdge(f"o{link.outcome_id}", f"k{kpi.pk}", link.kind))
    for kpi_id, metric_id in sorted(found_pairs):
        edges.append(AlignmentEdge(f"m{metric_id}", f"k{kpi_id}", "found_tension"))
    columns = [("North Star", [north]), ("Shared outcomes", outcome_nodes), ("Metrics", metric_nodes),
               ("Targets", target_nodes), ("Team KPIs", kpi_nodes)]
    return Alignment(workspace.mission, columns, edges, findings)


# ---------------------------------------------------------------- scorecards

HEADLINE_METRICS = ("nps", "ces", "csat", "complaint_share")


@dataclass
class Change:
    """This period against the previous one, tested (BH-corrected within the scorecard)."""

    metric: str
    current: MetricValue
    previous: MetricValue
    comparison: object | None  # stats.Comparison

    @property
    def difference(self) -> float | None:
        if not (self.current.enough and self.previous.enough):
            return None
        return self.current.value - self.previous.value

    @property
    def significant(self) -> bool:
        return bool(self.comparison is not None and self.comparison.significant)

    @property
    def better(self) -> bool | None:
        direction = BASE_METRICS[self.metric][2]
        if self.difference is None or not self.significant or direction is None:
            return None
        return (self.difference > 0) == (direction == "up")


def _compare(metric: str, previous: dict, current: dict):
    g = lambda sums, name: sums.get(name) or 0  # noqa: E731
    if metric == "nps":
        def counts(sums):
            return NpsCounts(int(g(sums, "promoters")), int(g(sums, "detractors")), int(g(sums, "nps_n")))

        return compare_nps(counts(previous), counts(current))
    if metric == "csat":
        return compare_proportions(Proportion(int(g(previous, "csat_top")), int(g(previous, "csat_n"))),
                                   Proportion(int(g(current, "csat_top")), int(g(current, "csat_n"))))
    if metric == "ces":
        return welch_t(MeanSums(int(g(previous, "ces_n")), g(previous, "ces_sum"), g(previous, "ces_sumsq")),
                       MeanSums(int(g(current, "ces_n")), g(current, "ces_sum"), g(current, "ces_sumsq")))
    if metric == "complaint_share":
        return compare_proportions(Proportion(int(g(previous, "complaint_n")), int(g(previous, "n"))),
                                   Proportion(int(g(current, "complaint_n")), int(g(current, "n"))))
    return None


@dataclass
class StepLine:
    step: Step
    role: str
    n: int
    changes: dict[str, Change]
    targets: list[TargetView]


@dataclass
class Period:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int


def period_ending(as_of: dt.date, days: int) -> Period:
    start = as_of - dt.timedelta(days=days - 1)
    previous_end = start - dt.timedelta(days=1)
    return Period(start, as_of, previous_end - dt.timedelta(days=days - 1), previous_end, days)


def _changes(previous_sums: dict, current_sums: dict) -> dict[str, Change]:
    from cxkeeper.insights.analytics.stats import metrics_from_sums

    previous = metrics_from_sums(previous_sums)
    current = metrics_from_sums(current_sums)
    return {m: Change(m, current[m], previous[m], _compare(m, previous_sums, current_sums)) for m in HEADLINE_METRICS}


def _sums_by_step(steps: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    if not steps:
        return {}
    cells = insight_queries.rollups(start=start, end=end, steps=steps)
    return {f.key: f.sums for f in insight_queries.by_step(cells).values()}


def _correct(changes: list[Change]) -> None:
    """Benjamini–Hochberg across every period-over-period test on one page."""
    tested = [c for c in changes if c.comparison is not None and c.comparison.enough]
    for change, adjusted in zip(tested, adjust_comparisons([c.comparison for c in tested]), strict=True):
        change.comparison = adjusted


@dataclass
class Scorecard:
    team: Team
    as_of: dt.date
    period: Period
    totals: dict[str, Change]
    steps: list[StepLine]
    targets: list[TargetView]
    kpis: list[KpiView]
    tensions: list[TensionFinding]
    friction: list
    handoffs: list

    @property
    def owned(self) -> list[StepLine]:
        return [s for s in self.steps if s.role == ResponsibilityRole.OWNS]

    @property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.values, 0)
        for view in self.targets:
            counts[view.status] += 1
        return counts


def team_by_slug(slug: str) -> Team:
    return get_object_or_404(Team, slug=slug)


def team_named(name: str) -> Team:
    team = Team.objects.filter(Q(name__iexact=name) | Q(slug=name)).first()
    if team is None:
        names = ", ".join(Team.objects.values_list("name", flat=True)[:30])
        raise Team.DoesNotExist(f"No team named “{name}”. Teams: {names}.")
    return team


def scorecard(team: Team, *, as_of: dt.date | None = None, period_days: int = 90,
              with_friction: bool = True) -> Scorecard:
    """The team's scorecard over the `period_days` ending on `as_of`: computed once per change
    of the data (`core.figures`)."""
    as_of = as_of or default_as_of()
    return figures.figure("outcomes.scorecard", (team, as_of, period_days, with_friction),
                          lambda: _scorecard(team, as_of=as_of, period_days=period_days, with_friction=with_friction))


def _scorecard(team: Team, *, as_of: dt.date, period_days: int, with_friction: bool) -> Scorecard:
    period = period_ending(as_of, period_days)
    memo: dict = {}
    links = list(Responsibility.objects.filter(team=team, role__in=[ResponsibilityRole.OWNS,
                                                                    ResponsibilityRole.CONTRIBUTES])
                 .select_related("step", "step__stage", "step__stage__journey")
                 .order_by("step__stage__journey__name", "step__stage__position", "step__position"))
    step_ids = [r.step_id for r in links]
    current = _sums_by_step(step_ids, period.start, period.end)
    previous = _sums_by_step(step_ids, period.previous_start, period.previous_end)
    totals = _changes(_add(previous.values()), _add(current.values()))
    targets = [assess(t, as_of=as_of, memo=memo) for t in targets_in_scope(steps=set(step_ids))]
    by_step: dict[int, list[TargetView]] = defaultdict(list)
    for view in targets:
        if view.target.step_id:
            by_step[view.target.step_id].append(view)
    lines = []
    for r in links:
        sums_now = current.get(r.step_id, {})
        lines.append(StepLine(r.step, r.role, int(sums_now.get("n", 0) or 0),
                              _changes(previous.get(r.step_id, {}), sums_now), by_step.get(r.step_id, [])))
    _correct([c for line in lines for c in line.changes.values()] + list(totals.values()))
    findings = tension_findings(as_of=as_of, team=team, memo=memo)
    kpis = []
    for kpi in team.kpis.select_related("metric").prefetch_related(
            Prefetch("links", queryset=KpiLink.objects.select_related("outcome"))):
        kpis.append(KpiView(kpi, kpi_series(kpi, end=as_of), list(kpi.links.all()),
                            [f for f in findings if f.kpi.pk == kpi.pk and f.found]))
    friction = []
    if with_friction:
        owned = set(step_ids)
        friction = [s for s in insight_queries.friction_signals(None, with_themes=False)["signals"]
                    if s.step is not None and s.step.pk in owned]
    from cxkeeper.journeys.queries import team_handoffs

    return Scorecard(team, as_of, period, totals, lines, targets, kpis, [f for f in findings if f.found],
                     friction, team_handoffs(team))


def _add(rows) -> dict:
    from cxkeeper.insights.analytics.rollups import SUM_COLUMNS

    total = dict.fromkeys(SUM_COLUMNS, 0)
    for sums in rows:
        for column in SUM_COLUMNS:
            total[column] += sums.get(column) or 0
    return total


# ---------------------------------------------------------------- organization view


@dataclass
class OutcomeView:
    outcome: SharedOutcome
    targets: list[TargetView]
    statements: list[SuccessStatement]
    kpi_links: list[KpiLink]


@dataclass
class WorstStep:
    step: Step
    metric: str
    value: MetricValue
    owners: list[Team]


@dataclass
class OrgView:
    as_of: dt.date
    mission: str
    outcomes: list[OutcomeView]
    coverage: object
    stale_journeys: list[Journey]
    worst_steps: list[WorstStep]
    tensions: list[TensionFinding]

    @property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.values, 0)
        for outcome in self.outcomes:
            for view in outcome.targets:
                counts[view.status] += 1
        return counts


def outcome_views(*, as_of: dt.date, memo: dict | None = None) -> list[OutcomeView]:
    """Every shared outcome with its targets assessed: computed once per change of the data."""
    return figures.figure("outcomes.outcome_views", (as_of,), lambda: _outcome_views(as_of=as_of, memo=memo))


def _outcome_views(*, as_of: dt.date, memo: dict | None) -> list[OutcomeView]:
    views = []
    for outcome in SharedOutcome.objects.prefetch_related(
            "metrics",
            Prefetch("statements", queryset=SuccessStatement.objects.select_related("target", "target__metric")),
            Prefetch("kpi_links", queryset=KpiLink.objects.select_related("kpi", "kpi__team"))):
        targets = [assess(t, as_of=as_of, memo=memo) for t in targets_in_scope(outcome=outcome)]
        views.append(OutcomeView(outcome, targets, list(outcome.statements.all()), list(outcome.kpi_links.all())))
    return views


def worst_steps(*, start: dt.date, end: dt.date, metric: str = "ces", limit: int = 5) -> list[WorstStep]:
    """The steps with the worst value of `metric` among those with enough responses, and
    their owners: where the sponsor should look first."""
    figures = insight_queries.by_step(insight_queries.rollups(start=start, end=end))
    direction = BASE_METRICS[metric][2]
    scored = [(f.key, f.value(metric)) for f in figures.values() if f.key and f.value(metric).enough]
    scored.sort(key=lambda item: item[1].value if direction == "up" else -item[1].value)
    chosen = scored[:limit]
    steps = {s.pk: s for s in Step.objects.filter(pk__in=[k for k, _ in chosen]).select_related("stage__journey")}
    owners: dict[int, list[Team]] = defaultdict(list)
    for r in Responsibility.objects.filter(step_id__in=steps, role=ResponsibilityRole.OWNS).select_related("team"):
        owners[r.step_id].append(r.team)
    return [WorstStep(steps[k], metric, v, owners.get(k, [])) for k, v in chosen if k in steps]


def org_view(*, as_of: dt.date | None = None, period_days: int = 90, worst_metric: str = "ces") -> OrgView:
    """The organization view for the executive sponsor: computed once per change of the data
    (`core.figures`), except the journeys overdue for review, which depend on the hour."""
    from cxkeeper.journeys.queries import overdue_journeys

    as_of = as_of or default_as_of()
    view = figures.figure("outcomes.org_view", (as_of, period_days, worst_metric),
                          lambda: _org_view(as_of=as_of, period_days=period_days, worst_metric=worst_metric))
    view.stale_journeys = overdue_journeys()
    return view


def _org_view(*, as_of: dt.date, period_days: int, worst_metric: str) -> OrgView:
    from cxkeeper.journeys.queries import coverage_report

    period = period_ending(as_of, period_days)
    memo: dict = {}
    return OrgView(as_of, Workspace.current().mission, outcome_views(as_of=as_of, memo=memo), coverage_report(),
                   [], worst_steps(start=period.start, end=period.end, metric=worst_metric),
                   [f for f in tension_findings(as_of=as_of, memo=memo) if f.found])


# ---------------------------------------------------------------- the universal CX language


def mission_history(limit: int = 50) -> list[ChangeRecord]:
    """Every change of the mission statement: who, when, from what to what."""
    from django.contrib.contenttypes.models import ContentType

    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Workspace)) \
        .select_related("actor").order_by("-at", "-id")
    changed = []
    for record in records:
        before, after = (record.before or {}).get("mission"), (record.after or {}).get("mission")
        if before != after:
            changed.append(record)
        if len(changed) >= limit:
            break
    return changed


def success_statements() -> list[SuccessStatement]:
    return list(SuccessStatement.objects.select_related("outcome", "target", "target__metric", "target__journey",
                                                        "target__stage", "target__step"))


def all_kpis(team: Team | None = None):
    kpis = TeamKpi.objects.select_related("team", "metric").prefetch_related(
        Prefetch("links", queryset=KpiLink.objects.select_related("outcome")))
    return kpis.filter(team=team) if team is not None else kpis


def all_target_views(*, as_of: dt.date | None = None) -> list[TargetView]:
    """Every target, assessed as the target pages do (as of `default_as_of()` unless told),
    ordered by outcome then due date — for `cxkeeper outcomes status`."""
    targets = targets_in_scope().order_by("outcome__position", "outcome__name", "due", "pk")
    as_of = as_of or default_as_of()
    memo: dict = {}
    return [assess(target, as_of=as_of, memo=memo) for target in targets]


def targets_under(place: Journey | Stage | Step):
    """Targets set at a journey, stage or step, or anywhere below it: what its delete removes."""
    if isinstance(place, Step):
        return Target.objects.filter(step=place)
    if isinstance(place, Stage):
        return Target.objects.filter(Q(stage=place) | Q(step__stage=place))
    return Target.objects.filter(Q(journey=place) | Q(stage__journey=place) | Q(step__stage__journey=place))


def kpis_of(team: Team):
    return TeamKpi.objects.filter(team=team)


# ---------------------------------------------------------------- what an import changed


def target_label(target: Target) -> str:
    """“NPS at the organization ≥ −15”: a target in the words of the pages."""
    return (f"{target.metric.name} at {target.scope_label} {target.comparator} "
            f"{numbers.plain(target.value)}{target.metric.unit}")


def target_statuses() -> dict[str, str]:
    """Every target's status now (id → status), as the target pages assess it: the snapshot an
    import compares with when it finishes (registered with `insights.import_jobs` in apps.py)."""
    return {str(view.target.pk): view.status for view in all_target_views()}


def target_status_changes(before: dict[str, str]) -> list[dict]:
    """The targets whose status differs from `before` (targets added since are left out), in
    plain words for an import's summary."""
    changes = []
    for view in all_target_views():
        was = before.get(str(view.target.pk))
        if was is not None and was != view.status:
            changes.append({"what": target_label(view.target), "before": Status(was).label.lower(),
                            "after": view.status_label.lower(), "url": view.target.get_absolute_url()})
    return changes
