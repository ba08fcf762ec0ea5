"""Wins in a real Chromium: a viewer opens the wins wall, opens the password-reset win, follows its
chain back to the friction point, comes back and adds a kudos note (escaped, kept with its author)."""

from playwright.sync_api import expect

from cxkeeper.testing.builders import PASSWORD
from cxkeeper.testing.wins_builders import build_wins_world
from cxkeeper.wins.models import Kudos

from .conftest import open_menu


def test_wall_win_chain_back_to_the_friction_point_and_kudos(transactional_db, browser, live_server):
    w = build_wins_world()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(w.viewer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    open_menu(page, "Work together", "Wins")
    expect(page.get_by_role("heading", name="Wins", exact=True)).to_be_visible()
    expect(page.locator(".win-card")).to_contain_text("hidden hero")
    page.get_by_role("link", name="Fix the password reset: CES").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fix the password reset")
    expect(page.locator(".chain")).to_contain_text("Measured effect")

    page.locator(".chain").get_by_role("link", name="Password resets arrive late").click()
    expect(page.get_by_role("heading", name="Password resets arrive late")).to_be_visible()
    page.go_back()

    page.get_by_label("Your note of thanks").fill("Thank you IT <b>and</b> Customer service!")
    page.get_by_role("button", name="Add kudos").click()
    expect(page.locator(".kudos")).to_contain_text("Thank you IT <b>and</b> Customer service!")
    expect(page.locator(".kudos")).to_contain_text("vic")
    assert Kudos.objects.get().author == w.viewer
    assert not errors, errors
    context.close()
