"""What a team has committed to, for the "Commitments" section of its scorecard.

Commitments are kept by apps above outcomes (governance's action items; initiatives later),
which outcomes may not import (docs/decisions/0010). So outcomes keeps a registry: each of those
apps registers a provider at app-ready time, and the scorecard asks every provider for the
team's commitments (docs/decisions/0028).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from cxkeeper.core import figures


@dataclass(frozen=True)
class Commitment:
    kind: str            # "action item", later "initiative"
    title: str
    url: str
    status: str          # a readable status ("open", "done" …)
    due: dt.date | None
    overdue: bool
    source: str = ""     # where it was committed (a council, a decision)


Provider = Callable[[object], list[Commitment]]  # team → its commitments

_providers: dict[str, Provider] = {}


def register_provider(name: str, provider: Provider) -> None:
    """Idempotent by name (app configs may be readied more than once in tests)."""
    _providers[name] = provider


def commitments_of(team) -> list[Commitment]:
    """Every provider's commitments of the team: open ones first (overdue first), by due date.
    Kept per change of the data and day (`core.figures`): the scorecard shows them on every view."""
    def compute() -> list[Commitment]:
        found = [c for provider in _providers.values() for c in provider(team)]
        return sorted(found, key=lambda c: (c.status in ("done", "dropped"), not c.overdue, c.due or dt.date.max,
                                            c.title))

    return figures.figure("outcomes.commitments_of", (team.pk, timezone.localdate()), compute)
