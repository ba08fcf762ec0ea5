"""A small world whose priority figures are known by hand: over the 90 days to 30 Jun 2026,

- "Log in to the app": 50 answers, every customer effort score 3, all texts negative — 20 in
  the first half of the period, 30 in the second (trend 1.5);
- "Call the helpline": 50 answers, every effort score 6, no text (no negative feedback).

The journey's effort is therefore 4.5; the login step is 1.5 below it, a quarter of the 1–7
scale (severity 0.25); the helpline is above it (severity 0)."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.testing.outcomes_builders import ensure_standard_metrics

AS_OF = dt.date(2026, 6, 30)
NEGATIVE = "This is terrible, the app is broken and I hate it. Awful, useless, horrible."


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


def plant_feedback(org) -> None:
    ensure_standard_metrics()
    rows = []
    first_half = dt.date(2026, 4, 5)   # the period starts 2 Apr; its first half ends 16 May
    second_half = dt.date(2026, 5, 20)
    for i in range(50):
        day = (first_half if i < 20 else second_half) + dt.timedelta(days=i % 20)
        rows.append(CanonicalRow(external_id=f"login-{i}", received_at=_at(day), channel="app", row_number=i + 2,
                                 text=NEGATIVE, ces=3, step="Log in to the app"))
    for i in range(50):
        day = first_half + dt.timedelta(days=i)
        rows.append(CanonicalRow(external_id=f"call-{i}", received_at=_at(day), channel="phone", row_number=i + 60,
                                 ces=6, step="Call the helpline"))
    source = insight_actions.create_source({"name": "Effort survey", "kind": "survey"}, acting_user=SYSTEM)
    insight_actions.ingest_feedback_batch(source, rows)


def friction_points(org):
    login = actions.raise_friction_point({"title": "Login keeps failing", "step": org.login_step},
                                         acting_user=org.keeper)
    helpline = actions.raise_friction_point({"title": "Helpline hold music", "step": org.call_step},
                                            acting_user=org.keeper)
    return login, helpline
