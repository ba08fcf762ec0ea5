"""What shared outcomes do when a place or a team is removed (docs/decisions/0008).

Registered by `OutcomesConfig.ready()`. Targets set at a deleted journey, stage or step are
deleted through `delete_target` (their success statements stay, without a target); a deleted
team's KPIs are deleted through `delete_team_kpi` (links deleted one by one, values kept in
the KPI's DELETE record).
"""

from __future__ import annotations

from cxkeeper.core import numbers
from cxkeeper.core.numbers import plural
from cxkeeper.core.removals import explains_removal, on_removal
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes import actions, queries


@on_removal(Journey, Stage, Step)
def remove_targets(place: Journey | Stage | Step, *, acting_user) -> None:
    actions.remove_targets_at(place, acting_user=acting_user)


@on_removal(Team)
def remove_team_kpis(team: Team, *, acting_user) -> None:
    actions.remove_team_kpis(team, acting_user=acting_user)


@explains_removal(Journey, Stage, Step)
def targets_there(place: Journey | Stage | Step) -> list[str]:
    n = queries.targets_under(place).count()
    if not n:
        return []
    return [f"{numbers.count(n)} {plural(n, 'target', 'targets')} set there {plural(n, 'is', 'are')} deleted "
            "(success statements that name one stay, without a target)."]


@explains_removal(Team)
def team_kpis(team: Team) -> list[str]:
    n = queries.kpis_of(team).count()
    if not n:
        return []
    return [f"Its {numbers.count(n)} {plural(n, 'KPI', 'KPIs')} {plural(n, 'is', 'are')} deleted, "
            "with their values and links to outcomes."]
