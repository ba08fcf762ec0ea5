"""Initiatives a team takes part in, for the "Commitments" section of its scorecard (the registry
in `outcomes.commitments`, docs/decisions/0028): the team's role, the status, and the next open
milestone as the due date — overdue when that milestone's day has passed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cxkeeper.outcomes.commitments import Commitment, register_provider

CLOSED = ("closed",)


def _next_milestone(initiative) -> tuple[str, dt.date | None]:
    for m in initiative.milestones or []:
        if not m.get("done"):
            due = m.get("due")
            return m.get("title", ""), dt.date.fromisoformat(due) if due else None
    return "", None


def initiatives_of(team) -> list[Commitment]:
    from cxkeeper.initiatives.models import InitiativeTeam
    today = timezone.localdate()
    rows = (InitiativeTeam.objects.filter(team=team).exclude(initiative__status__in=CLOSED)
            .select_related("initiative").order_by("initiative__title"))
    found = []
    for row in rows:
        initiative = row.initiative
        milestone, due = _next_milestone(initiative)
        status = initiative.get_status_display()
        if milestone:
            status += f" · next: {milestone}"
        found.append(Commitment("initiative", initiative.title, initiative.get_absolute_url(), status, due,
                                due is not None and due < today, f"{team.name} {row.get_role_display()}"))
    return found


def register() -> None:
    register_provider("initiatives.initiatives", initiatives_of)
