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


def theme_by_key(journey, key: str, *, since=None):
    """The theme `key` among the journey's themes, from the same cached discovery the friction
    and step pages use (`insights.queries.journey_themes`); None when it is no longer found."""
    from cxkeeper.insights import queries as insight_queries
    from cxkeeper.insights.themes import discover_themes

    themes = insight_queries.journey_themes(journey, since=since, discover=discover_themes)
    return next((t for t in themes if t.key == key), None)


def friction_points_under(place: Journey | Stage | Step) -> QuerySet[FrictionPoint]:
    """Friction points placed at a journey, stage or step (or below it): what its delete detaches."""
    if isinstance(place, Step):
        return FrictionPoint.objects.filter(step=place)
    if isinstance(place, Stage):
        return FrictionPoint.objects.filter(step__stage=place)
    return FrictionPoint.objects.filter(Q(journey=place) | Q(step__stage__journey=place))
