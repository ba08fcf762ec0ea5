"""What the sponsor's summary on the organization view (outcomes, a lower layer) shows of
initiatives: friction points escalated to the sponsor, and the top of the priority board
(the registry in `outcomes.summary`, docs/decisions/0038)."""

from __future__ import annotations

from django.urls import reverse

from cxkeeper.core import numbers
from cxkeeper.outcomes.summary import PRIORITIES_SHOWN, SponsorItem, register_provider


def escalated_friction() -> list[SponsorItem]:
    from cxkeeper.initiatives import queries

    found = []
    for decision in queries.escalations():
        point = decision.friction_point
        when = decision.escalated_at.date() if decision.escalated_at else None
        who = f" by {decision.escalated_by.get_username()}" if decision.escalated_by_id else ""
        found.append(SponsorItem(point.title, reverse("initiatives:friction_point", args=[point.pk]),
                                 f"Friction point escalated{who}: the affected teams did not agree.", None, when))
    return found


def top_priorities() -> list[SponsorItem]:
    from cxkeeper.initiatives import priority

    board = priority.board(remember=False)
    total = len(board.entries)
    found = []
    for entry in board.entries[:PRIORITIES_SHOWN]:
        m = entry.measures
        found.append(SponsorItem(
            entry.title, reverse("initiatives:friction_point", args=[entry.friction_point_id]),
            f"Priority {entry.rank} of {total}: about {numbers.fixed(m.customers_per_month, 0)} customers a month "
            f"at its steps (n={numbers.count(m.n)} in the board's period)"
            + (f"; the board asks the sponsor to look at it ({'; '.join(entry.flags)})." if entry.to_sponsor
               else "."), m.n))
    return found


def register() -> None:
    register_provider("escalations", "initiatives.friction", escalated_friction)
    register_provider("priorities", "initiatives.board", top_priorities)
