"""What the journey map does when something it refers to is removed (docs/decisions/0008).

Registered by `JourneysConfig.ready()`. A team being deleted loses its responsibilities and
handoffs, each with a DELETE record. (The map's own steps, stages and journeys are removed by
`journeys.actions`, which announces each of them to the apps above.)
"""

from __future__ import annotations

from cxkeeper.core.removals import on_removal
from cxkeeper.journeys import actions
from cxkeeper.org.models import Team


@on_removal(Team)
def remove_team_from_map(team: Team, *, acting_user) -> None:
    actions.remove_team_from_map(team, acting_user=acting_user)
