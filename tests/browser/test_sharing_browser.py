"""Sharing the journey (issue 14, item 6) in a real Chromium: a viewer suggests a change to a
step, and the journey page prints on a landscape sheet without the menu or sideways overflow."""

import re

from playwright.sync_api import expect

from cxkeeper.core.actors import SYSTEM
from cxkeeper.journeys import actions
from cxkeeper.journeys.models import Suggestion


def test_a_viewer_suggests_a_change_and_an_owner_answers(small_org, sign_in, live_server, browser, password):
    page = sign_in(small_org.viewer)
    page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/")
    page.get_by_role("link", name="Suggest a change").first.click()
    page.get_by_label("What should change").fill("Say that the code comes by SMS, not e-mail.")
    page.get_by_label("Why").fill("Three customers this week looked in their inbox.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").first).to_contain_text("owning teams and the keeper were told")
    suggestion = page.locator(".suggestion")
    expect(suggestion).to_contain_text("Say that the code comes by SMS")
    expect(suggestion).to_contain_text("Open")
    expect(page.get_by_role("link", name="Answer this suggestion")).to_have_count(0)  # a viewer cannot answer
    assert page.console_errors == [], page.console_errors

    owner = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    owner.goto(f"{live_server.url}/accounts/login/")
    owner.get_by_label("Username").fill(small_org.it_member.username)
    owner.get_by_label("Password").fill(password)
    owner.get_by_role("button", name="Sign in").click()
    owner.wait_for_url(f"{live_server.url}/")
    owner.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/")
    owner.get_by_role("link", name="Answer this suggestion").click()
    owner.get_by_label("Accept").check()
    owner.get_by_label("Reply").fill("Good catch: the text now says SMS.")
    owner.get_by_role("button", name="Send").click()
    expect(owner.locator(".suggestion")).to_contain_text("Accepted")
    expect(owner.locator(".suggestion")).to_contain_text("Good catch")
    owner.context.close()
    assert Suggestion.objects.get().status == "accepted"


def test_the_journey_page_prints_landscape_without_the_menu(small_org, sign_in, live_server):
    for n in range(2, 8):  # a wide journey: seven stages
        stage = actions.add_stage(small_org.journey, {"name": f"A stage with a long name, number {n}"},
                                  acting_user=SYSTEM)
        actions.add_step(stage, {"name": f"Confirm the appointment with the customer, step {n}"}, acting_user=SYSTEM)
    page = sign_in(small_org.keeper)
    page.set_viewport_size({"width": 1123, "height": 794})  # an A4 sheet, landscape, at 96 dpi
    page.goto(f"{live_server.url}/journeys/{small_org.journey.slug}/?team=it")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(page.locator(".bp-downloads")).to_be_hidden()
    # Seven stages: on paper, two sheets of four and three stages instead of one squeezed grid.
    expect(page.locator("#blueprint > .blueprint")).to_be_hidden()
    sheets = page.locator(".bp-sheet")
    expect(sheets).to_have_count(2)
    expect(sheets.first).to_be_visible()
    expect(sheets.first.locator(".bp-sheet-title")).to_have_text("Get help — stages 1 to 4 of 7")
    expect(sheets.first.locator(".sheet-card.is-highlighted .hl-marker")).to_have_text(re.compile("◆ IT"))
    overflow = page.evaluate("""() => {
        const root = document.scrollingElement;
        const grids = [...document.querySelectorAll('.bp-sheet .blueprint')];
        return {page: root.scrollWidth - root.clientWidth, width: root.clientWidth,
                grids: grids.map(g => g.scrollWidth - g.clientWidth),
                right: Math.max(...grids.map(g => g.getBoundingClientRect().right))};
    }""")
    assert overflow["page"] <= 0 and max(overflow["grids"]) <= 1 and overflow["right"] <= overflow["width"], overflow
    pdf = page.pdf(landscape=True, format="A4")  # Chromium's own print: it lays out with the print CSS
    assert pdf.startswith(b"%PDF-")
    assert page.console_errors == [], page.console_errors


def test_the_sharing_pages_are_accessible_and_fit_a_laptop_and_a_phone(small_org, browser, live_server, password):
    """The pages of this feature through axe at 1440 and 390 px (the every-page walk reaches them
    too, but only those a link leads to in its world)."""
    from .test_every_page import BLOCKING, WIDTHS, _axe, _overflow

    share = actions.create_share_link(small_org.journey, acting_user=SYSTEM)
    item = actions.suggest_step_change(small_org.login_step, {"what": "Say SMS", "why": "Inbox"},
                                       acting_user=small_org.viewer)
    urls = [f"/journeys/{small_org.journey.slug}/changes/", f"/journeys/{small_org.journey.slug}/sharing/",
            share.get_absolute_url(), f"{share.get_absolute_url()}?team=it", "/shared/revoked-or-never-was/",
            f"/steps/{small_org.login_step.pk}/", f"/steps/{small_org.login_step.pk}/suggest/",
            f"/suggestions/{item.pk}/decide/", f"/journeys/{small_org.journey.slug}/changes/?since=someday"]
    problems = []
    for label, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(small_org.keeper.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        for url in urls:
            page.goto(live_server.url + url)
            size = _overflow(page)
            if size["scroll"] > size["client"]:
                problems.append(f"{label} {url}: scrolls sideways ({size})")
            problems += [f"{label} {url}: {v['impact']} {v['id']}: {v['nodes']}" for v in _axe(page)
                         if v["impact"] in BLOCKING]
        context.close()
    assert not problems, "\n".join(problems)
