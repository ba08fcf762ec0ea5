"""Co-creation in a real Chromium: a friction point is raised, three people of three teams give
their team's perspective, the tension shows at the top, the teams disagree on the options and
the executive sponsor decides, and the keeper starts an initiative from the decision with its
teams."""

import re

from playwright.sync_api import expect

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.roles import Role
from cxkeeper.core.words import possessive
from cxkeeper.initiatives.models import Decision, FrictionPoint, Initiative, Perspective
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.builders import PASSWORD


def test_raise_hear_three_teams_see_the_tension_and_the_sponsor_decides(small_org, browser, live_server):
    o = small_org
    sven = org_actions.create_person(username="sven", password=PASSWORD, role=Role.MEMBER, teams=[o.service],
                                     acting_user=SYSTEM).user
    journey_actions.add_handoff({"from_step": o.call_step, "from_team": o.sales, "to_step": o.login_step,
                                 "to_team": o.it}, acting_user=SYSTEM)
    org_actions.update_workspace({"executive_sponsor": o.viewer}, expected_version=None, acting_user=SYSTEM)

    def session(user):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    # The keeper raises the friction point at the login step: the teams there are asked.
    keeper = session(o.keeper)
    keeper.goto(f"{live_server.url}/friction-points/new/?step={o.login_step.pk}")
    keeper.get_by_label("Title").fill("Password reset e-mails arrive late")
    keeper.get_by_role("button", name="Save").click()
    expect(keeper.get_by_role("heading", name="Password reset e-mails arrive late")).to_be_visible()
    fp = FrictionPoint.objects.get()
    expect(keeper.locator("#tensions-h + ul")).to_contain_text("3 of 3 affected teams have not been heard yet")

    # Three people of three teams answer for their own team.
    for user, team, stance, reason in ((o.it_member, o.it, "support", ""), (sven, o.service, "concerns",
                                       "Agents need a script."), (o.sales_member, o.sales, "object",
                                       "Our promise scripts are frozen until April.")):
        page = session(user)
        page.goto(f"{live_server.url}{fp.get_absolute_url()}")
        page.get_by_role("link", name=f"Give {possessive(team.name)} perspective").click()
        page.check(f"input[name=stance][value={stance}]")
        if reason:
            page.get_by_label("Reason").fill(reason)
        if team == o.it:
            page.get_by_label("Constraint 1: kind").select_option("capacity")
            page.get_by_label("Constraint 1: what it is").fill("No developers free until May.")
        if team == o.service:
            page.get_by_label("What your team could contribute").fill("Agents resend the e-mail by hand.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status").first).to_contain_text(f"{possessive(team.name)} perspective saved")
        assert page.console_errors == [], page.console_errors
        page.context.close()
    assert Perspective.objects.count() == 3

    # The tensions show at the top: the objection and the collision of IT's constraint with Care's offer.
    keeper.reload()
    tensions = keeper.locator("#tensions-h + ul")
    expect(tensions).to_contain_text("Sales objects — Our promise scripts are frozen until April.")
    expect(tensions).to_contain_text("IT’s constraints meet what Customer service could contribute")

    # Two options; the teams disagree; the keeper escalates.
    for title in ("Send the reset code by SMS", "Switch to a faster mail provider"):
        keeper.get_by_label("New option").fill(title)
        keeper.get_by_role("button", name="Propose").click()
    sara = session(o.sales_member)
    sara.goto(f"{live_server.url}{fp.get_absolute_url()}")
    first = sara.locator("article.option").first
    first.get_by_label("Sales:").select_option("object")
    first.get_by_label("Reason").fill("SMS costs us per message.")
    first.get_by_role("button", name="Save Sales’ stance").click()
    expect(sara.locator("article.option").first).to_contain_text("SMS costs us per message.")
    keeper.reload()
    keeper.get_by_label("What the teams disagree on").fill("Sales objects to SMS; nobody backs the mail switch yet.")
    keeper.get_by_role("button", name="Escalate to the executive sponsor").click()
    expect(keeper.locator(".decision")).to_contain_text("Escalated to the executive sponsor")

    # The executive sponsor (a viewer by role) chooses.
    sponsor = session(o.viewer)
    sponsor.goto(f"{live_server.url}{fp.get_absolute_url()}")
    second = sponsor.locator("article.option").nth(1)
    second.get_by_label("Rationale").fill("No cost per message; IT can do it after May.")
    second.get_by_label("Review on").fill("2027-09-01")
    second.get_by_role("button", name="Choose this option (sponsor)").click()
    expect(sponsor.locator(".decision")).to_contain_text(re.compile(
        r"Decided: “Switch to a faster mail provider” — by the executive sponsor \(tie-break\), recorded by vic"))
    decision = Decision.objects.get()
    assert (decision.how, decision.decided_by, str(decision.review_on)) == ("sponsor", o.viewer, "2027-09-01")
    assert sponsor.console_errors == [] and keeper.console_errors == []

    # The keeper starts an initiative from the decision, IT leading: the teams that supported the
    # chosen option contribute, the others are consulted.
    keeper.reload()
    keeper.get_by_label("Lead team").select_option(label=o.it.name)
    keeper.get_by_role("button", name="Start an initiative from this decision").click()
    expect(keeper.get_by_role("heading", name="Switch to a faster mail provider")).to_be_visible()
    initiative = Initiative.objects.get()
    roles = {t.team.name: t.role for t in initiative.teams_in_order()}
    assert roles[o.it.name] == "lead" and roles[o.sales.name] == "consulted", roles
    assert initiative.friction_point == fp and list(initiative.steps.all()) == [o.login_step]
    keeper.goto(f"{live_server.url}{fp.get_absolute_url()}")
    expect(keeper.locator(".decision")).to_contain_text("Initiatives from it: Switch to a faster mail provider")
    assert keeper.console_errors == []
