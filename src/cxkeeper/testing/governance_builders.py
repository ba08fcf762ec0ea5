"""A CX council on top of the small organization (builders.py), built through the real actions.

- "CX council": every journey; Vic (a viewer) is the executive sponsor, Kim (the keeper)
  facilitates; IT (Ivan), Sales (Sara) and Customer service (no representative) have seats;
  the quorum is two teams.
- A past meeting (attended by Ivan and Sara: quorum met) with one consensus decision and an
  action item for IT, and the next meeting, planned on the cadence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions
from cxkeeper.governance.models import ActionItem, Council, Decision, Meeting
from cxkeeper.testing.builders import SmallOrg, build_small_org


@dataclass
class CouncilWorld:
    org: SmallOrg
    council: Council
    past: Meeting
    upcoming: Meeting
    decision: Decision
    it_action: ActionItem

    def __getattr__(self, name):
        return getattr(self.org, name)


def build_council(org: SmallOrg) -> CouncilWorld:
    council = actions.create_council({
        "name": "CX council", "purpose": "Decide together what customers need fixed first.",
        "sponsor": org.viewer, "facilitator": org.keeper, "quorum": 2, "cadence_days": 28,
        "council_decides": "Priorities across teams.", "sponsor_decides": "Ties and escalations.",
        "teams_decide": "How to do their part.", "escalation_path": "To the sponsor within a week.",
    }, acting_user=SYSTEM)
    actions.add_member(council, {"team": org.it, "representative": org.it_member}, acting_user=SYSTEM)
    actions.add_member(council, {"team": org.sales, "representative": org.sales_member}, acting_user=SYSTEM)
    actions.add_member(council, {"team": org.service}, acting_user=SYSTEM)
    now = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    past = actions.schedule_meeting(council, {"starts_at": now - dt.timedelta(days=14)}, acting_user=SYSTEM)
    past = actions.record_attendance(past, [org.it_member, org.sales_member, org.keeper],
                                     expected_version=past.version, acting_user=SYSTEM)
    decision = actions.record_decision(council, {
        "meeting": past, "statement": "Fix password reset e-mails before anything else at login",
        "options": ["Fix the e-mails", "Add SMS reset"], "rationale": "Most login calls are about it.",
        "review_on": dt.date.today() + dt.timedelta(days=60)}, acting_user=SYSTEM)
    it_action = actions.raise_action_item(council, {
        "title": "Send reset e-mails within a minute", "owner_team": org.it, "owner": org.it_member,
        "due": dt.date.today() + dt.timedelta(days=21), "decision": decision, "meeting": past}, acting_user=SYSTEM)
    upcoming = actions.schedule_meeting(council, {"starts_at": now + dt.timedelta(days=14)}, acting_user=SYSTEM)
    return CouncilWorld(org, council, past, upcoming, decision, it_action)


def build_council_world() -> CouncilWorld:
    return build_council(build_small_org())
