"""What the journey map does when something it refers to is removed (docs/decisions/0008).

Registered by `JourneysConfig.ready()`. A team being deleted loses its responsibilities and
handoffs, each with a DELETE record. (The map's own steps, stages and journeys are removed by
`journeys.actions`, which announces each of them to the apps above.)
"""

from __future__ import annotations

from cxkeeper.core import numbers
from cxkeeper.core.numbers import plural
from cxkeeper.core.removals import explains_removal, on_removal
from cxkeeper.journeys import actions, queries
from cxkeeper.org.models import Team


@on_removal(Team)
def remove_team_from_map(team: Team, *, acting_user) -> None:
    actions.remove_team_from_map(team, acting_user=acting_user)


@explains_removal(Team)
def team_parts_of_the_map(team: Team) -> list[str]:
    responsibilities, handoffs = queries.team_map_parts(team)
    if not responsibilities and not handoffs:
        return []
    return [f"Its {numbers.count(responsibilities)} {plural(responsibilities, 'responsibility', 'responsibilities')} "
            f"and {numbers.count(handoffs)} {plural(handoffs, 'handoff', 'handoffs')} leave every journey map."]
