"""The journeys a person really takes, in a real Chromium."""

import re

from playwright.sync_api import expect

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord

from .conftest import open_menu


def test_keeper_signs_in_opens_the_map_and_highlights_a_team(small_org, sign_in, live_server):
    page = sign_in(small_org.keeper)
    open_menu(page, "Map", "Journeys")
    journeys = page.get_by_role("table")
    expect(journeys.get_by_role("link", name="Get help")).to_be_visible()
    journeys.get_by_role("link", name="Get help").click()
    expect(page.get_by_role("heading", name=re.compile("Get help"))).to_be_visible()
    expect(page.locator(".card")).to_have_count(2)

    # Choosing a team swaps the blueprint in place (HTMX) and keeps the choice in the URL.
    page.get_by_label("Show a team's part").select_option(label="IT")
    expect(page.locator(".card.is-highlighted")).to_have_count(1)
    expect(page.locator(".card.is-highlighted")).to_contain_text("Log in to the app")
    expect(page).to_have_url(re.compile(r"team=it"))
    expect(page.get_by_role("status").first).to_contain_text("IT is responsible for 1")
    assert page.console_errors == [], page.console_errors  # includes CSP violations


def test_member_of_owning_team_edits_a_step_and_sees_it_in_history(small_org, sign_in, live_server):
    page = sign_in(small_org.it_member)
    page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/")
    page.get_by_role("link", name="Edit step").click()
    expect(page.get_by_label("Name")).to_be_disabled()  # structure stays with the keeper
    page.get_by_label("Description").fill("Sign in with a one-time code sent by SMS.")
    page.get_by_label("Example customer phrases").fill("the code never arrives\nlogin loops back")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Step saved")
    expect(page.locator(".prose")).to_have_text("Sign in with a one-time code sent by SMS.")
    history = page.locator(".changes").first
    expect(history).to_contain_text("ivan updated step")
    expect(history).to_contain_text("one-time code")
    record = ChangeRecord.objects.filter(step_id=small_org.login_step.pk, action="update").latest("at")
    assert record.actor == small_org.it_member


def test_viewer_is_refused_with_a_reason(small_org, sign_in, live_server):
    page = sign_in(small_org.viewer)
    page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/")
    expect(page.get_by_role("link", name="Edit step")).to_have_count(0)
    response = page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/edit/")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("Viewers cannot edit steps")


def test_stale_edit_is_refused_and_the_typed_text_kept(small_org, sign_in, live_server):
    from cxkeeper.journeys.actions import update_step

    page = sign_in(small_org.keeper)
    page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/edit/")
    # Somebody else saves while this form is open.
    update_step(small_org.login_step, {"description": "Theirs"}, expected_version=1, acting_user=small_org.admin)
    page.get_by_label("Description").fill("Mine")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("changed by someone else")
    expect(page.get_by_label("Description")).to_have_value("Mine")
    small_org.login_step.refresh_from_db()
    assert small_org.login_step.description == "Theirs"


def test_user_text_is_escaped_and_csp_blocks_inline_code(small_org, sign_in, live_server):
    from cxkeeper.journeys.actions import update_step

    update_step(small_org.login_step, {"description": '<img src=x onerror="window.pwned=1"><script>window.pwned=2'
                                                      "</script>"}, expected_version=1, acting_user=SYSTEM)
    page = sign_in(small_org.viewer)
    response = page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".prose")).to_contain_text("<script>")
    assert page.evaluate("window.pwned") is None


def test_login_is_rate_limited(small_org, page, live_server):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(small_org.keeper.username)
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert").first).to_contain_text("enter a correct username and password")
    page.get_by_label("Username").fill(small_org.keeper.username)
    page.get_by_label("Password").fill("still wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_contain_text("Too many failed sign-ins")


def test_blueprint_stays_readable_with_many_steps_and_teams(small_org, sign_in, live_server):
    """30+ steps over 8 stages and 16 teams: cards keep a readable width, the page itself
    does not scroll sideways (only the blueprint does) and lane labels stay in view."""
    from cxkeeper.journeys import actions
    from cxkeeper.journeys.choices import Lane
    from cxkeeper.org.actions import create_team

    teams = [create_team({"name": f"Team number {i:02d}"}, acting_user=SYSTEM) for i in range(16)]
    journey = actions.create_journey({"name": "Everything"}, acting_user=SYSTEM)
    lanes = list(Lane.values)
    for s in range(8):
        stage = actions.add_stage(journey, {"name": f"Stage {s + 1}"}, acting_user=SYSTEM)
        for k in range(4):
            step = actions.add_step(stage, {"name": f"Step {s + 1}.{k + 1} with a longish name",
                                            "lane": lanes[k % 4]}, acting_user=SYSTEM)
            for t in range(3):
                actions.assign_responsibility(step, teams[(s * 4 + k + t) % 16], {"role": "contributes"},
                                              acting_user=SYSTEM)
    page = sign_in(small_org.keeper)
    page.goto(f"{live_server.url}/journeys/{journey.slug}/")
    expect(page.locator(".card")).to_have_count(32)
    widths = page.locator(".card").evaluate_all("cards => cards.map(c => c.getBoundingClientRect().width)")
    assert min(widths) >= 180, widths
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator(".blueprint-wrap").evaluate("el => el.scrollLeft = el.scrollWidth")
    lane_label = page.locator(".bp-lane").first.bounding_box()
    assert 0 <= lane_label["x"] < 60, lane_label  # sticky: still at the left edge after scrolling
