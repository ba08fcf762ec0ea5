"""What the sponsor's summary on the organization view (outcomes, a lower layer) shows of
governance: council questions escalated to the sponsor (the registry in `outcomes.summary`,
docs/decisions/0038)."""

from __future__ import annotations

from cxkeeper.outcomes.summary import SponsorItem, register_provider


def escalated_questions() -> list[SponsorItem]:
    from cxkeeper.governance import queries

    return [SponsorItem(decision.statement, decision.get_absolute_url(),
                        f"Escalated by the council “{decision.council.name}”.", None,
                        decision.created_at.date() if getattr(decision, "created_at", None) else None)
            for decision in queries.escalations_waiting()]


def register() -> None:
    register_provider("escalations", "governance.councils", escalated_questions)
