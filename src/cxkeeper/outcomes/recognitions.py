"""Wins a team helped make, for the "Wins" section of its scorecard and of the organization view.

Wins are measured by the wins app, above outcomes, which outcomes may not import
(docs/decisions/0010). As with commitments (`outcomes.commitments`, decision 0028), outcomes
keeps a registry: the wins app registers a provider at app-ready time (docs/decisions/0030).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cxkeeper.core import figures


@dataclass(frozen=True)
class Recognition:
    title: str           # the initiative or planned change
    metric: str          # what moved, in words
    effect: str          # "+2.03", "−57%"
    sentence: str        # the plain sentence of the measurement
    url: str             # the win's page
    change_date: dt.date | None
    teams: tuple[tuple[str, str, bool], ...] = ()  # (team, role, hidden hero)
    role: str = ""       # the team's role (for a team's scorecard)
    hidden_hero: bool = False


# team → its wins; None → every win (the organization view)
Provider = Callable[[object | None], list[Recognition]]

_providers: dict[str, Provider] = {}


def register_provider(name: str, provider: Provider) -> None:
    """Idempotent by name (app configs may be readied more than once in tests)."""
    _providers[name] = provider


def wins_of(team) -> list[Recognition]:
    """Every provider's wins the team helped make, newest change first: kept per change of the
    data (`core.figures`), as `all_wins` is."""
    def compute() -> list[Recognition]:
        found = [r for provider in _providers.values() for r in provider(team)]
        return sorted(found, key=lambda r: (r.change_date or dt.date.min, r.title), reverse=True)

    return figures.figure("outcomes.wins_of", (team.pk,), compute)


def all_wins() -> list[Recognition]:
    """Every provider's wins, newest change first: kept per change of the data (a win is
    measured from feedback and credited from records), as the organization view is."""
    def compute() -> list[Recognition]:
        found = [r for provider in _providers.values() for r in provider(None)]
        return sorted(found, key=lambda r: (r.change_date or dt.date.min, r.title), reverse=True)

    return figures.figure("outcomes.all_wins", (), compute)
