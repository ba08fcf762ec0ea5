"""What initiatives do when a journey or step is removed (docs/decisions/0008).

Registered by `InitiativesConfig.ready()`. Friction points placed there are kept — someone
decided to look at that friction, and its evidence stands — and lose the place, an UPDATE
each (`actions.detach_friction_points`). Nothing in initiatives refers to teams.
"""

from __future__ import annotations

from cxkeeper.core.removals import on_removal
from cxkeeper.initiatives import actions
from cxkeeper.journeys.models import Journey, Step


@on_removal(Journey, Step)
def detach_friction_points(place: Journey | Step, *, acting_user) -> None:
    actions.detach_friction_points(place, acting_user=acting_user)
