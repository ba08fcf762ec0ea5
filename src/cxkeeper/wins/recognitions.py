"""The wins app's provider for outcomes' registry of wins (scorecards, organization view)."""

from __future__ import annotations

from cxkeeper.outcomes import recognitions
from cxkeeper.outcomes.recognitions import Recognition


def _recognitions(team) -> list[Recognition]:
    from cxkeeper.wins import queries

    out = []
    for row in queries.wins(team=team):
        credit = queries.credit(row.subject)
        mine = next((c for c in credit if team is not None and c.team.pk == team.pk), None)
        out.append(Recognition(
            row.subject.title, row.label, row.effect_text, row.sentence, row.get_absolute_url(), row.change_date,
            tuple((c.team.name, c.role, c.hidden_hero) for c in credit),
            mine.role if mine else "", bool(mine and mine.hidden_hero)))
    return out


def register() -> None:
    recognitions.register_provider("wins", _recognitions)
