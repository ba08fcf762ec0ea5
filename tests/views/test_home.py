"""Home is "my work" (issue 14): for each role on known data, the first-run checklist of a new
workspace, and what changed since the person's last visit."""

import re

import pytest
from django.test import Client

from cxkeeper import home
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.roles import Role
from cxkeeper.governance import actions as governance_actions
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import Workspace
from cxkeeper.testing.builders import PASSWORD, build_small_org
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.testing.governance_builders import build_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """IT (ivan) owns "Log in to the app" and owes a perspective on a friction point there, and
    holds the council's action item; Sales (sara) is affected through a handoff; vic (a viewer)
    sponsors the workspace and the council; kim keeps; ada administers."""
    return build_council(add_cocreation(build_small_org()))


def home_of(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading: str) -> str:
    """The text of the <section> whose heading starts with `heading` ("" when there is none)."""
    for part in re.findall(r"<section.*?</section>", html, re.S):
        if re.search(r"<h2[^>]*>\s*" + re.escape(heading), part):
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))
    return ""


def test_a_team_member_sees_their_steps_perspectives_owed_and_action_items(world):
    html = home_of(world.it_member)
    steps = section(html, "IT: your team's steps")
    assert "Log in to the app" in steps and "Call the helpline" not in steps
    assert "owns" in steps and "The team's scorecard" in steps
    assert "Password reset e-mails arrive late" in section(html, "Perspectives your team owes")
    assert "Send reset e-mails within a minute" in section(html, "My action items")
    assert section(html, "Escalations waiting for you") == ""  # not a sponsor
    assert "You are not in a team yet" not in html


def test_an_answer_takes_the_perspective_off_the_list(world):
    owed = section(home_of(world.it_member), "Perspectives your team owes")
    assert "Password reset e-mails arrive late" in owed
    initiative_actions.give_perspective(world.fp, world.it, {"stance": "support", "reason": "We can fix it."},
                                        acting_user=world.it_member)
    owed = section(home_of(world.it_member), "Perspectives your team owes")
    assert "Password reset e-mails arrive late" not in owed and "answered every" in owed


def test_a_member_whose_team_owns_nothing_is_told_what_to_do(world):
    html = home_of(world.sales_member)
    assert "Sales owns or contributes to no step yet" in section(html, "Sales: your team's steps")
    assert "Password reset e-mails arrive late" in section(html, "Perspectives your team owes")  # via the handoff
    assert "No open action items for you or your team" in section(html, "My action items")


def test_the_sponsor_sees_escalations_waiting(world):
    html = home_of(world.viewer)
    assert "Nothing is waiting for your decision" in section(html, "Escalations waiting for you")
    assert "You are not in a team yet" in html
    assert section(html, "Targets off track or at risk")  # the organization is the viewer's scope
    governance_actions.escalate(world.council, {"meeting": world.past, "statement": "Close the shop on Sundays?",
                                                "options": ["Yes", "No"]}, acting_user=world.keeper)
    waiting = section(home_of(world.viewer), "Escalations waiting for you")
    assert "Close the shop on Sundays?" in waiting and "CX council" in waiting
    assert "Close the shop on Sundays?" not in home_of(world.keeper)  # the keeper is not the sponsor


def test_the_keeper_sees_the_journeys_they_keep(world):
    kept = section(home_of(world.keeper), "Journeys you keep")
    assert "Get help" in kept and "2 steps" in kept
    assert section(home_of(world.admin), "Journeys you keep") == ""


def test_the_keeper_and_the_admin_see_the_organization(world):
    for user in (world.keeper, world.admin):
        html = home_of(user)
        assert section(html, "Targets off track or at risk")
        assert section(html, "What changed")
        assert section(html, "Escalations waiting for you") == ""
        assert "No open action items for you." in section(html, "My action items")


def test_the_north_star_is_shown_once(world):
    org_actions.update_workspace({"mission": "Make every contact effortless."}, expected_version=None,
                                 acting_user=SYSTEM)
    assert home_of(world.viewer).count("Make every contact effortless.") == 1


def test_a_new_workspace_gets_a_first_run_checklist(db):
    admin = org_actions.create_person(username="ada", password=PASSWORD, role=Role.ADMIN, acting_user=SYSTEM).user
    html = home_of(admin)
    checklist = section(html, "Getting started")
    assert checklist.count("To do:") == 5 and "Done:" not in checklist
    for url in ("/workspace/", "/teams/new/", "/journeys/new/", "/feedback/import/", "/people/new/"):
        assert f'href="{url}"' in html
    # a viewer of the same new workspace is told whom to ask, without links they could not use
    viewer = org_actions.create_person(username="vic", password=PASSWORD, role=Role.VIEWER, acting_user=SYSTEM).user
    html = home_of(viewer)
    checklist = section(html, "Getting started")
    assert "Your keeper writes it." in checklist and 'href="/workspace/"' not in html
    assert checklist.count("To do:") == 4 and "Done: Invite people" in checklist  # two people now
    # each step done is ticked; all done, the checklist goes
    org_actions.update_workspace({"mission": "Effortless."}, expected_version=None, acting_user=SYSTEM)
    team = org_actions.create_team({"name": "IT", "function": "it"}, acting_user=SYSTEM)
    journey = journey_actions.create_journey({"name": "Get help"}, acting_user=SYSTEM)
    checklist = section(home_of(admin), "Getting started")
    assert checklist.count("Done:") == 4 and "To do: Bring in customer feedback" in checklist
    assert [item.done for item in home.first_run_checklist(Workspace.current())] == [True, True, True, False, True]
    assert team.pk and journey.pk


def test_the_small_organization_has_its_north_star_and_feedback_left_to_do(world):
    checklist = section(home_of(world.keeper), "Getting started")
    assert checklist.count("To do:") == 2
    assert "To do: Write the North Star" in checklist and "To do: Bring in customer feedback" in checklist


def test_what_changed_since_the_last_visit(world, client):
    # first sign-in ever: the last week, without the person's own changes
    journey_actions.update_step(world.login_step, {"channel": "web"}, expected_version=world.login_step.version,
                                acting_user=world.it_member)
    assert client.post("/accounts/login/", {"username": "kim", "password": PASSWORD}).status_code == 302
    changes = section(client.get("/").content.decode(), "What changed")
    assert "in the last 7 days" in changes and "Log in to the app" in changes
    client.post("/accounts/logout/")
    # signed in again: since the previous sign-in; what the person changed is not news to them
    assert client.post("/accounts/login/", {"username": "kim", "password": PASSWORD}).status_code == 302
    changes = section(client.get("/").content.decode(), "What changed")
    assert "since your last visit" in changes and "Nobody else has changed anything" in changes
    step = journey_actions.add_step(world.stage, {"name": "Chat with an agent"}, acting_user=world.admin)
    journey_actions.add_step(world.stage, {"name": "Write a letter"}, acting_user=world.keeper)
    changes = section(client.get("/").content.decode(), "What changed")
    assert step.name in changes and "Write a letter" not in changes
