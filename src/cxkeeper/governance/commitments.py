"""The team's action items as scorecard commitments (outcomes.commitments, filled at app-ready)."""

from __future__ import annotations

from cxkeeper.outcomes.commitments import Commitment, register_provider


def action_items_of(team) -> list[Commitment]:
    from cxkeeper.governance import queries

    today = queries.today()
    return [Commitment("action item", item.title, item.get_absolute_url(), item.get_status_display(), item.due,
                       item.is_overdue(today), item.council.name + (f" · {item.decision.statement[:80]}"
                                                                      if item.decision_id else ""))
            for item in queries.action_items(team=team)]


def register() -> None:
    register_provider("governance.action_items", action_items_of)
