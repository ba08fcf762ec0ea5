"""Recomputing the costly figures in the background (issue 15 item 1, decision 0039 update).

Pages keep their costly figures in the figure store (decision 0024), computed once per change
of the data — but by the first person who opens the page after the change (seconds: a team
scorecard 8.9 s, the organization view 7.4 s at 1M rows). So each change of the data queues one
`figures.warm` job a little later (changes in quick succession — an import, a keeper's edits —
share it), and the worker computes what people open first: the organization view, every
team's scorecard and the priority board (whose rank history is then kept even if nobody looks).

`CXKEEPER_WARM_FIGURES=off` turns it off; `CXKEEPER_WARM_DELAY_SECONDS` (30) is the wait.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from cxkeeper.jobs import enqueue_once, progress, task

TASK = "figures.warm"


def queue_warm_up(scopes: tuple[str, ...]) -> None:
    """After a change of the data: one warm-up job, a little later (the `after_change` listener)."""
    if getattr(settings, "CXKEEPER_WARM_FIGURES", "on") == "off":
        return
    delay = float(getattr(settings, "CXKEEPER_WARM_DELAY_SECONDS", 30))
    enqueue_once(TASK, TASK, run_at=timezone.now() + dt.timedelta(seconds=delay))


@task(TASK, max_attempts=2, title="Recompute the organization view, scorecards and priorities")
def warm_figures() -> dict:
    """Compute (and so store) the figures of the pages opened first after a change."""
    from cxkeeper.initiatives import priority
    from cxkeeper.insights import clock
    from cxkeeper.org.models import Team
    from cxkeeper.outcomes import queries as outcome_queries

    as_of = clock.data_through() or outcome_queries.default_as_of()
    teams = list(Team.objects.order_by("pk"))
    total = len(teams) + 2
    progress(0, total, "the organization view")
    outcome_queries.org_view(as_of=as_of, period_days=90)
    for done, team in enumerate(teams, start=1):
        progress(done, total, f"the scorecard of {team.name}")
        outcome_queries.scorecard(team, as_of=as_of, period_days=90)
    progress(total - 1, total, "the priority board")
    priority.board()
    progress(total, total, "done")
    return {"teams": len(teams)}
