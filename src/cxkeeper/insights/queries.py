"""Reads of feedback figures. Every number comes from the rollup table (never raw feedback),
summed by the database and turned into metrics with intervals by `analytics.stats`.

What the metrics are is in `metrics.py` (the catalogue); how figures are shown — text,
heatmap colours, legends, the JSON shapes — in `presentation.py`, Vega-Lite specs in
`charts.py`."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from cxkeeper.core import figures, numbers
from cxkeeper.insights import clock, presentation, textsearch
from cxkeeper.insights.analytics.fields import FIELD_SUM_COLUMNS, field_mean
from cxkeeper.insights.analytics.rollups import FLOAT_SUM_COLUMNS, SUM_COLUMNS
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N, MetricValue, metrics_from_sums
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.metrics import CATALOGUE
from cxkeeper.insights.models import Feedback, FeedbackRollup, FieldRollup, StepDayRollup, StepMonthRollup

# Presentation names other modules still import from here (the API, the ingest CLI, the
# insight forms); new code takes them from `presentation`.
from cxkeeper.insights.presentation import (  # noqa: F401
    PERIODS,
    Shown,
    figure_dict,
    heatmap_dict,
    metric_dict,
    signal_dict,
)
from cxkeeper.journeys.models import Journey, Responsibility, Step

# The catalogue as (label, scale, higher is better) tuples, for callers written against them.
METRICS = {key: (m.label, m.scale, m.higher_is_better) for key, m in CATALOGUE.items()}
GRAINS = {"week": TruncWeek, "month": TruncMonth}
_SUMS = {column: Sum(column) for column in SUM_COLUMNS}


@dataclass
class Figure:
    """The figures of one group (a step, a week, a channel …) with its sample size."""

    key: object
    n: int
    metrics: dict[str, MetricValue]
    sums: dict = field(default_factory=dict, repr=False)
    label: str = ""

    def value(self, metric: str) -> MetricValue:
        return volume_value(self.n) if metric == "volume" else self.metrics[metric]


def rollups(*, start: dt.date | None = None, end: dt.date | None = None, steps=None, channel: str = "",
            segment: str = "", fine: bool = False) -> QuerySet:
    """Rollup cells in scope. Per step × day unless a channel or segment is filtered or split
    (`fine`): the same sums, far fewer rows for the pages that span a journey and a year."""
    fine = fine or bool(channel) or bool(segment)
    cells = FeedbackRollup.objects.all() if fine else StepDayRollup.objects.all()
    if start:
        cells = cells.filter(day__gte=start)
    if end:
        cells = cells.filter(day__lte=end)
    if steps is not None:
        cells = cells.filter(step_id__in=list(steps))
    if channel:
        cells = cells.filter(channel=channel)
    if segment:
        cells = cells.filter(segment=segment)
    return cells


def _figures(rows, key_name: str, *, min_n: int) -> list[Figure]:
    return [_figure(row[key_name], row, min_n=min_n) for row in rows]


def _figure(key, sums: dict, *, min_n: int) -> Figure:
    clean = {column: (sums.get(column) or 0) for column in SUM_COLUMNS}
    return Figure(key, int(clean["n"]), metrics_from_sums(clean, min_n=min_n), clean)


def volume_value(n: int) -> MetricValue:
    """Volume is a count: always "enough", no interval."""
    return MetricValue(value=float(n), n=int(n), low=None, high=None, enough=True)


def by_step(cells: QuerySet[FeedbackRollup], *, min_n: int = DEFAULT_MIN_N) -> dict[int, Figure]:
    rows = cells.values("step_id").annotate(**_SUMS).order_by()
    return {f.key: f for f in _figures(rows, "step_id", min_n=min_n)}


def by_dimension(cells: QuerySet[FeedbackRollup], dimension: str, *, min_n: int = DEFAULT_MIN_N) -> list[Figure]:
    if dimension in GRAINS:
        rows = cells.annotate(period=GRAINS[dimension]("day")).values("period").annotate(**_SUMS).order_by("period")
        return _figures(rows, "period", min_n=min_n)
    if dimension not in ("channel", "segment", "day"):
        raise ValueError(f"unknown dimension {dimension!r}")
    rows = cells.values(dimension).annotate(**_SUMS).order_by(dimension)
    return _figures(rows, dimension, min_n=min_n)


def by_channel_and_segment(cells: QuerySet[FeedbackRollup], *, min_n: int = DEFAULT_MIN_N):
    """Both splits from one aggregate query (channel × segment, folded in Python)."""
    channels: dict[str, dict] = {}
    segments: dict[str, dict] = {}
    for row in cells.values("channel", "segment").annotate(**_SUMS).order_by():
        for key, groups in ((row["channel"], channels), (row["segment"], segments)):
            sums = groups.setdefault(key, dict.fromkeys(SUM_COLUMNS, 0))
            for column in SUM_COLUMNS:
                sums[column] += row[column] or 0
    return ([_figure(k, v, min_n=min_n) for k, v in sorted(channels.items())],
            [_figure(k, v, min_n=min_n) for k, v in sorted(segments.items())])


def total(cells: QuerySet[FeedbackRollup], *, min_n: int = DEFAULT_MIN_N) -> Figure:
    return _figure("all", cells.aggregate(**_SUMS), min_n=min_n)


# ---------------------------------------------------------------- metric table (API, CLI)

DIMENSIONS = ("step", "stage", "journey", "team", "channel", "segment", "day", "week", "month")
UNROUTED_LABEL = "Unrouted"
NO_SEGMENT_LABEL = "(no segment)"


def steps_in_scope(*, journey: Journey | None = None, step: Step | None = None, team=None) -> list[int] | None:
    """Step ids the filters allow; None means "every step and the unrouted bucket"."""
    if journey is None and step is None and team is None:
        return None
    steps = Step.objects.all()
    if journey is not None:
        steps = steps.filter(stage__journey=journey)
    if step is not None:
        steps = steps.filter(pk=step.pk)
    if team is not None:
        steps = steps.filter(responsibilities__team=team, responsibilities__role__in=["owns", "contributes"])
    return list(steps.values_list("pk", flat=True).distinct())


def _combine(per_step: dict[int, dict], groups: dict[int, list], columns: tuple[str, ...] = SUM_COLUMNS) -> dict:
    """Add per-step sums into groups (a step may belong to several groups, e.g. teams)."""
    totals: dict = defaultdict(lambda: dict.fromkeys(columns, 0))
    for step_id, sums in per_step.items():
        for group in groups.get(step_id, ()):
            for column in columns:
                totals[group][column] += sums.get(column) or 0
    return totals


def metric_table(by: str, *, journey: Journey | None = None, step: Step | None = None, team=None,
                 channel: str = "", segment: str = "", start: dt.date | None = None, end: dt.date | None = None,
                 min_n: int = DEFAULT_MIN_N) -> list[Figure]:
    """Every metric with n and interval per group of `by` — one aggregate query over the
    rollups, then (for stage, journey, team) the per-step sums added up along the map."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(DIMENSIONS)}")
    scope = steps_in_scope(journey=journey, step=step, team=team)
    cells = rollups(start=start, end=end, steps=scope, channel=channel, segment=segment,
                    fine=by in ("channel", "segment"))
    if by in ("channel", "segment", "day", "week", "month"):
        if by in ("channel", "segment"):  # whole months from the monthly split table, ragged days from the fine one
            sums = split_sums(steps=scope, start=start, end=end, channel=channel, segment=segment, by=(by,))
            figures = [_figure(key[0], sums[key], min_n=min_n) for key in sorted(sums)]
        else:
            figures = by_dimension(cells, by, min_n=min_n)
        for figure in figures:
            if by == "segment":
                figure.label = figure.key or NO_SEGMENT_LABEL
            elif isinstance(figure.key, dt.datetime):
                figure.key = figure.key.date()
            figure.label = figure.label or str(figure.key)
            if isinstance(figure.key, dt.date):
                figure.key = figure.key.isoformat()
                figure.label = figure.key
        return figures
    per_step = {row["step_id"]: row for row in cells.values("step_id").annotate(**_SUMS).order_by()}
    if by == "step":
        steps = {s.pk: s for s in Step.objects.filter(pk__in=per_step).select_related("stage", "stage__journey")}
        figures = []
        for step_id, sums in per_step.items():
            figure = _figure(step_id or None, sums, min_n=min_n)
            target = steps.get(step_id)
            figure.label = f"{target.stage.journey.name} › {target.name}" if target else UNROUTED_LABEL
            figures.append(figure)
        order = {s.pk: (s.stage.journey.name, s.stage.position, s.position, s.pk) for s in steps.values()}
        return sorted(figures, key=lambda f: (f.key is None, order.get(f.key, ())))
    groups, names = _map_groups(by, per_step, team=team)
    figures = []
    for key, sums in _combine(per_step, groups).items():
        figure = _figure(key, sums, min_n=min_n)
        figure.label = names[key][0]
        figures.append(figure)
    return sorted(figures, key=lambda f: names[f.key][1])


def _map_groups(by: str, step_ids, *, team=None) -> tuple[dict[int, list], dict]:
    """For stage, journey or team: the groups each step id adds to, and each group's (label, order)."""
    if by == "stage":
        from cxkeeper.journeys.models import Stage

        stage_of = dict(Step.objects.filter(pk__in=step_ids).values_list("pk", "stage_id"))
        groups = {step_id: [stage_id] for step_id, stage_id in stage_of.items()}
        names = {s.pk: (f"{s.journey.name} › {s.name}", (s.journey.name, s.position, s.pk))
                 for s in Stage.objects.filter(pk__in=set(stage_of.values())).select_related("journey")}
    elif by == "journey":
        journey_of = dict(Step.objects.filter(pk__in=step_ids).values_list("pk", "stage__journey_id"))
        groups = {step_id: [journey_id] for step_id, journey_id in journey_of.items()}
        names = {j.pk: (j.name, (j.name,)) for j in Journey.objects.filter(pk__in=set(journey_of.values()))}
    else:  # team
        from cxkeeper.org.models import Team

        groups = defaultdict(list)
        links = Responsibility.objects.filter(step_id__in=step_ids, role__in=["owns", "contributes"])
        if team is not None:
            links = links.filter(team=team)
        for team_id, step_id in links.values_list("team_id", "step_id"):
            groups[step_id].append(team_id)
        names = {t.pk: (t.name, (t.name,)) for t in Team.objects.filter(pk__in={g for v in groups.values() for g in v})}
    return groups, names


# ---------------------------------------------------------------- custom declared fields

FIELD_PREFIX = "field:"  # a custom field among the metrics of the API and the CLI
FIELD_DIMENSIONS = ("step", "stage", "journey", "team", "day", "week", "month")
_FIELD_SUMS = {column: Sum(column) for column in FIELD_SUM_COLUMNS}


def field_names() -> list[str]:
    """The custom numeric fields any stored feedback declares (from the field rollup)."""
    return sorted(set(FieldRollup.objects.values_list("field", flat=True).distinct()))


def field_table(field: str, by: str, *, journey: Journey | None = None, step: Step | None = None, team=None,
                start: dt.date | None = None, end: dt.date | None = None,
                min_n: int = DEFAULT_MIN_N) -> dict[object, MetricValue]:
    """The mean of one custom declared field with its t interval and n per group of `by`, keyed
    like `metric_table`'s rows (step id or None, stage/journey/team id, ISO day/week/month) —
    one aggregate query over `FieldRollup`. Fields are summed per step × day, so channel and
    segment groupings and filters do not apply."""
    if by not in FIELD_DIMENSIONS:
        raise ValueError(f"custom fields are summed per step and day: group by one of {', '.join(FIELD_DIMENSIONS)}")
    scope = steps_in_scope(journey=journey, step=step, team=team)
    cells = FieldRollup.objects.filter(field=field)
    if start:
        cells = cells.filter(day__gte=start)
    if end:
        cells = cells.filter(day__lte=end)
    if scope is not None:
        cells = cells.filter(step_id__in=scope)
    if by in ("day", "week", "month"):
        if by == "day":
            rows = cells.values("day").annotate(**_FIELD_SUMS).order_by()
            keyed = ((row["day"], row) for row in rows)
        else:
            rows = cells.annotate(period=GRAINS[by]("day")).values("period").annotate(**_FIELD_SUMS).order_by()
            keyed = ((row["period"], row) for row in rows)
        out = {}
        for key, sums in keyed:
            key = key.date() if isinstance(key, dt.datetime) else key
            out[key.isoformat()] = field_mean(sums, min_n=min_n)
        return out
    per_step = {row["step_id"]: row for row in cells.values("step_id").annotate(**_FIELD_SUMS).order_by()}
    if by == "step":
        return {step_id or None: field_mean(sums, min_n=min_n) for step_id, sums in per_step.items()}
    groups, _ = _map_groups(by, per_step, team=team)
    return {key: field_mean(sums, min_n=min_n)
            for key, sums in _combine(per_step, groups, FIELD_SUM_COLUMNS).items()}


# ---------------------------------------------------------------- journey heatmap

@dataclass
class HeatmapCell:
    step: Step
    figure: Figure | None
    value: MetricValue
    klass: int | None
    metric: str = "nps"

    # How the cell looks is decided in `presentation`; the template and the API read it here.
    @property
    def css(self) -> str:
        return presentation.css_class(self.metric, self.klass)

    @property
    def colour(self) -> str:
        return presentation.colour_of(self.metric, self.klass)

    @property
    def shown(self) -> Shown:
        return presentation.shown(self.metric, self.value)


@dataclass
class HeatmapRow:
    lane: str
    label: str
    cells: list[list[HeatmapCell]]


@dataclass
class Heatmap:
    journey: Journey
    metric: str
    stages: list
    rows: list[HeatmapRow]
    cells: list[HeatmapCell]
    start: dt.date
    end: dt.date
    min_n: int

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1


def journey_heatmap(journey: Journey, *, metric: str = "nps", start: dt.date | None = None,
                    end: dt.date | None = None, min_n: int = DEFAULT_MIN_N) -> Heatmap:
    """The journey's blueprint (stages × lanes), each step with the metric of the period:
    the steps, then one aggregate query over the rollups."""
    from cxkeeper.journeys.choices import Lane

    if metric not in CATALOGUE:
        raise ValueError(f"unknown metric {metric!r}")
    end = end or clock.as_of()
    start = start or end - dt.timedelta(days=clock.DEFAULT_PERIOD_DAYS - 1)
    stages = list(journey.stages.order_by("position", "pk"))
    steps = list(Step.objects.filter(stage__journey=journey).order_by("stage__position", "position", "pk"))
    figures = by_step(rollups(start=start, end=end, steps=[s.pk for s in steps]), min_n=min_n)
    column = {stage.pk: i for i, stage in enumerate(stages)}
    rows = [HeatmapRow(lane, label, [[] for _ in stages]) for lane, label in Lane.choices]
    row_of = {row.lane: row for row in rows}
    max_n = max((f.n for f in figures.values()), default=1)
    cells = []
    for step in steps:
        figure = figures.get(step.pk)
        value = figure.value(metric) if figure else (volume_value(0) if metric == "volume"
                                                     else MetricValue.too_few(0))
        cell = HeatmapCell(step, figure, value, presentation.colour_class(metric, value, max_n=max_n), metric)
        cells.append(cell)
        row_of[step.lane].cells[column[step.stage_id]].append(cell)
    rows = [row for row in rows if any(row.cells)]
    return Heatmap(journey, metric, stages, rows, cells, start, end, min_n)


# ---------------------------------------------------------------- step insights


def step_feedback_count(step: Step) -> int:
    """How many stored feedback items are about the step, from its step × day rollup cells
    (exactly the count of its rows, which the rollups always add up to)."""
    return int(StepDayRollup.objects.filter(step_id=step.pk).aggregate(n=Sum("n"))["n"] or 0)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def whole_months(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The months lying wholly inside [start, end], as [first, stop) of their 1sts (None = open)."""
    first = None if start is None else (start if start.day == 1 else _next_month(start))
    stop = None if end is None else (end + dt.timedelta(days=1)).replace(day=1)
    return first, stop


def split_sums(*, steps=None, start: dt.date | None = None, end: dt.date | None = None, channel: str = "",
               segment: str = "", by: tuple[str, ...] = ("channel", "segment")) -> dict[tuple, dict]:
    """Sums per (channel, segment) — or any subset `by` — over [start, end]: whole months from the
    step × month × channel × segment rollup, the ragged days at either end from the fine one.
    Exactly the sums of the fine cells of the period (the same deltas feed both tables).

    One statement (`UNION ALL` of the two tables, grouped once), written out rather than
    composed with the ORM: on the step page the ORM's query building cost more than SQLite's
    reading of the cells. Identifiers come from the models and constants; values are parameters."""
    if not set(by) <= {"channel", "segment"} or not by:
        raise ValueError(f"split_sums groups by channel and/or segment, not {by!r}")
    first, stop = whole_months(start, end)
    adapt = connection.ops.adapt_datefield_value
    common, common_params = [], []
    if steps is not None:
        steps = [int(s) for s in steps]
        if not steps:
            return {}
        common.append(f"step_id IN ({', '.join(['%s'] * len(steps))})")
        common_params += steps
    for column, value in (("channel", channel), ("segment", segment)):
        if value:
            common.append(f"{column} = %s")
            common_params.append(value)
    parts, params = [], []

    def select(model, conditions, values):
        table = connection.ops.quote_name(model._meta.db_table)
        where = " AND ".join([*common, *conditions]) or "1 = 1"
        parts.append(f"SELECT {', '.join((*by, *SUM_COLUMNS))} FROM {table} WHERE {where}")  # noqa: S608
        params.extend([*common_params, *values])

    if first is not None and stop is not None and first >= stop:  # no whole month: days only
        select(FeedbackRollup, ["day >= %s", "day <= %s"], [adapt(start), adapt(end)])
    else:
        edges, edge_params, months, month_params = [], [], [], []
        if first is not None:
            edges.append("(day >= %s AND day < %s)")
            edge_params += [adapt(start), adapt(first)]
            months.append("month >= %s")
            month_params.append(adapt(first))
        if stop is not None:
            edges.append("(day >= %s AND day <= %s)")
            edge_params += [adapt(stop), adapt(end)]
            months.append("month < %s")
            month_params.append(adapt(stop))
        if edges:
            select(FeedbackRollup, [f"({' OR '.join(edges)})"], edge_params)
        select(StepMonthRollup, months, month_params)
    keys = ", ".join(by)
    sums = ", ".join(f"SUM({c})" for c in SUM_COLUMNS)
    sql = f"SELECT {keys}, {sums} FROM ({' UNION ALL '.join(parts)}) cells GROUP BY {keys}"  # noqa: S608
    width = len(by)
    kinds = [float if c in FLOAT_SUM_COLUMNS else int for c in SUM_COLUMNS]  # PostgreSQL sums bigints as numeric
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(row[:width]): {c: kind(v or 0) for c, kind, v in zip(SUM_COLUMNS, kinds, row[width:],
                                                                           strict=True)}
                for row in cursor.fetchall()}


def _add(totals: dict, key, values) -> None:
    acc = totals.get(key)
    if acc is None:
        totals[key] = [v or 0 for v in values]
    else:
        for i, value in enumerate(values):
            acc[i] += value or 0


@dataclass
class StepInsights:
    step: Step
    metric: str
    start: dt.date
    end: dt.date
    min_n: int
    total: Figure
    trend: list[Figure]
    channels: list[Figure]
    segments: list[Figure]
    trend_grain: str = "week"

    @property
    def nps_distribution(self) -> dict:
        """Promoters, passives and detractors, counted from the rollup sums."""
        sums = self.total.sums
        n = int(sums.get("nps_n", 0))
        promoters, detractors = int(sums.get("promoters", 0)), int(sums.get("detractors", 0))
        counts = {"promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors}
        return {"n": n, "counts": counts,
                "shares": {k: (100.0 * v / n if n else None) for k, v in counts.items()}}

    @property
    def ces_split(self) -> dict:
        sums = self.total.sums
        n, easy = int(sums.get("ces_n", 0)), int(sums.get("ces_easy", 0))
        return {"n": n, "easy": easy, "not_easy": n - easy, "value": self.total.metrics["ces_easy"]}


def _bucketed(rows, first: dt.date, key_of, *, min_n: int) -> list[Figure]:
    """Daily rows (day, *sums) from `first` on, added up per key_of(day), in key order."""
    groups: dict = defaultdict(list)
    for row in rows:
        if row[0] >= first:
            groups[key_of(row[0])].append(row)
    return [_figure(key, {c: sum(v or 0 for v in values)
                          for c, values in zip(SUM_COLUMNS, list(zip(*group, strict=True))[1:], strict=True)},
                    min_n=min_n)
            for key, group in sorted(groups.items())]


def step_insights(step: Step, *, metric: str = "nps", start: dt.date | None = None, end: dt.date | None = None,
                  trend_weeks: int = 26, min_n: int = DEFAULT_MIN_N) -> StepInsights:
    """Everything the step-insights page shows, from the rollups: one read of the step's
    step × day cells (tiles, weekly or monthly trend, added up in Python) and the channel ×
    segment split of the period from whole months plus the ragged days (`split_sums`)."""
    end = end or clock.as_of()
    start = start or end - dt.timedelta(days=clock.DEFAULT_PERIOD_DAYS - 1)
    trend_start = end - dt.timedelta(days=7 * trend_weeks)
    trend_start -= dt.timedelta(days=trend_start.weekday())
    month_start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    daily = list(StepDayRollup.objects.filter(step_id=step.pk, day__gte=min(start, trend_start, month_start),
                                              day__lte=end).values_list("day", *SUM_COLUMNS).order_by())
    period = _bucketed(daily, start, lambda day: "all", min_n=min_n)
    period_total = period[0] if period else _figure("all", {}, min_n=min_n)
    trend = _bucketed(daily, trend_start, lambda day: day - dt.timedelta(days=day.weekday()), min_n=min_n)
    grain = "week"
    if sum(f.value(metric).enough for f in trend) * 2 < len(trend):
        # Most weeks are below the minimum n: months (a year of them) tell the story instead of
        # an empty chart, with the same minimum n per point.
        grain = "month"
        trend = _bucketed(daily, month_start, lambda day: day.replace(day=1), min_n=min_n)
    splits = split_sums(steps=[step.pk], start=start, end=end)
    channels: dict[str, list] = {}
    segments: dict[str, list] = {}
    for (channel, segment), sums in splits.items():
        values = [sums[c] for c in SUM_COLUMNS]
        _add(channels, channel, values)
        _add(segments, segment, values)
    channel_figures = [_figure(k, dict(zip(SUM_COLUMNS, v, strict=True)), min_n=min_n)
                       for k, v in sorted(channels.items())]
    segment_figures = [_figure(k, dict(zip(SUM_COLUMNS, v, strict=True)), min_n=min_n)
                       for k, v in sorted(segments.items())]
    for figure in segment_figures:
        figure.label = figure.key or NO_SEGMENT_LABEL
    for figure in channel_figures:
        figure.label = figure.key
    return StepInsights(step, metric, start, end, min_n, period_total, trend, channel_figures, segment_figures,
                        grain)


# ---------------------------------------------------------------- raw feedback lists (explorer, queue)

ROUTED_FILTERS = {
    "routed": "Routed to a step", "unrouted": "Unrouted", "person": "Routed by a person",
    "model": "Routed by the model", "rule": "Routed by the source's step column",
    "off_topic": "Set aside as off-topic",
}


def feedback_count_up_to(rows: QuerySet[Feedback], cap: int, *, filters: dict | None = None) -> int:
    """How many of `rows` there are, counting no further than `cap`. `filters`: the
    `feedback_list` arguments `rows` came from — words and no other filter are counted by the
    text index (a common word read row by row up to the cap took 110 ms at 1M rows, the index
    4 ms)."""
    filters = filters or {}
    words = filters.get("q") or ""
    found = None
    if words and not any(value for key, value in filters.items() if key != "q"):
        found = textsearch.count_up_to(words, cap)
    return found if found is not None else rows[:cap].count()


def feedback_list(*, q: str = "", step=None, journey=None, channel: str = "", segment: str | None = None,
                  routed: str = "", source=None, start: dt.date | None = None,
                  end: dt.date | None = None) -> QuerySet[Feedback]:
    """Feedback rows for reading verbatims — paginated by the caller, never aggregated.
    Text search is a case-insensitive substring match, answered from a trigram index
    (`insights.textsearch`)."""
    rows = Feedback.objects.select_related("step", "step__stage", "step__stage__journey", "source")
    if q:
        rows = rows.filter(textsearch.text_contains(q))
    if step is not None:
        rows = rows.filter(step=step)
    if journey is not None:
        rows = rows.filter(step__stage__journey=journey)
    if channel:
        rows = rows.filter(channel=channel)
    if segment is not None and segment != "":
        rows = rows.filter(segment="" if segment == NO_SEGMENT_LABEL else segment)
    if source is not None:
        rows = rows.filter(source=source)
    if start:
        rows = rows.filter(received_at__date__gte=start)
    if end:
        rows = rows.filter(received_at__date__lte=end)
    if routed == "unrouted":  # what the "Unrouted" figures count: off-topic items are in none
        rows = rows.filter(step__isnull=True).exclude(routed_by=RoutedBy.OFF_TOPIC)
    elif routed == "routed":
        rows = rows.filter(step__isnull=False)
    elif routed in RoutedBy.values and routed:
        rows = rows.filter(routed_by=routed)
    return rows


def feedback_by_id(pk: int) -> Feedback:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(feedback_list(), pk=pk)


# ---------------------------------------------------------------- the review queue
#
# Only items that need a person: text the router left unrouted (below its threshold), a
# model route below the current router's threshold (the router changed since), and items a
# rule (the source's step column) placed where the current router confidently says another
# step. Reviewed items (a person's answer, "none of these steps", off-topic) never return.
#
# Spot checks (decision 0029): a share of the queue's groups (CXKEEPER_REVIEW_SPOT_CHECK_SHARE)
# asks about the largest clusters of messages the router placed *confidently* on one step —
# the wrong routes nobody sees otherwise, since the router is sure of them and self-training
# repeats them across the cluster. A spot check is one entry in the queue (its surest
# member, the most typical) standing for the whole cluster; "yes, they belong there" is a person's answer for
# every member (it never returns), another answer moves them all.

QUEUE_MAX_CLUSTERED = 30_000  # the most uncertain items clustered; beyond, each is its own cluster
QUEUE_MAX_RULE_CHECKS = 5_000  # newest rule-routed texts the router re-reads for disagreements
SUGGESTION_MIN_CONFIDENCE = 0.3  # a suggestion is highlighted only when the router is this sure
CLUSTER_SAMPLE = 8  # messages of a cluster shown before it is assigned in one action
QUEUE_LISTED_PER_GROUP = 3  # members of a group the queue page lists; the rest wait for one answer on its page
QUEUE_MAX_SPOT_CHECKED = 30_000  # newest confident model routes clustered for spot checks
SPOT_CHECK_MIN_SIZE = 5  # a spot check is about at least this many confidently routed messages
SPOT_CHECK_MARGIN = 1.05  # a spot check's weight: Σ (margin − confidence) = size × (margin − mean)
DEFAULT_SPOT_CHECK_SHARE = 0.35  # measured: docs/performance.md, "Spot checks" and decisions 0046, 0048


def spot_check_share() -> float:
    """The share of the queue's groups that are spot checks (setting
    CXKEEPER_REVIEW_SPOT_CHECK_SHARE, 0 to 1; 0 turns spot checks off)."""
    from django.conf import settings

    share = float(getattr(settings, "CXKEEPER_REVIEW_SPOT_CHECK_SHARE", DEFAULT_SPOT_CHECK_SHARE))
    return min(1.0, max(0.0, share))


def _confident_routes(threshold: float) -> QuerySet:
    """Model routes at or above the threshold, newest first: the candidates of spot checks."""
    return (Feedback.objects.filter(routed_by=RoutedBy.MODEL, routing_confidence__gte=threshold, step__isnull=False)
            .exclude(text="").order_by("-id"))


def _router_state() -> tuple[int, float]:
    """The latest router's id and threshold ((0, default) before any router)."""
    from cxkeeper.insights.models import RouterModel
    from cxkeeper.insights.text.router import DEFAULT_THRESHOLD

    row = RouterModel.objects.order_by("-created_at", "-id").values_list("pk", "threshold").first()
    return row if row else (0, DEFAULT_THRESHOLD)


def _needs_review(threshold: float) -> Q:
    return ~Q(text="") & (Q(routed_by=RoutedBy.NONE)
                          | Q(routed_by=RoutedBy.MODEL, routing_confidence__lt=threshold))


@dataclass(frozen=True)
class QueueClusters:
    """What the queue caches: each candidate's cluster, and the rule routes the router disputes
    (item id → (the router's step id, its confidence))."""

    cluster_of: dict[int, int]
    disputed: dict[int, tuple[int, float]]
    spot_of: dict[int, int] = field(default_factory=dict)  # confident route → its cluster on its step
    # unrouted items just like a message a person set aside as off-topic (the router's memory):
    # a person has answered them in effect, so the queue does not ask about them again
    like_off_topic: frozenset[int] = frozenset()
    # clustered item → a number equal for texts worded the same (`text.clusters.normalize`); the
    # rest are alone in their cluster, so their wording never matters
    wording_of: dict[int, int] = field(default_factory=dict)


def _rule_disputes(router) -> dict[int, tuple[int, float]]:
    if router is None:
        return {}
    rows = list(Feedback.objects.filter(routed_by=RoutedBy.RULE, step__isnull=False).exclude(text="")
                .order_by("-id").values_list("pk", "text", "step_id")[:QUEUE_MAX_RULE_CHECKS])
    texts = list(dict.fromkeys(text for _, text, _ in rows))
    routes = dict(zip(texts, router.route(texts), strict=True)) if texts else {}
    disputed = {}
    for pk, text, step_id in rows:
        route = routes[text]
        if route.label is not None and route.label != step_id:
            disputed[pk] = (int(route.label), float(route.confidence))
    return disputed


def queue_clusters() -> QueueClusters:
    """Cluster the queue's candidates (`text.clusters`): seconds of work on a large queue, so
    cached until new feedback arrives or the router changes (both are in the key). Items that
    leave the queue keep everyone else's cluster; items that join it later are alone until then."""
    from cxkeeper.insights.models import RouterModel

    _, threshold = _router_state()
    stored = Feedback.objects.aggregate(newest=Max("id"), n=Count("id"))
    router = RouterModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    # Not the feedback data version: every answer in the queue moves that, and the clusters are
    # meant to outlive answers (the store, `core.figures`, is shared by every worker process).
    return figures.figure("insights.queue_clusters",
                          (stored["newest"], stored["n"], router, threshold, spot_check_share() > 0),
                          lambda: _queue_clusters(threshold), depends=())


def _queue_clusters(threshold: float) -> QueueClusters:
    from cxkeeper.insights import routing
    from cxkeeper.insights.text.clusters import cluster_texts, normalize
    from cxkeeper.insights.text.router import OFF_TOPIC

    router = routing.current_router(train_if_missing=False)
    disputed = _rule_disputes(router)
    # The router's content vectors (text.content), once it has self-trained: clusters then join
    # messages about the same thing whatever their wrapping (decision 0046).
    content = getattr(router, "content", None)
    rows = list(Feedback.objects.filter(_needs_review(threshold))
                .order_by(F("routing_confidence").asc(nulls_first=True), "id")
                .values_list("pk", "text")[:QUEUE_MAX_CLUSTERED])
    answers = _remembered(router, [text for _, text in rows])
    like_off_topic = frozenset(pk for (pk, _), answer in zip(rows, answers, strict=True) if answer == OFF_TOPIC)
    rows = [row for row in rows if row[0] not in like_off_topic]
    wordings: dict[str, int] = {}
    wording_of = {pk: wordings.setdefault(normalize(text), len(wordings)) for pk, text in rows}
    # disputed rule routes are never folded into another entry: they have no wording here
    rows += list(Feedback.objects.filter(pk__in=list(disputed)).values_list("pk", "text"))
    return QueueClusters(cluster_texts([pk for pk, _ in rows], [text for _, text in rows], content=content),
                         disputed, _spot_clusters(threshold, router), like_off_topic, wording_of)


def _remembered(router, texts: list[str]) -> list:
    """Per text, the answer of a person's nearly identical message (the router's memory:
    a step id, OFF_TOPIC or None), as routing applies it (decision 0048)."""
    memory = getattr(router, "memory", None)
    if memory is None or not texts:
        return [None] * len(texts)
    return memory.match(texts)[0]


def _spot_clusters(threshold: float, router=None) -> dict[int, int]:
    """The newest confident routes in clusters of similar messages on one step; only clusters
    of at least SPOT_CHECK_MIN_SIZE are kept (a spot check of two messages teaches little).
    Routes a person's answer placed (the router's memory) are not asked about: a person
    already said where messages like them go (decision 0048)."""
    from cxkeeper.insights.text.clusters import clusters_within

    if spot_check_share() <= 0:
        return {}
    content = getattr(router, "content", None)
    rows = list(_confident_routes(threshold).values_list("pk", "text", "step_id")[:QUEUE_MAX_SPOT_CHECKED])
    answers = _remembered(router, [text for _, text, _ in rows])
    rows = [row for row, answer in zip(rows, answers, strict=True) if answer is None]
    spot_of = clusters_within([pk for pk, *_ in rows], [text for _, text, _ in rows], [s for *_, s in rows],
                              content=content)
    sizes: dict[int, int] = defaultdict(int)
    for name in spot_of.values():
        sizes[name] += 1
    return {pk: name for pk, name in spot_of.items() if sizes[name] >= SPOT_CHECK_MIN_SIZE}


@dataclass(frozen=True)
class QueueEntry:
    feedback_id: int
    cluster_id: int
    uncertainty: float  # 1 − the router's confidence; for a disputed rule route, the router's confidence
    disputed_step_id: int | None = None
    spot_check: bool = False  # a spot check: this entry stands for its whole cluster of confident routes
    more: int = 0  # on the last listed member of a group: its waiting members the list leaves out


@dataclass(frozen=True)
class QueueOrder:
    """The costly part of the queue, kept in the figure store (`queue_order`): every candidate
    as of one router and one set of stored items, grouped by cluster (clusters in review order,
    members most uncertain first), as arrays so a page reads it in milliseconds.

    Answers only ever take items out (a person's step, "none of these", off-topic), so a page
    takes this order, drops the answered items and re-ranks only the clusters that lost members;
    `needing` (how many candidates were unrouted or doubted model routes) lets a page check with
    one COUNT that nothing else moved an item in or out (see `review_queue`)."""

    feedback_ids: np.ndarray  # int64, per entry
    uncertainty: np.ndarray  # float64, per entry
    disputed_step: np.ndarray  # int64, per entry: the router's step for a disputed rule route, else −1
    step: np.ndarray  # int64, per entry: its step when the order was built (−1: none)
    cluster: np.ndarray  # int64, per entry: the index of its cluster in `cluster_ids`
    cluster_ids: np.ndarray  # int64, per cluster: the id naming it
    ranked: np.ndarray  # int64: cluster indices in review order (every member waiting)
    ranked_weight: np.ndarray  # float64: −(their rounded weight), in that order (ascending)
    ranked_smallest: np.ndarray  # int64: their smallest member's id, in that order
    needing: int  # `_unsure()` when it was built
    bounds: np.ndarray  # int64: the entries of cluster c are bounds[c]:bounds[c + 1]
    # spot checks: which entries and clusters are confident routes asked about, and their own
    # ranking (by Σ (SPOT_CHECK_MARGIN − confidence)), interleaved with the other at read time
    spot: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # bool, per entry
    spot_cluster: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # bool, per cluster
    spot_ranked: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    spot_ranked_weight: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    spot_ranked_smallest: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # per entry, a number equal for texts worded the same (`text.clusters.normalize`) within this
    # order, so a page lists one of them (empty: every entry its own wording)
    wording: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    like_off_topic: int = 0  # items needing a person left out: just like a message set aside as off-topic


def _queue_counts(threshold: float) -> tuple[int, int]:
    """(stored items, items needing a person — unrouted or a doubted model route, empty texts
    included: two counts on the `routed_by` index). Kept per feedback data version: a view
    after an answer counts once, the views after it read the pair."""
    return figures.figure("insights.queue_counts", (threshold,),
                          lambda: (Feedback.objects.count(), _unsure(threshold)), depends=(figures.FEEDBACK,))


def _unsure(threshold: float) -> int:
    return (Feedback.objects.filter(routed_by=RoutedBy.NONE).count()
            + Feedback.objects.filter(routed_by=RoutedBy.MODEL, routing_confidence__lt=threshold).count())


_memo = threading.local()  # the last order this thread read: its key fully determines it


def _computed_fresh() -> bool:
    """Inside `figures.computed_fresh()`: nothing kept is read, the memo below included."""
    return figures.computing_fresh()


def queue_order(*, needing: int | None = None) -> QueueOrder:
    """The queue's order for the current router and stored items: seconds of work at a million
    rows (clusters, then ordering ~250,000 items), so kept until new feedback arrives, items are
    erased or the router changes (all in the key) — not per feedback data version, which every
    answer moves. Learning in the background computes it after re-routing (`relearn`).
    `needing` (the count of items needing a person) joins the key when that order was found out
    of step (`review_queue`), so the recomputed one is kept too."""
    router, threshold = _router_state()
    newest = Feedback.objects.aggregate(newest=Max("id"))["newest"]
    stored, _ = _queue_counts(threshold)
    key = (newest, stored, router, threshold, spot_check_share() > 0, *(() if needing is None else (needing,)))
    last = getattr(_memo, "last", None)
    if last is not None and last[0] == key and not _computed_fresh() and _still_stored(key):
        return last[1]
    if needing is None:
        compute = lambda: _queue_order(threshold, queue_clusters())  # noqa: E731
    else:  # the items that moved in are clustered with the rest, as a fresh computation would
        compute = lambda: _queue_order(threshold, _queue_clusters(threshold))  # noqa: E731
    order = figures.figure("insights.queue_order", key, compute, depends=())
    if not _computed_fresh():
        _memo.last = (key, order)
    return order


def _still_stored(key: tuple) -> bool:
    """The memo is used only while the store still holds the same order (not dropped, not from
    other code): reading the few-MB value again costs tens of ms, asking whether it is there one."""
    from cxkeeper.core.models import StoredFigure

    return StoredFigure.objects.filter(key=figures.figure_key("insights.queue_order", key),
                                       stamp=figures.code_fingerprint()).exists()


def _queue_order(threshold: float, clusters: QueueClusters) -> QueueOrder:
    rows = list(Feedback.objects.filter(_needs_review(threshold))
                .values_list("pk", "routed_by", "routing_confidence", "step_id"))
    asked = [row for row in rows if row[0] not in clusters.like_off_topic]
    like_off_topic, rows = len(rows) - len(asked), asked
    needing = _unsure(threshold)
    disputed = list(Feedback.objects.filter(pk__in=list(clusters.disputed), routed_by=RoutedBy.RULE)
                    .values_list("pk", "step_id"))
    spot = [(pk, confidence, step) for pk, confidence, step in
            _confident_routes(threshold).values_list("pk", "routing_confidence", "step_id")[:QUEUE_MAX_SPOT_CHECKED]
            if pk in clusters.spot_of] if clusters.spot_of else []
    n = len(rows) + len(disputed) + len(spot)
    ids = np.fromiter([pk for pk, *_ in rows] + [pk for pk, _ in disputed] + [pk for pk, *_ in spot], np.int64, n)
    uncertainty = np.fromiter([_uncertainty(by, confidence, threshold) for _, by, confidence, _ in rows]
                              + [clusters.disputed[pk][1] for pk, _ in disputed]
                              + [SPOT_CHECK_MARGIN - confidence for _, confidence, _ in spot], np.float64, n)
    disputed_step = np.fromiter([-1] * len(rows) + [clusters.disputed[pk][0] for pk, _ in disputed]
                                + [-1] * len(spot), np.int64, n)
    step = np.fromiter([-1 if s is None else s for *_, s in rows] + [-1 if s is None else s for _, s in disputed]
                       + [s for *_, s in spot], np.int64, n)
    cluster_of = np.fromiter([clusters.cluster_of.get(pk, pk) for pk, *_ in rows]
                             + [clusters.cluster_of.get(pk, pk) for pk, _ in disputed]
                             + [clusters.spot_of[pk] for pk, *_ in spot], np.int64, n)
    is_spot = np.zeros(n, bool)
    is_spot[len(rows) + len(disputed):] = True
    # an entry without a clustered wording (disputed, spot check, beyond the clustered) is its own
    wording = np.fromiter([clusters.wording_of.get(pk, -1 - k) for k, (pk, *_) in enumerate(rows)]
                          + [-1 - k for k in range(len(rows), n)], np.int64, n)
    order = order_from_arrays(ids, uncertainty, disputed_step, step, cluster_of, is_spot, needing, wording)
    return replace(order, like_off_topic=like_off_topic)


def order_from_arrays(ids, uncertainty, disputed_step, step, cluster_of, spot, needing: int,
                      wording=None) -> QueueOrder:
    """The stored order from its entries (also used by bench/routing_demo.py, which builds the
    same arrays from routed texts without a database). Cluster names of spot checks and of
    the other entries never meet: they are the smallest id of disjoint sets of items.
    `wording` (optional): a number per entry, equal for texts worded the same."""
    # entries grouped by cluster, members most uncertain first (then by id); a spot check's
    # surest member first: the one it shows, the most typical of where the router put them all
    grouped = np.lexsort((ids, np.where(spot, uncertainty, -uncertainty), cluster_of))
    if wording is None:
        wording = np.arange(len(ids), dtype=np.int64)
    ids, uncertainty, disputed_step, step, cluster_of, spot, wording = (
        a[grouped] for a in (ids, uncertainty, disputed_step, step, cluster_of, spot, wording))
    cluster_ids, cluster = np.unique(cluster_of, return_inverse=True)
    cluster = cluster.astype(np.int64)
    empty = np.empty(0, np.int64)
    bounds = np.searchsorted(cluster, np.arange(len(cluster_ids) + 1)).astype(np.int64)
    spot_cluster = np.zeros(len(cluster_ids), bool)
    spot_cluster[cluster[spot]] = True
    order = QueueOrder(ids, uncertainty, disputed_step, step, cluster, cluster_ids, empty, empty, empty, needing,
                       bounds, spot, spot_cluster)
    ranked, weight, smallest = _rank_keys(order, ~spot)
    spot_ranked, spot_weight, spot_smallest = _rank_keys(order, spot.copy())
    return QueueOrder(ids, uncertainty, disputed_step, step, cluster, cluster_ids, ranked, weight, smallest,
                      needing, bounds, spot, spot_cluster, spot_ranked, spot_weight, spot_smallest, wording)


def interleave(ranked: np.ndarray, spot_ranked: np.ndarray, share: float) -> np.ndarray:
    """The two rankings as one: spot checks take `share` of the places, spread evenly (0.5:
    every second group, a question that needs a person first), and when one ranking runs out
    the other continues. The i-th group of `ranked` sits at (i + ½) / (1 − share), the j-th spot
    check at (j + ½) / share, ties to `ranked`; computed in closed form (no sort: a queue has
    100,000 groups and a page is fetched in milliseconds)."""
    if share <= 0 or not len(spot_ranked):
        return ranked
    if share >= 1 or not len(ranked):
        return np.concatenate([spot_ranked, ranked])
    place = (np.arange(len(spot_ranked)) + 0.5) / share
    before = np.clip(np.floor(place * (1 - share) - 0.5 + 1e-9).astype(np.int64) + 1, 0, len(ranked))
    at = np.arange(len(spot_ranked)) + before  # each spot check's place in the merged ranking
    merged = np.empty(len(ranked) + len(spot_ranked), np.int64)
    is_spot = np.zeros(len(merged), bool)
    is_spot[at] = True
    merged[at] = spot_ranked
    merged[~is_spot] = ranked
    return merged


def _ranked(order: QueueOrder, live: np.ndarray) -> np.ndarray:
    return _rank_keys(order, live)[0]


def _rank_keys(order: QueueOrder, live: np.ndarray, among: np.ndarray | None = None):
    """Cluster indices with a waiting member (of `among`, default all), by how much one answer
    teaches: the sum of the waiting members' uncertainty (rounded, so sums in any order tie
    alike), then the smallest waiting member's id (a cluster's name when it is computed afresh;
    a stored cluster keeps its name while members leave, so a cluster page's address stays
    valid). Returns (indices, −weight, smallest id), all in that order."""
    n = len(order.cluster_ids)
    weight = np.bincount(order.cluster, weights=np.where(live, order.uncertainty, 0.0), minlength=n)
    waiting = np.bincount(order.cluster, weights=live, minlength=n) > 0
    present = np.flatnonzero(waiting) if among is None else among[waiting[among]]
    bounds = np.searchsorted(order.cluster, np.stack([present, present + 1]))
    masked = np.where(live, order.feedback_ids, np.iinfo(np.int64).max)
    smallest = np.array([masked[a:b].min() for a, b in zip(*bounds.tolist(), strict=True)], np.int64) \
        if among is not None else (np.minimum.reduceat(masked, bounds[0]) if len(present) else np.empty(0, np.int64))
    negative = -np.round(weight[present], 9)
    by = np.lexsort((smallest, negative))
    return present[by], negative[by], smallest[by]


def _re_ranked(order: QueueOrder, live: np.ndarray, *, spot: bool = False) -> np.ndarray:
    """The stored ranking (of spot checks with `spot`) after answers: the clusters that lost
    members are taken out, ranked again and put back where their new weight places them; the
    others keep their order. `live` is False for every entry of the other kind."""
    kind = order.spot if spot else ~order.spot
    stored = (order.spot_ranked, order.spot_ranked_weight, order.spot_ranked_smallest) if spot else \
        (order.ranked, order.ranked_weight, order.ranked_smallest)
    touched = np.unique(order.cluster[~live & kind])
    if not len(touched):
        return stored[0]
    keep = ~np.isin(stored[0], touched)
    ranked, weight, smallest = stored[0][keep], stored[1][keep], stored[2][keep]
    moved, moved_weight, moved_smallest = _rank_keys(order, live, touched)
    low = np.searchsorted(weight, moved_weight, side="left")
    high = np.searchsorted(weight, moved_weight, side="right")
    at = [int(a + np.searchsorted(smallest[a:b], s)) for a, b, s in
          zip(low.tolist(), high.tolist(), moved_smallest.tolist(), strict=True)]
    return np.insert(ranked, at, moved)


class QueueEntries(Sequence):
    """The queue's entries in review order, made only for the slice a page shows.

    `per_group` lists at most that many waiting members of each group of similar messages,
    one per wording (the most uncertain first; None: every member): the page shows a few and
    offers the rest as one answer for the group, instead of a page of 25 copies of one message.
    The others are listed as those are answered. `remaining` counts every waiting message."""

    def __init__(self, order: QueueOrder, live: np.ndarray, ranked: np.ndarray, per_group: int | None = None):
        self._order, self._live = order, live
        self._ranked = ranked
        self._bounds = order.bounds  # entries of cluster c: bounds[c]:bounds[c + 1]
        self._sizes = np.diff(order.bounds) if live.all() else \
            np.bincount(order.cluster, weights=live, minlength=len(order.cluster_ids)).astype(np.int64)
        # a spot check is one entry for its whole cluster
        counted = np.where(order.spot_cluster, np.minimum(self._sizes, 1), self._sizes) \
            if order.spot_cluster.any() else self._sizes
        self._remaining = int(counted[ranked].sum()) if len(ranked) else 0
        self._listable = live if per_group is None else self._first_of_each_wording(order, live)
        if per_group is None:
            self._shown = counted
        else:
            wordings = np.bincount(order.cluster, weights=self._listable, minlength=len(order.cluster_ids))
            self._shown = np.minimum(np.where(order.spot_cluster, counted, wordings.astype(np.int64)), per_group)
        self._ends = np.cumsum(self._shown[ranked])

    @staticmethod
    def _first_of_each_wording(order: QueueOrder, live: np.ndarray) -> np.ndarray:
        """Live entries that are the first (most uncertain) of their wording in their cluster."""
        if not len(order.wording):
            return live
        waiting = np.flatnonzero(live)
        if not len(waiting):
            return live
        # one int64 per (cluster, wording): ~10 ms at 250,000 entries, where unique rows take 20 times that
        wording = order.wording[waiting] - int(order.wording.min())
        _, first = np.unique(order.cluster[waiting] * (int(wording.max()) + 1) + wording, return_index=True)
        listable = np.zeros(len(live), bool)
        listable[waiting[first]] = True
        return listable

    def __len__(self) -> int:
        return int(self._ends[-1]) if len(self._ends) else 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._slice(start, stop)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._slice(index, index + 1)[0]

    def __iter__(self):
        for start in range(0, len(self), 1000):
            yield from self._slice(start, min(start + 1000, len(self)))

    def _slice(self, start: int, stop: int) -> list[QueueEntry]:
        if start >= stop:
            return []
        order, entries = self._order, []
        first = int(np.searchsorted(self._ends, start, side="right"))
        skip = start - (int(self._ends[first - 1]) if first else 0)
        for c in self._ranked[first:].tolist():
            members = np.arange(self._bounds[c], self._bounds[c + 1])
            spot = bool(order.spot_cluster[c])
            shown = int(self._shown[c])
            left_out = 0 if spot else int(self._sizes[c]) - shown
            members = members[self._listable[members]][:shown]
            last = len(members) - 1
            for at, i in enumerate(members.tolist()):
                if at < skip:
                    continue
                disputed = int(order.disputed_step[i])
                entries.append(QueueEntry(int(order.feedback_ids[i]), int(order.cluster_ids[c]),
                                          float(order.uncertainty[i]), disputed if disputed >= 0 else None, spot,
                                          left_out if at == last else 0))
                if len(entries) == stop - start:
                    return entries
            skip = 0
        return entries

    @property
    def remaining(self) -> int:
        """Every waiting message (a spot check counts once), listed or not."""
        return self._remaining

    def sizes(self) -> dict[int, int]:
        ranked = self._ranked
        return dict(zip(self._order.cluster_ids[ranked].tolist(), self._sizes[ranked].tolist(), strict=True))

    def size_of(self, cluster_id: int) -> int:
        c = int(np.searchsorted(self._order.cluster_ids, cluster_id))
        if c < len(self._order.cluster_ids) and self._order.cluster_ids[c] == cluster_id:
            return int(self._sizes[c])
        return 0

    def members(self, cluster_id: int) -> list[int]:
        c = int(np.searchsorted(self._order.cluster_ids, cluster_id))
        if c >= len(self._order.cluster_ids) or self._order.cluster_ids[c] != cluster_id:
            return []
        members = np.arange(self._bounds[c], self._bounds[c + 1])
        return self._order.feedback_ids[members[self._live[members]]].tolist()

    def spot_step(self, cluster_id: int) -> int | None:
        """The step a spot check's messages are confidently routed to (None: not a spot check)."""
        c = int(np.searchsorted(self._order.cluster_ids, cluster_id))
        if c >= len(self._order.cluster_ids) or self._order.cluster_ids[c] != cluster_id \
                or not self._order.spot_cluster[c]:
            return None
        return int(self._order.step[self._bounds[c]])

    def spot_checks(self) -> int:
        return int(np.count_nonzero(self._order.spot_cluster[self._ranked])) if len(self._ranked) else 0


@dataclass
class ReviewQueue:
    """The queue in review order: clusters by how much one answer teaches (the sum of their
    members' uncertainty = uncertainty × cluster size), members most uncertain first."""

    entries: QueueEntries

    @property
    def remaining(self) -> int:
        """Messages waiting for a person (a spot check counts once): `entries` may list fewer."""
        return self.entries.remaining

    @property
    def like_off_topic(self) -> int:
        """Unrouted items left out of the queue: just like a message a person set aside as
        off-topic (the router's memory), so a person has answered them in effect."""
        return self.entries._order.like_off_topic

    @property
    def clusters(self) -> int:
        """Groups of similar messages waiting, spot checks included."""
        return len(self.entries._ranked)

    @property
    def spot_checks(self) -> int:
        """Spot checks waiting: each one entry of the queue (counted in `remaining`)."""
        return self.entries.spot_checks()

    def spot_step(self, cluster_id: int) -> int | None:
        return self.entries.spot_step(cluster_id)

    @property
    def cluster_sizes(self) -> dict[int, int]:
        """Every waiting cluster's size, by cluster id (built on demand: as many as clusters)."""
        return self.entries.sizes()

    def cluster_size(self, cluster_id: int) -> int:
        return self.entries.size_of(cluster_id)

    def members(self, cluster_id: int) -> list[int]:
        return self.entries.members(cluster_id)


def _uncertainty(routed_by: str, confidence: float | None, threshold: float) -> float:
    """1 − the router's confidence; 1 for an item it could not read at all (no word it knows,
    or no router yet), whatever probability its prior gave the likeliest step."""
    if confidence is None or (routed_by == RoutedBy.NONE and confidence >= threshold):
        return 1.0
    return 1.0 - confidence


def review_queue(step=None, *, per_group: int | None = None) -> ReviewQueue:
    """Every item that needs a person, ordered by how much one answer teaches (see above).
    `step` keeps the items now on that step (model routes the router doubts, disputed rules);
    `per_group` lists at most that many members of each group (`QueueEntries`).

    From the stored `queue_order`: the items a person has answered since (a few, found by the
    index on `routed_by`) drop out and only then is the order re-ranked, in arrays. If one COUNT
    of the items needing a person disagrees with the stored order (something else moved items
    in or out: a step deleted, a re-routing under way), the order is computed again."""
    _, threshold = _router_state()
    order = queue_order()
    answered = np.fromiter(Feedback.objects.filter(routed_by__in=[RoutedBy.PERSON, RoutedBy.OFF_TOPIC])
                           .values_list("pk", flat=True).iterator(chunk_size=10_000), np.int64)
    live = ~np.isin(order.feedback_ids, answered)
    _, needing = _queue_counts(threshold)
    if needing != order.needing - int(np.count_nonzero(~live & (order.disputed_step < 0) & ~order.spot)):
        order = queue_order(needing=needing)
        live = ~np.isin(order.feedback_ids, answered)
    share = spot_check_share()
    if share <= 0:
        live &= ~order.spot
    if step is not None:
        live &= order.step == step.pk
        ranked, spot_ranked = _ranked(order, live & ~order.spot), _ranked(order, live & order.spot)
    else:
        ranked = order.ranked if live[~order.spot].all() else _re_ranked(order, live & ~order.spot)
        spot_ranked = order.spot_ranked if live[order.spot].all() else _re_ranked(order, live & order.spot, spot=True)
    return ReviewQueue(QueueEntries(order, live, interleave(ranked, spot_ranked, share), per_group))


@dataclass
class QueueItem:
    feedback: Feedback
    entry: QueueEntry
    cluster_size: int
    suggestions: list


def queue_page(queue: ReviewQueue, entries: list[QueueEntry]) -> list[QueueItem]:
    """The feedback rows and router suggestions of one page of queue entries, in queue order."""
    rows = Feedback.objects.select_related("step", "step__stage", "source").in_bulk([e.feedback_id for e in entries])
    items = [QueueItem(rows[e.feedback_id], e, queue.cluster_size(e.cluster_id) or 1, [])
             for e in entries if e.feedback_id in rows]
    suggestions = suggestions_for([item.feedback for item in items])
    for item in items:
        item.suggestions = suggestions.get(item.feedback.pk, [])
    return items


@dataclass
class QueueCluster:
    cluster_id: int
    size: int
    member_ids: list[int]
    sample: list[Feedback]
    suggestions: list
    spot_step: Step | None = None  # a spot check: the step the router is sure these messages are about

    def all_but(self, left_out: Sequence) -> list[int]:
        """The members an answer "for all but these" places: every waiting member except
        `left_out` (ids of messages of this cluster a person unticked: they keep waiting).
        ValueError naming the problem for an id that is not a waiting member, or when nothing
        would be left to answer."""
        members = set(self.member_ids)
        out: set[int] = set()
        for value in left_out:
            text = str(value).strip()
            if not text.isdigit() or int(text) not in members:
                raise ValueError(f"Left out: {text[:20]!r} is not a message of this group waiting for review.")
            out.add(int(text))
        if out and len(out) == len(members):
            raise ValueError("Every message was left out: there is nothing to answer. Answer them one by one "
                             "in the queue instead.")
        return [pk for pk in self.member_ids if pk not in out]


def queue_cluster(cluster_id: int) -> QueueCluster | None:
    """One cluster of the queue with a sample of its messages and the router's suggestions for
    the whole cluster (its members' confidences added up); None when no member still waits."""
    queue = review_queue()
    members = queue.members(cluster_id)
    if not members:
        return None
    sample = list(Feedback.objects.select_related("step", "source").filter(pk__in=cluster_sample_ids(members))
                  .order_by("id"))
    votes = cluster_suggestions(members)
    steps = Step.objects.select_related("stage", "stage__journey").in_bulk([pk for pk, *_ in votes])
    spot_step = queue.spot_step(cluster_id)
    return QueueCluster(cluster_id, len(members), members, sample,
                        [Suggestion(steps[pk], share, readable, set_aside=aside)
                         for pk, share, readable, aside in votes if pk in steps],
                        Step.objects.select_related("stage__journey").filter(pk=spot_step).first()
                        if spot_step is not None else None)


CLUSTER_SUGGESTION_MEMBERS = 200  # members whose routes are added up into a cluster's suggestions
CLUSTER_SAMPLE_READ = 200  # members whose texts are read to pick a sample with one of each wording


def cluster_sample_ids(members: list[int]) -> list[int]:
    """The members a group's page shows before its one answer: of its first CLUSTER_SAMPLE_READ
    members in queue order, the first of each wording, then the next in order, CLUSTER_SAMPLE
    in all (`text.clusters.sample_by_wording`; decision 0051)."""
    from cxkeeper.insights.text.clusters import sample_by_wording

    head = members[:CLUSTER_SAMPLE_READ]
    texts = dict(Feedback.objects.filter(pk__in=head).values_list("pk", "text"))
    return sample_by_wording(head, [texts.get(pk, "") for pk in head], CLUSTER_SAMPLE)


def cluster_suggestions(members: list[int]) -> list[tuple[int, float, bool, bool]]:
    """The router's top steps for a whole cluster: (step id, the members' mean confidence for it,
    whether the router knows a word of any of them, whether most of them were set aside from it
    (decision 0057)), best first. Model inference on up to 200
    messages (40–50 ms), so kept per router and set of members (`core.figures`): every view of
    the cluster page and the API after the first reads it; a new router or an answer that takes
    members out of the cluster is a new key."""
    head = sorted(members[:CLUSTER_SUGGESTION_MEMBERS])
    router, _ = _router_state()
    digest = hashlib.sha1(np.asarray(head, np.int64).tobytes(), usedforsecurity=False).hexdigest()
    return figures.figure("insights.cluster_suggestions", (router, len(head), digest),
                          lambda: _cluster_suggestions(head), depends=())


def _cluster_suggestions(members: list[int]) -> list[tuple[int, float, bool, bool]]:
    votes: dict[int, float] = defaultdict(float)
    readable: dict[int, bool] = {}
    aside: dict[int, int] = defaultdict(int)  # members whose wording was set aside from the step
    per_item = suggestions_for(list(Feedback.objects.filter(pk__in=members).only("pk", "text")))
    for suggestions in per_item.values():
        for suggestion in suggestions:
            votes[suggestion.step.pk] += suggestion.confidence
            readable[suggestion.step.pk] = readable.get(suggestion.step.pk, False) or suggestion.readable
            aside[suggestion.step.pk] += suggestion.set_aside
    counted = max(len(per_item), 1)
    ranked = sorted(votes, key=lambda pk: (-votes[pk], pk))[:3]
    # set aside when most of the members that suggest the step were set aside from it
    return [(pk, votes[pk] / counted, readable.get(pk, False), 2 * aside[pk] > counted) for pk in ranked]


@dataclass(frozen=True)
class RoutedShare:
    """Of the stored feedback that counts in figures (off-topic excluded), how much is on a step."""

    total: int
    routed: int

    @property
    def unrouted(self) -> int:
        return self.total - self.routed

    @property
    def share(self) -> float | None:
        return 100.0 * self.routed / self.total if self.total else None

    @property
    def unrouted_share(self) -> float | None:
        return 100.0 * self.unrouted / self.total if self.total else None


def routed_share() -> RoutedShare:
    """The one definition of "routed share" and "unrouted share": read from the step × day
    rollup (unrouted = the step 0 cells), so it equals what every page's figures add up to."""
    sums = StepDayRollup.objects.aggregate(total=Sum("n"), unrouted=Sum("n", filter=Q(step_id=0)))
    total = int(sums["total"] or 0)
    return RoutedShare(total, total - int(sums["unrouted"] or 0))


def latest_relearn():
    """The latest background learning run (None before any correction)."""
    from cxkeeper.insights.models import RelearnRun

    return RelearnRun.objects.order_by("-requested_at", "-id").first()

def filter_choices() -> dict:
    """Values for the explorer's filter menus: small distinct lists from the rollups and the map."""
    from cxkeeper.insights.models import FeedbackSource

    channels, segments = figures.figure("insights.channels_and_segments", (), _channels_and_segments,
                                        depends=(figures.FEEDBACK,))
    return {
        "journeys": list(Journey.objects.order_by("name")),
        "steps": list(Step.objects.select_related("stage", "stage__journey")
                      .order_by("stage__journey__name", "stage__position", "position")),
        "channels": channels,
        "segments": segments,
        "sources": list(FeedbackSource.objects.order_by("name")),
        "routed": ROUTED_FILTERS,
    }


def _channels_and_segments() -> tuple[list[str], list[str]]:
    """Every channel and segment in the rollups: a scan of every fine cell (hundreds of
    milliseconds at a million rows), so kept until the feedback changes (`core.figures`)."""
    cells = FeedbackRollup.objects
    return (sorted(set(cells.values_list("channel", flat=True).distinct())),
            sorted({s or NO_SEGMENT_LABEL for s in cells.values_list("segment", flat=True).distinct()}))


@dataclass
class Suggestion:
    step: Step
    confidence: float
    readable: bool = True  # False: the router knows no word of the text (its "confidence" is a prior), or set it aside
    # the router set the wording aside: its words point to this step, where it came from does not (decision 0057)
    set_aside: bool = False

    @property
    def confident(self) -> bool:
        return self.readable and not self.set_aside and self.confidence >= SUGGESTION_MIN_CONFIDENCE


def suggestions_for(feedback: list[Feedback], *, top: int = 3) -> dict[int, list[Suggestion]]:
    """The current router's top steps for each text (model inference on one page of items).
    Only a suggestion with `confident` (≥ SUGGESTION_MIN_CONFIDENCE) is offered as the answer."""
    from cxkeeper.insights import routing

    router = routing.current_router(train_if_missing=False)
    with_text = [f for f in feedback if f.text]
    if router is None or not with_text:
        return {}
    results = router.route([f.text for f in with_text])
    ids = {label for result in results for label, _ in result.top[:top]}
    steps = {s.pk: s for s in Step.objects.filter(pk__in=ids).select_related("stage", "stage__journey")}
    # Unrouted although its best step passes the threshold: no word of the text is known, or the
    # router set the wording aside (decision 0057, which the page says in words).
    readable = [result.routed or result.confidence < router.threshold for result in results]
    return {f.pk: [Suggestion(steps[label], confidence, known, set_aside=result.set_aside and k == 0)
                   for k, (label, confidence) in enumerate(result.top[:top]) if label in steps]
            for f, result, known in zip(with_text, results, readable, strict=True)}


# ---------------------------------------------------------------- routing quality


@dataclass
class RoutingQuality:
    model: object | None
    per_step: list[dict]
    confused: list[dict]
    shares: list[dict]
    total: int
    routed: RoutedShare
    off_topic: int
    error: str = ""
    evaluated: object | None = None  # the latest router whose accuracy was measured

    @property
    def off_topic_share(self) -> float | None:
        return 100.0 * self.off_topic / self.total if self.total else None

    @property
    def self_training(self) -> dict | None:
        """What the latest router learnt from the organization's own messages (`train_router`'s
        report): the messages it was sure of and learnt from, the distinct messages it read, and
        the contexts it weighed with what they are made of, in words (decisions 0053 and 0054);
        None when it did not self-train."""
        report = (getattr(self.model, "cv_report", None) or {}).get("self_training") or {}
        rounds = report.get("pseudo_labelled") or []
        if not rounds:
            return None
        parts = report.get("context_parts") or ["source", "channel"]  # routers before decision 0054
        return {"sure": rounds[-1], "sample": report.get("sample", 0), "contexts": report.get("contexts", 0),
                "parts": list(parts), "set_aside": report.get("contradicted")}  # None before decision 0056

    @property
    def self_training_sentence(self) -> str | None:
        """`self_training` in one plain sentence, as the page and `cxkeeper route quality` say it."""
        learnt = self.self_training
        if learnt is None:
            return None
        parts = learnt["parts"]
        weighed = (f", weighing where each came from and who wrote it: {numbers.count(learnt['contexts'])} "
                   f"combinations of {', '.join(parts[:-1])} and {parts[-1]}" if learnt["contexts"] > 1 else "")
        set_aside = learnt["set_aside"]
        wordings = numbers.plural(set_aside, "wording", "wordings") if set_aside else ""
        doubted = (f" It left {numbers.count(set_aside)} {wordings} for a person to place: where they came from "
                   "contradicted the step their words pointed to." if set_aside else "")
        return (f"It also learnt your customers' own wording from {numbers.count(learnt['sure'])} of your stored "
                f"messages it was sure of ({numbers.count(learnt['sample'])} distinct messages read){weighed}."
                + doubted)

    def as_data(self) -> dict:
        """The same figures as the routing quality page, as plain data for the API and the CLI's
        ``--json`` (shares in %, accuracy too; names and ids, never internal objects)."""
        evaluated, model, learnt = self.evaluated, self.model, self.self_training

        def step(value, step_id):
            if step_id is None:
                return None
            return {"id": int(step_id), "name": value.name if value else None,
                    "journey": value.stage.journey.name if value else None}

        measured = evaluated is not None and evaluated.cv_accuracy is not None
        return {
            "accuracy": {"percent": 100.0 * evaluated.cv_accuracy, "n_examples": evaluated.n_examples,
                         "n_corrections": evaluated.n_corrections, "measured_at": evaluated.created_at}
            if measured else None,
            "stored": {"total": self.routed.total, "routed": self.routed.routed, "unrouted": self.routed.unrouted,
                       "routed_share": self.routed.share, "unrouted_share": self.routed.unrouted_share},
            "off_topic": {"n": self.off_topic, "of": self.total, "share": self.off_topic_share},
            "placed_by": [{"routed_by": row["routed_by"], "on_step": row["on_step"], "label": row["label"],
                           "n": row["n"], "share": row["share"]} for row in self.shares],
            "router": {"trained_at": model.created_at, "n_examples": model.n_examples, "n_steps": model.n_labels,
                       "n_corrections": model.n_corrections, "threshold_percent": 100.0 * model.threshold}
            if model is not None else None,
            "self_training": {"learnt_from": learnt["sure"], "distinct_read": learnt["sample"],
                              "contexts": learnt["contexts"], "context_parts": learnt["parts"],
                              "set_aside": learnt["set_aside"]} if learnt else None,
            "per_step": [{"step": step(row["step"], row["step_id"]), "accuracy_percent": 100.0 * row["accuracy"]}
                         for row in self.per_step],
            "confused": [{"about": step(row["true"], row["true_id"]),
                          "taken_for": step(row["predicted"], row["predicted_id"]), "times": row["count"]}
                         for row in self.confused],
            "error": self.error or None,
        }


def routing_quality() -> RoutingQuality:
    """One consistent set of routing figures: the latest router's cross-validated accuracy on
    its own training examples (with their n), the routed and unrouted shares of stored feedback
    (`routed_share`, off-topic excluded), the off-topic share of everything stored, and how each
    stored item was placed — the step-less rows of that table add up to the unrouted count.
    A count over every stored row (seconds at a million), so computed once per change of the
    feedback, the router or the map (`core.figures`)."""
    return figures.figure("insights.routing_quality", (), _routing_quality)


def _routing_quality() -> RoutingQuality:
    from cxkeeper.insights.models import RouterModel

    routers = RouterModel.objects.defer("blob").order_by("-created_at", "-id")
    model = routers.first()
    # Background learning skips the measurement: the figures come from the last measured router.
    evaluated = routers.filter(cv_accuracy__isnull=False).first() or model
    report = (evaluated.cv_report or {}) if evaluated else {}
    per_step_raw = report.get("per_step_accuracy", {}) or {}
    pairs = report.get("confused_pairs", []) or []
    ids = {int(k) for k in per_step_raw} | {int(p[k]) for p in pairs for k in ("true", "predicted")
                                            if p.get(k) is not None}
    steps = {s.pk: s for s in Step.objects.filter(pk__in=ids).select_related("stage", "stage__journey")}

    def name(step_id):
        return steps.get(int(step_id)) if step_id is not None else None

    per_step = sorted(({"step": name(k), "step_id": int(k), "accuracy": v} for k, v in per_step_raw.items()),
                      key=lambda row: (row["accuracy"], row["step_id"]))
    confused = [{"true": name(p.get("true")), "predicted": name(p.get("predicted")),
                 "true_id": p.get("true"), "predicted_id": p.get("predicted"), "count": p.get("count", 0)}
                for p in pairs]
    on_step = ExpressionWrapper(Q(step__isnull=False), output_field=BooleanField())
    counts: dict[tuple[str, bool], int] = defaultdict(int)
    for routed_by, placed, n in (Feedback.objects.annotate(on_step=on_step).values_list("routed_by", "on_step")
                                 .annotate(n=Count("pk")).order_by()):
        counts[(routed_by, bool(placed))] += n
    grand = sum(counts.values())
    rows = [(RoutedBy.RULE, True, "Rule: on a step named by the source's step column"),
            (RoutedBy.MODEL, True, "Model: on the step the router was confident about"),
            (RoutedBy.PERSON, True, "Person: on the step a reviewer chose"),
            (RoutedBy.PERSON, False, "Person: reviewed, none of the steps fits"),
            (RoutedBy.NONE, False, "Unrouted: no step confident enough, or no text")]
    shares = [{"routed_by": value.value, "on_step": on_step, "label": label, "n": counts.get((value, on_step), 0)}
              for value, on_step, label in rows]
    off_topic = counts.get((RoutedBy.OFF_TOPIC, False), 0)
    shares.append({"routed_by": RoutedBy.OFF_TOPIC.value, "on_step": False, "label": "Off-topic: in no figure",
                   "n": off_topic})
    for row in shares:
        row["share"] = 100.0 * row["n"] / grand if grand else None
    return RoutingQuality(model, per_step, confused, shares, grand, routed_share(), off_topic,
                          report.get("error", ""), evaluated)

# ---------------------------------------------------------------- themes (optional module)

THEME_ITEMS = 1000  # texts clustered for one step page: bounded, like every raw read


def journey_themes(journey: Journey | None, *, since: dt.date | None, discover, as_of: dt.date | None = None) -> list:
    """Clustering is seconds of work: computed once per journey (None: all journeys) and period
    for each change of the data (`core.figures`), shared by every worker process. The texts
    are a uniform sample of at most THEME_ITEMS, across journeys for None; `as_of` ends the
    period and its growth comparison (default: the clock's data-through day)."""
    as_of = as_of or clock.as_of()
    return figures.figure("insights.themes", (journey, since, as_of, THEME_ITEMS),
                          lambda: discover(journey=journey, since=since, max_items=THEME_ITEMS, as_of=as_of))


def step_themes(step: Step, *, since: dt.date | None = None, as_of: dt.date | None = None) -> list | None:
    """Themes of the step's journey that sit on this step (most items routed here, or the
    router would send them here), discovered over `since` … `as_of` — the page's period, whose
    end is the clock's data-through day by default, like every figure. None when
    `cxkeeper.insights.themes` is not installed."""
    try:
        from cxkeeper.insights.themes import discover_themes
    except ImportError:
        return None
    themes = journey_themes(step.stage.journey, since=since, discover=discover_themes, as_of=as_of)
    return [t for t in themes if t.main_step_id == step.pk
            or (t.suggested_step is not None and t.suggested_step.pk == step.pk)]


# ---------------------------------------------------------------- friction


def latest_feedback_day() -> dt.date | None:
    """The data-through day of the clock (`clock.data_through`): friction windows end there, so
    an export that stopped a week ago is judged on its last four weeks, not on empty days, and
    a few late-dated rows do not move the window."""
    return clock.data_through()


def friction_signals(journey: Journey | None, *, window_days: int = 28, with_themes: bool = True) -> dict:
    """Friction signals of a journey (None: every journey) over the window ending on the clock's
    day: computed once per change of the data (`core.figures`)."""
    as_of = latest_feedback_day()
    if as_of is None:
        return {"as_of": None, "signals": [], "family_size": 0, "themes": [], "not_tested": []}
    return figures.figure("insights.friction_signals", (journey, window_days, with_themes, as_of),
                          lambda: _friction_signals(journey, as_of=as_of, window_days=window_days,
                                                    with_themes=with_themes))


def _friction_signals(journey: Journey | None, *, as_of: dt.date, window_days: int, with_themes: bool) -> dict:
    from cxkeeper.insights.friction import run_friction

    themes = None
    if with_themes:
        from cxkeeper.insights.themes import discover_themes

        themes = journey_themes(journey, since=as_of - dt.timedelta(days=56), discover=discover_themes, as_of=as_of)
    run = run_friction(journey, as_of=as_of, window_days=window_days, themes=themes if themes is not None else [])
    return {"as_of": as_of, "signals": run.signals, "family_size": run.family_size, "themes": run.themes,
            "not_tested": run.not_tested}


def sentiment_choice():
    """The sentiment model in use and how it measured against VADER (None before any choice)."""
    from cxkeeper.insights.sentiment_store import current_record

    return current_record()


def feedback_routed_to(steps) -> int:
    """How many feedback items are routed to these steps, read from the step × day rollup
    (no scan of raw feedback), e.g. to say what a step delete would unroute."""
    total = StepDayRollup.objects.filter(step_id__in=steps.values("pk")).aggregate(n=Sum("n"))["n"]
    return int(total or 0)
