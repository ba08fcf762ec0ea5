"""What governance does when a team or a journey is removed (docs/decisions/0008): a team's
seats and action items go, each with a history record; a council's scope loses the journey."""

from __future__ import annotations

from cxkeeper.core import numbers
from cxkeeper.core.numbers import plural
from cxkeeper.core.removals import explains_removal, on_removal
from cxkeeper.governance import actions
from cxkeeper.governance.models import ActionItem, CouncilMember
from cxkeeper.journeys.models import Journey
from cxkeeper.org.models import Team


@on_removal(Team)
def remove_team_from_councils(team: Team, *, acting_user) -> None:
    actions.remove_team_from_councils(team, acting_user=acting_user)


@on_removal(Journey)
def remove_journey_from_councils(journey: Journey, *, acting_user) -> None:
    actions.remove_journey_from_councils(journey, acting_user=acting_user)


@explains_removal(Team)
def seats_and_actions_go(team: Team) -> list[str]:
    seats = CouncilMember.objects.filter(team=team).count()
    items = ActionItem.objects.filter(owner_team=team).count()
    lines = []
    if seats:
        lines.append(f"Its {numbers.count(seats)} council {plural(seats, 'seat', 'seats')} "
                     f"{plural(seats, 'goes', 'go')}.")
    if items:
        lines.append(f"Its {numbers.count(items)} action {plural(items, 'item', 'items')} "
                     f"{plural(items, 'is', 'are')} deleted (kept in the history).")
    return lines
