"""A friction point ready for co-creation, built through the real actions on the small org.

Three teams are affected by "Log in to the app": IT owns it, Customer service contributes to
it, and Sales hands off into it (a handoff from "Call the helpline"). Each has one member
(ivan, sven, sara); the viewer vic is the executive sponsor.
"""

from __future__ import annotations

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
