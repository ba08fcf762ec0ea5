"""The sample's wins (issue 13, docs/wins.md), loaded by `cxkeeper demo` after the initiatives:

- **IT's app-login fix** (`sample/initiatives.py`) also counts the phone feedback mentioning
  “login” at the login and call steps (a `MentionWatch`): fewer calls about the login;
- **Technicians text when they are on their way**: Field Engineering's initiative at
  “Technician installation visit”, shipped in spring, aiming at effort — the generator gives
  that step no story, so its effect is shown as *not credible*;
- **First bill shows the part-month charge**: Billing's planned change at “Receive the first
  bill”, live ten days before the end of the data — *too early* to measure.

Then every subject is measured once (`wins.measure`). Idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import Initiative, PlannedChange
from cxkeeper.journeys.models import Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.sample import feedback_text as T
from cxkeeper.sample import organization as org
from cxkeeper.sample.feedback import stories
from cxkeeper.sample.initiatives import LOGIN_FIX
from cxkeeper.wins import actions as win_actions
from cxkeeper.wins.models import MentionWatch

NOT_CREDIBLE = "Technicians text when they are on their way"
QUIET_STEP = "Technician installation visit"
TOO_EARLY = "First bill shows the part-month charge"
TOO_EARLY_STEP = "Receive the first bill"
TOO_EARLY_DAYS = 10  # live this many days before the last day of data


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message)


def quiet_ship_date() -> dt.date:
    """Early in the window's second third: half a year of data around it, far from the login fix."""
    s = stories()
    day = s.start + dt.timedelta(days=int((s.end - s.start).days * 0.4))
    return day - dt.timedelta(days=day.weekday())


def load_sample_wins(console=None) -> list | None:
    fix = Initiative.objects.filter(title=LOGIN_FIX).first()
    if fix is None:
        _say(console, "[yellow]The sample initiatives are not loaded; no sample wins.[/yellow]")
        return None
    if Initiative.objects.filter(title=NOT_CREDIBLE).exists():
        _say(console, "[yellow]The sample wins already exist; they were not loaded again.[/yellow]")
        return None
    steps = {s.name: s for s in Step.objects.filter(name__in=[T.LOGIN_STEP, *T.CALL_STEPS, QUIET_STEP,
                                                              TOO_EARLY_STEP])}
    teams = {t.name: t for t in Team.objects.filter(name__in=[org.FIELD, org.SUPPLY, org.BILLING])}
    ces = MetricDefinition.objects.filter(key="ces").first()
    keeper = get_user_model().objects.filter(person__role="keeper").order_by("pk").first()
    if len(steps) < 5 or len(teams) < 3 or ces is None or keeper is None:
        _say(console, "[yellow]The sample organization is incomplete; no sample wins.[/yellow]")
        return None
    s = stories()
    with transaction.atomic():
        if not MentionWatch.objects.filter(initiative=fix).exists():
            win_actions.watch_mentions(fix, {"topic": "login", "channel": "phone",
                                             "steps": [steps[T.LOGIN_STEP], *(steps[n] for n in T.CALL_STEPS)]},
                                       acting_user=SYSTEM)
        texts = actions.plan_initiative({
            "title": NOT_CREDIBLE,
            "description": "A text with the engineer's name and arrival time when they set off.",
            "teams": [(teams[org.FIELD], "lead"), (teams[org.SUPPLY], "consulted")],
            "steps": [steps[QUIET_STEP]], "metrics": [(ces, "up")],
            "milestones": [{"title": "Texts from the dispatch system", "done": True}],
        }, acting_user=SYSTEM)
        for status in ("approved", "in_progress"):
            texts = actions.set_initiative_status(texts, status, expected_version=texts.version, acting_user=SYSTEM)
        texts = actions.set_initiative_status(texts, "shipped", ship_date=quiet_ship_date(),
                                              expected_version=texts.version, acting_user=SYSTEM)
        planned = actions.declare_planned_change({
            "title": TOO_EARLY, "kind": "launch", "team": teams[org.BILLING],
            "description": "The first bill shows the part-month charge on its own line, with the dates it covers.",
            "go_live": s.end - dt.timedelta(days=TOO_EARLY_DAYS), "steps": [steps[TOO_EARLY_STEP]]},
            acting_user=keeper)
        planned = actions.update_planned_change(planned, {"status": "live"}, expected_version=planned.version,
                                                acting_user=SYSTEM)
    from cxkeeper.wins import queries

    queries.ensure_measured()
    wins = queries.wins()
    _say(console, f"Wins: {len(wins)} measured wins; “{NOT_CREDIBLE}” and “{TOO_EARLY}” measured too")
    return [texts, planned]


def sample_planned(title: str = TOO_EARLY) -> PlannedChange | None:
    return PlannedChange.objects.filter(title=title).first()
