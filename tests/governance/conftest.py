"""Governance worlds: a council on the small organization (testing/governance_builders.py) and,
for the agenda, feedback whose shape is known."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.ingest.canonical import CanonicalRow

DAYS = 140
PER_DAY = 8
BAD_DAYS = 20  # the helpline turns bad over the last 20 days of data


def day_at(days_ago: int) -> dt.datetime:
    now = timezone.now().astimezone(dt.UTC).replace(hour=11, minute=0, second=0, microsecond=0)
    return now - dt.timedelta(days=days_ago)


def helpline_turns_bad(seed: int = 5) -> list[CanonicalRow]:
    """`DAYS` days of feedback up to yesterday, `PER_DAY` a day at each of the two steps: the
    login step is liked throughout; the helpline is liked until `BAD_DAYS` days ago, then hated."""
    rng = random.Random(seed)
    rows = []
    for age in range(DAYS, 0, -1):
        for i in range(PER_DAY):
            good = rng.choice([9, 10, 10, 9, 8, 10])
            bad = rng.choice([0, 1, 2, 3, 5, 6])
            rows.append(CanonicalRow(external_id=f"login-{age}-{i}", received_at=day_at(age), channel="app",
                                     row_number=len(rows) + 2, text="Signed in fine", nps=good,
                                     step="Log in to the app"))
            rows.append(CanonicalRow(external_id=f"call-{age}-{i}", received_at=day_at(age), channel="phone",
                                     row_number=len(rows) + 2, text="Called the helpline",
                                     nps=bad if age <= BAD_DAYS else rng.choice([9, 10, 10, 9, 8, 10]),
                                     step="Call the helpline"))
    return rows


def load_feedback(rows) -> None:
    source = insight_actions.create_source({"name": "Relationship survey", "kind": "survey"}, acting_user=SYSTEM)
    insight_actions.ingest_feedback_batch(source, rows)
