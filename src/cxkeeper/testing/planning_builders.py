"""Planning exports' world (issue 15, item 7): the small organization's council with an action
item, plus an initiative and action items whose titles would be formulas in a spreadsheet and
whose texts carry the characters iCalendar must escape."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions as governance_actions
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.testing.governance_builders import CouncilWorld, build_council

HOSTILE_TITLE = '=HYPERLINK("http://evil.example","click"); fix, then ship'
LONG_DESCRIPTION = ("Résumé of the work; with commas, semicolons; a backslash \\ and a new line.\n"
                    "Second line — " + "long text that must be folded " * 6).strip()


def build_planning(org) -> CouncilWorld:
    world = build_council(org)
    world.org.initiative = initiative_actions.plan_initiative({
        "title": HOSTILE_TITLE, "description": LONG_DESCRIPTION,
        "teams": [(org.it, "lead"), (org.service, "contributes")], "steps": [org.login_step],
        "milestones": [{"title": "New mail provider, chosen", "due": "2027-05-01", "done": True},
                       {"title": "Release 4.2", "due": "2027-06-01"}, {"title": "Tell the helpline"}],
    }, acting_user=org.it_member)
    world.org.linked_action = governance_actions.raise_action_item(world.council, {
        "title": "@SUM(1,2) — brief the helpline; then +call", "owner_team": org.service,
        "description": LONG_DESCRIPTION, "due": dt.date.today() - dt.timedelta(days=3),
        "link_kind": "initiative", "link_id": world.org.initiative.pk}, acting_user=SYSTEM)
    world.org.undated_action = governance_actions.raise_action_item(world.council, {
        "title": "Write the FAQ", "owner_team": org.sales}, acting_user=SYSTEM)
    return world
