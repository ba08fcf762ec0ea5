"""Reads of friction points, for the pages and the API alike."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cxkeeper.initiatives.choices import TeamRole
from cxkeeper.initiatives.models import FrictionPoint, Initiative, InitiativeMetric, InitiativeTeam, RankingSnapshot
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


# --- initiatives ---


def initiatives(*, status: str | None = None, team=None, friction_point=None) -> QuerySet[Initiative]:
    """Newest first, with their teams, metrics, steps and dependencies at hand."""
    rows = (Initiative.objects.select_related("friction_point", "created_by")
            .prefetch_related(Prefetch("team_roles", InitiativeTeam.objects.select_related("team")),
                              Prefetch("metric_moves", InitiativeMetric.objects.select_related("metric")),
                              Prefetch("steps", Step.objects.select_related("stage__journey")),
                              "depends_on"))
    if status:
        rows = rows.filter(status=status)
    if team is not None:
        rows = rows.filter(team_roles__team=team).distinct()
    if friction_point is not None:
        rows = rows.filter(friction_point=friction_point)
    return rows


def initiative_by_id(pk: int) -> Initiative:
    return get_object_or_404(initiatives(), pk=pk)


def initiatives_of_team(team) -> QuerySet[Initiative]:
    return Initiative.objects.filter(team_roles__team=team).distinct()


def lead_team(initiative: Initiative):
    return next((r.team for r in initiative.team_roles.all() if r.role == TeamRole.LEAD), None)


def initiative_dict(initiative: Initiative) -> dict:
    """The plain shape of an initiative: the CLI's `--json` and the API read the same fields."""
    return {
        "id": initiative.pk, "title": initiative.title, "description": initiative.description,
        "status": initiative.status, "status_label": initiative.get_status_display(),
        "ship_date": initiative.ship_date.isoformat() if initiative.ship_date else None,
        "friction_point_id": initiative.friction_point_id,
        "friction_point_title": initiative.friction_point.title if initiative.friction_point_id else None,
        "teams": [{"team_id": r.team_id, "team": r.team.name, "role": r.role} for r in initiative.teams_in_order()],
        "steps": [{"step_id": s.pk, "step": s.name} for s in initiative.steps.all()],
        "metrics": [{"metric_id": m.metric_id, "metric": m.metric.name, "metric_key": m.metric.key,
                     "direction": m.direction} for m in initiative.metric_moves.all()],
        "milestones": list(initiative.milestones or []),
        "depends_on": [{"initiative_id": d.pk, "title": d.title} for d in initiative.depends_on.all()],
        "version": initiative.version,
    }


def ranking_history(limit: int = 10) -> list[RankingSnapshot]:
    return list(RankingSnapshot.objects.all()[:limit])
