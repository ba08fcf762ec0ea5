"""Named personas and a small workspace, built through the real actions.

Tests ask for what they need by name (the keeper, a member of IT, a viewer …) instead of
building users and teams by hand, so every test reads like the situation it checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.roles import Role
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.choices import Lane, ResponsibilityRole
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import Team

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test fixtures only


@dataclass
class SmallOrg:
    admin: object
    keeper: object
    it_member: object      # member of IT, which owns "Log in to the app"
    sales_member: object   # member of Sales, which owns nothing in "Get help"
    viewer: object
    it: Team
    sales: Team
    service: Team
    journey: Journey
    stage: Stage
    login_step: Step       # IT owns, Customer service contributes
    call_step: Step        # Customer service owns


def build_small_org() -> SmallOrg:
    it = org_actions.create_team(
        {"name": "IT", "function": "it", "office": "back", "customer_facing": False}, acting_user=SYSTEM
    )
    sales = org_actions.create_team({"name": "Sales", "function": "sales"}, acting_user=SYSTEM)
    service = org_actions.create_team({"name": "Customer service", "function": "customer_service"},
                                      acting_user=SYSTEM)

    def person(username, role, teams=()):
        return org_actions.create_person(
            username=username, password=PASSWORD, role=role, teams=teams, acting_user=SYSTEM,
            full_name=username.title(), email=f"{username}@example.com",
        ).user

    admin = person("ada", Role.ADMIN)
    keeper = person("kim", Role.KEEPER)
    it_member = person("ivan", Role.MEMBER, [it])
    sales_member = person("sara", Role.MEMBER, [sales])
    viewer = person("vic", Role.VIEWER)

    journey = journey_actions.create_journey(
        {"name": "Get help", "description": "From noticing a problem to having it fixed.", "keeper": keeper},
        acting_user=SYSTEM,
    )
    stage = journey_actions.add_stage(journey, {"name": "Ask for help"}, acting_user=SYSTEM)
    login_step = journey_actions.add_step(
        stage,
        {"name": "Log in to the app", "lane": Lane.CUSTOMER_ACTION, "channel": "app",
         "description": "The customer signs in to the app to check their issue.",
         "phrases": ["I can't log in", "password reset never arrives"]},
        acting_user=SYSTEM,
    )
    call_step = journey_actions.add_step(
        stage, {"name": "Call the helpline", "lane": Lane.FRONTSTAGE, "channel": "phone"}, acting_user=SYSTEM
    )
    journey_actions.assign_responsibility(login_step, it, {"role": ResponsibilityRole.OWNS, "is_lead": True},
                                          acting_user=SYSTEM)
    journey_actions.assign_responsibility(login_step, service, {"role": ResponsibilityRole.CONTRIBUTES},
                                          acting_user=SYSTEM)
    journey_actions.assign_responsibility(call_step, service, {"role": ResponsibilityRole.OWNS},
                                          acting_user=SYSTEM)
    return SmallOrg(admin, keeper, it_member, sales_member, viewer, it, sales, service, journey, stage,
                    login_step, call_step)
