"""Reads of friction points, for the pages and the API alike."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.journeys.models import Journey, Stage, Step


def friction_points(*, journey=None, step=None, status: str | None = None) -> QuerySet[FrictionPoint]:
    """Newest first; each filter is optional (a journey, a step, a status value)."""
    rows = FrictionPoint.objects.select_related("journey", "step", "step__stage", "raised_by")
    if journey is not None:
        rows = rows.filter(journey=journey)
    if step is not None:
        rows = rows.filter(step=step)
    if status:
        rows = rows.filter(status=status)
    return rows


def friction_point_by_id(pk: int) -> FrictionPoint:
    return get_object_or_404(FrictionPoint.objects.select_related("journey", "step", "step__stage", "raised_by"),
                             pk=pk)


def theme_by_key(journey, key: str, *, since=None, as_of=None):
    """The theme `key` among the journey's themes, from the same cached discovery the friction
    and step pages use (`insights.queries.journey_themes`); None when it is no longer found."""
    from cxkeeper.insights import queries as insight_queries
    from cxkeeper.insights.themes import discover_themes

    themes = insight_queries.journey_themes(journey, since=since, discover=discover_themes, as_of=as_of)
    return next((t for t in themes if t.key == key), None)


def signal_by_ref(journey, *, window_days: int, kind: str, metric: str, step_id: int | None,
                  theme_key: str = ""):
    """The friction signal a page showed, found again in the same run the friction page makes
    (`insights.queries.friction_signals`, with themes) — or, failing that, in the run without
    themes the API and CLI make. Returns (signal, run result) or (None, None) when it is no
    longer found (new feedback may have changed the run)."""
    from cxkeeper.insights import queries as insight_queries

    def matches(signal) -> bool:
        return (signal.kind == kind and signal.metric == metric
                and (signal.step.pk if signal.step is not None else None) == step_id
                and (not theme_key or (signal.theme is not None and signal.theme.key == theme_key)))

    for with_themes in (True, False) if kind != "negative_theme" else (True,):
        result = insight_queries.friction_signals(journey, window_days=window_days, with_themes=with_themes)
        found = next((s for s in result["signals"] if matches(s)), None)
        if found is not None:
            return found, result
    return None, None


def friction_points_under(place: Journey | Stage | Step) -> QuerySet[FrictionPoint]:
    """Friction points placed at a journey, stage or step (or below it): what its delete detaches."""
    if isinstance(place, Step):
        return FrictionPoint.objects.filter(step=place)
    if isinstance(place, Stage):
        return FrictionPoint.objects.filter(step__stage=place)
    return FrictionPoint.objects.filter(Q(journey=place) | Q(step__stage__journey=place))
