"""What initiatives do when a journey or step is removed (docs/decisions/0008).

Registered by `InitiativesConfig.ready()`. Friction points placed there are kept — someone
decided to look at that friction, and its evidence stands — and lose the place, an UPDATE
each (`actions.detach_friction_points`). Initiatives are kept too: a removed step leaves the
steps they change, a removed team leaves their teams, a removed metric the metrics they should
move (`actions.detach_initiatives`).
"""

from __future__ import annotations

from cxkeeper.core import numbers
from cxkeeper.core.numbers import plural
from cxkeeper.core.removals import explains_removal, on_removal
from cxkeeper.initiatives import actions, queries
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes.models import MetricDefinition


@on_removal(Journey, Step)
def detach_friction_points(place: Journey | Step, *, acting_user) -> None:
    actions.detach_friction_points(place, acting_user=acting_user)
    # initiatives leave the removed steps (a journey's steps were announced one by one first)
    steps = [place] if isinstance(place, Step) else list(Step.objects.filter(stage__journey=place))
    actions.detach_initiatives(steps=steps, acting_user=acting_user)


@explains_removal(Journey, Stage, Step)
def friction_points_lose_their_place(place: Journey | Stage | Step) -> list[str]:
    n = queries.friction_points_under(place).count()
    if not n:
        return []
    return [f"{numbers.count(n)} friction {plural(n, 'point', 'points')} placed there {plural(n, 'stays', 'stay')}, "
            "with status and evidence, but without that place."]


@on_removal(Team)
def initiatives_leave_the_team(team: Team, *, acting_user) -> None:
    actions.detach_initiatives(team=team, acting_user=acting_user)


@explains_removal(Team)
def initiatives_of_the_team(team: Team) -> list[str]:
    n = queries.initiatives_of_team(team).count()
    if not n:
        return []
    return [f"It is taken off {numbers.count(n)} {plural(n, 'initiative', 'initiatives')} "
            f"(the {plural(n, 'initiative stays', 'initiatives stay')}, with the other teams)."]


@on_removal(MetricDefinition)
def initiatives_leave_the_metric(metric: MetricDefinition, *, acting_user) -> None:
    actions.detach_initiatives(metric=metric, acting_user=acting_user)


@explains_removal(MetricDefinition)
def initiatives_moving_the_metric(metric: MetricDefinition) -> list[str]:
    n = queries.initiatives().filter(metric_moves__metric=metric).distinct().count()
    if not n:
        return []
    return [f"{numbers.count(n)} {plural(n, 'initiative', 'initiatives')} no longer {plural(n, 'names', 'name')} "
            "it among the metrics to move."]
