"""A friction point ready for co-creation, built through the real actions on the small org.

Three teams are affected by "Log in to the app": IT owns it, Customer service contributes to
it, and Sales hands off into it (a handoff from "Call the helpline"). Each has one member
(ivan, sven, sara); the viewer vic is the executive sponsor.
"""

from __future__ import annotations

import datetime as dt

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.roles import Role
from cxkeeper.initiatives import actions
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.builders import PASSWORD, SmallOrg, build_small_org


def add_cocreation(o: SmallOrg) -> SmallOrg:
    o.service_member = org_actions.create_person(
        username="sven", password=PASSWORD, role=Role.MEMBER, teams=[o.service], acting_user=SYSTEM,
        full_name="Sven", email="sven@example.com").user
    journey_actions.add_handoff({"from_step": o.call_step, "from_team": o.sales, "to_step": o.login_step,
                                 "to_team": o.it, "description": "Sales sends locked-out buyers to the app."},
                                acting_user=SYSTEM)
    org_actions.update_workspace({"executive_sponsor": o.viewer}, expected_version=None, acting_user=SYSTEM)
    o.fp = actions.raise_friction_point({"title": "Password reset e-mails arrive late", "step": o.login_step},
                                        acting_user=o.it_member)
    o.fp = actions.set_challenge(o.fp, owner_team=o.it, steps=[o.login_step], expected_version=o.fp.version,
                                 acting_user=o.keeper)
    return o


def build_cocreation_org() -> SmallOrg:
    return add_cocreation(build_small_org())


# ---------------------------------------------------------------- stages of the process, for role matrices

DECIDE = {"rationale": "Cheapest that works.", "review_on": "2027-06-01"}


def with_options(o: SmallOrg) -> SmallOrg:
    """One option on the friction point and a planned change at the login step (declared by IT)."""
    o.option = actions.propose_option(o.fp, {"title": "Send the code by SMS"}, acting_user=o.keeper)
    o.planned = actions.declare_planned_change(
        {"title": "New login page", "go_live": "2027-02-01", "steps": [o.login_step], "team": o.it},
        acting_user=o.it_member)
    return o


def escalated(o: SmallOrg) -> SmallOrg:
    """IT objects to the option and the keeper escalates: waiting for the sponsor."""
    actions.take_option_stance(o.option, o.it, {"stance": "object", "reason": "Cost."}, acting_user=o.it_member)
    actions.escalate(o.fp, note="IT objects.", acting_user=o.keeper)
    return o


def agreed(o: SmallOrg) -> SmallOrg:
    """Every affected team supports the option."""
    for team, user in ((o.it, o.it_member), (o.sales, o.sales_member), (o.service, o.service_member)):
        actions.take_option_stance(o.option, team, {"stance": "support"}, acting_user=user)
    return o


def decided(o: SmallOrg) -> SmallOrg:
    """Agreed and recorded as the decision by the keeper."""
    agreed(o)
    actions.decide_by_consensus(o.fp, o.option, rationale="All agree.", review_on=dt.date(2027, 6, 1),
                                acting_user=o.keeper)
    return o
