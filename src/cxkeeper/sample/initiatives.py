"""The sample's initiatives and priority board, loaded by `cxkeeper demo` after the outcomes.

- **IT's app-login fix** (DESIGN §7): led by IT & Digital Platforms, with Digital Experience
  Design and Customer Care contributing, at "Log in to the app", to move customer effort up
  and complaints down — shipped on the generator's login-fix date (`feedback.stories()`), the
  day from which its effect is measured. Its friction point is marked addressed.
- **Outage messages**: two initiatives, one depending on the other (the status page must be fed
  from network monitoring before the messages can promise a time), not shipped yet.
- **A ranked board**: open friction points at "Hear about an outage" and "Talk to an agent",
  ranked with the keepers' weights (impact 3, strategic fit 2, effort 1, confidence 1, over 90
  days); the first ranking is kept for the history of rank changes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import Initiative
from cxkeeper.journeys.models import Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.sample import organization as org
from cxkeeper.sample.feedback import stories

LOGIN_FIX = "Fix the app login"
WEIGHTS = {"impact": 3.0, "fit": 2.0, "effort": 1.0, "confidence": 1.0, "period_days": 90}


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message)


def load_sample_initiatives(console=None) -> list[Initiative] | None:
    """The sample's friction points for the board, its weights and its initiatives; None when
    they already exist or the sample organization is not loaded."""
    if Initiative.objects.filter(title=LOGIN_FIX).exists():
        _say(console, "[yellow]The sample initiatives already exist; they were not loaded again.[/yellow]")
        return None
    teams = {t.name: t for t in Team.objects.filter(name__in=[org.IT, org.UX, org.CARE, org.NETWORK,
                                                              org.CORP_COMMS])}
    steps = {s.name: s for s in Step.objects.filter(name__in=["Log in to the app", "Hear about an outage",
                                                              "Talk to an agent"])}
    if len(teams) < 5 or len(steps) < 3:
        _say(console, "[yellow]The sample organization is not loaded; no sample initiatives.[/yellow]")
        return None
    outcome_actions.restore_standard_metrics(acting_user=SYSTEM)
    metric = {m.key: m for m in MetricDefinition.objects.filter(key__in=["ces", "complaints", "csat", "nps"])}
    login_fix = stories().login_fix
    # The CX lead raises the friction points (a friction point records a person who raised it).
    keeper = get_user_model().objects.filter(person__role="keeper").order_by("pk").first()
    if keeper is None:
        _say(console, "[yellow]The sample has no keeper; no sample initiatives.[/yellow]")
        return None
    with transaction.atomic():
        login_fp = actions.raise_friction_point({
            "title": "The app login fails and password resets arrive late", "step": steps["Log in to the app"],
            "description": "Customers who cannot sign in to the app call Customer Care instead."}, acting_user=keeper)
        actions.raise_friction_point({
            "title": "Outage messages leave customers guessing", "step": steps["Hear about an outage"],
            "description": "Texts and the status page say nothing about when service comes back."},
            acting_user=keeper)
        actions.raise_friction_point({
            "title": "Long waits to talk to an agent", "step": steps["Talk to an agent"],
            "description": "Customers on hold for twenty minutes and more at peak times."}, acting_user=keeper)
        actions.set_priority_weights(WEIGHTS, expected_version=None, acting_user=SYSTEM)

        fix = actions.plan_initiative({
            "title": LOGIN_FIX, "friction_point": login_fp,
            "description": "A new mail provider for password resets and a sign-in that remembers the device.",
            "teams": [(teams[org.IT], "lead"), (teams[org.UX], "contributes"), (teams[org.CARE], "contributes")],
            "steps": [steps["Log in to the app"]],
            "metrics": [(metric["ces"], "up"), (metric["complaints"], "down")],
            "milestones": [{"title": "New mail provider for password resets", "done": True,
                            "due": (login_fix - dt.timedelta(days=30)).isoformat()},
                           {"title": "App release with remembered devices", "due": login_fix.isoformat(),
                            "done": True}],
        }, acting_user=SYSTEM)
        for status in ("approved", "in_progress"):
            fix = actions.set_initiative_status(fix, status, expected_version=fix.version, acting_user=SYSTEM)
        fix = actions.set_initiative_status(fix, "shipped", ship_date=login_fix, expected_version=fix.version,
                                            acting_user=SYSTEM)
        actions.set_friction_point_status(login_fp, "addressed", expected_version=login_fp.version,
                                          acting_user=SYSTEM)

        feed = actions.plan_initiative({
            "title": "Feed the status page from network monitoring",
            "teams": [(teams[org.IT], "lead"), (teams[org.NETWORK], "contributes")],
            "steps": [steps["Hear about an outage"]], "metrics": [(metric["complaints"], "down")],
            "milestones": [{"title": "Monitoring events reach the status page"}],
        }, acting_user=SYSTEM)
        messages = actions.plan_initiative({
            "title": "Outage messages that say when service is back",
            "teams": [(teams[org.NETWORK], "lead"), (teams[org.CORP_COMMS], "contributes"),
                      (teams[org.CARE], "consulted")],
            "steps": [steps["Hear about an outage"]], "metrics": [(metric["csat"], "up"), (metric["nps"], "up")],
            "depends_on": [feed],
            "milestones": [{"title": "Message templates agreed with Customer Care"},
                           {"title": "Estimated fix time in every outage text"}],
        }, acting_user=SYSTEM)
        messages = actions.set_initiative_status(messages, "approved", expected_version=messages.version,
                                                 acting_user=SYSTEM)
    from cxkeeper.initiatives import priority

    board = priority.board()
    _say(console, f"Initiatives: 3 (the app-login fix shipped on {login_fix:%d %b %Y}); priority board: "
                  f"{len(board.entries)} open friction points ranked")
    return [fix, feed, messages]
