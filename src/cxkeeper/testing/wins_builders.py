"""A small world with wins (tests of pages, API, CLI and the browser): the small organization,
four more steps to compare with, and half a year of generated CES answers — the login step's
effort jumps from about 3 to about 5.5 on `FIX`, “Track the repair” drops from 4.5 to 3, the
other steps stay as they were. Through the
real actions: feedback ingested (rollups written as an import does), an initiative planned with
its friction point, perspective and decision, shipped on `FIX`, measured by the wins app.

- `w.fix`: IT leads (back office: a hidden hero), Customer service contributes — a **win** (CES);
- `w.quiet`: Sales' initiative at a quiet step, shipped the same day — **no credible change**;
- `w.tracker`: Sales' initiative at a step whose effort drops on `FIX` — **worse** (a regression);
- `w.unshipped`: approved, not shipped — **cannot measure yet** (never stored);
- `w.no_metric`: shipped, no metric named — **cannot measure yet**, stored with its reason.
"""

from __future__ import annotations

import datetime as dt
import random

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.choices import Lane, ResponsibilityRole
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.builders import SmallOrg, build_small_org

FIX = dt.date(2026, 6, 1)
WEEKS_BEFORE, WEEKS_AFTER = 20, 10
PER_WEEK = 25  # answers a week at each step
QUIET_STEPS = ("Check the service status", "Read the help article", "Chat with an agent", "Track the repair")


def _rows(steps, seed: int = 11) -> list[CanonicalRow]:
    rnd = random.Random(seed)
    start = FIX - dt.timedelta(weeks=WEEKS_BEFORE)
    rows, number = [], 0
    for day_index in range((WEEKS_BEFORE + WEEKS_AFTER) * 7):
        day = start + dt.timedelta(days=day_index)
        for step, jump in steps:
            for _ in range(rnd.choice((3, 3, 4, 4, 4, 5))):
                number += 1
                mean = {"up": 5.5 if day >= FIX else 3.0, "down": 3.0 if day >= FIX else 4.5}.get(jump, 4.5)
                ces = max(1, min(7, round(rnd.gauss(mean, 1.2))))
                at = dt.datetime.combine(day, dt.time(9 + number % 8), tzinfo=dt.UTC)
                rows.append(CanonicalRow(external_id=f"w{number}", received_at=at, channel="survey", row_number=number,
                                         text="", ces=ces, step=step.name))
    return rows


def build_wins_world() -> SmallOrg:
    w = build_small_org()
    quiet = [journey_actions.add_step(w.stage, {"name": name, "lane": Lane.FRONTSTAGE, "channel": "web"},
                                      acting_user=SYSTEM) for name in QUIET_STEPS]
    journey_actions.assign_responsibility(quiet[0], w.sales, {"role": ResponsibilityRole.OWNS}, acting_user=SYSTEM)
    w.quiet_steps = quiet
    source = insight_actions.source_named("Survey", acting_user=SYSTEM, defaults={"kind": "survey",
                                                                                   "default_channel": "survey"})
    rows = _rows([(w.login_step, "up"), (quiet[3], "down"), *((s, None) for s in quiet[:3])])
    for first in range(0, len(rows), 4000):
        insight_actions.ingest_feedback_batch(source, rows[first:first + 4000])

    outcome_actions.restore_standard_metrics(acting_user=SYSTEM)
    ces = MetricDefinition.objects.get(key="ces")
    fp = initiative_actions.raise_friction_point({"title": "Password resets arrive late", "step": w.login_step},
                                                 acting_user=w.keeper)
    from cxkeeper.initiatives import queries as initiative_queries

    option = initiative_actions.propose_option(fp, {"title": "Change the mail provider"}, acting_user=w.keeper)
    for team in initiative_queries.affected_teams(fp):
        initiative_actions.give_perspective(fp, team, {"stance": "support", "contribution": "We help."},
                                            acting_user=SYSTEM)
        initiative_actions.take_option_stance(option, team, {"stance": "support"}, acting_user=SYSTEM)
    initiative_actions.decide_by_consensus(fp, option, rationale="Every team supports it.",
                                           review_on=FIX + dt.timedelta(days=90),
                                           acting_user=w.keeper)
    w.friction_point = fp

    def shipped(title, lead, steps, metrics, others=(), friction_point=None):
        values = {"title": title, "teams": [(lead, "lead"), *((t, "contributes") for t in others)],
                  "steps": steps, "metrics": metrics}
        if friction_point is not None:
            values["friction_point"] = friction_point
        i = initiative_actions.plan_initiative(values, acting_user=SYSTEM)
        for status in ("approved", "in_progress"):
            i = initiative_actions.set_initiative_status(i, status, expected_version=i.version, acting_user=SYSTEM)
        return initiative_actions.set_initiative_status(i, "shipped", ship_date=FIX, expected_version=i.version,
                                                        acting_user=SYSTEM)

    w.fix = shipped("Fix the password reset", w.it, [w.login_step], [(ces, "up")], [w.service], fp)
    w.quiet = shipped("Clearer status page", w.sales, [quiet[0]], [(ces, "up")])
    w.tracker = shipped("New repair tracker", w.sales, [quiet[3]], [(ces, "up")])
    w.no_metric = shipped("Friendlier hold music", w.service, [w.call_step], [])
    unshipped = initiative_actions.plan_initiative({"title": "Call-back button", "teams": [(w.service, "lead")],
                                                    "steps": [w.call_step], "metrics": [(ces, "up")]},
                                                   acting_user=SYSTEM)
    w.unshipped = initiative_actions.set_initiative_status(unshipped, "approved", expected_version=unshipped.version,
                                                           acting_user=SYSTEM)
    from cxkeeper.wins import queries

    queries.ensure_measured()
    w.win = queries.measurements(initiative=w.fix).get(key="ces")
    return w
