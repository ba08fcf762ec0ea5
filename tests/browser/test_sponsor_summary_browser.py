"""The organization view's summary in a real Chromium: at 1440 × 900 all of it is on the first
screen (no scrolling), and on a 390 px phone it stacks without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from cxkeeper.testing.cocreation import add_cocreation, escalated, with_options
from cxkeeper.testing.outcomes_builders import build_outcomes

from .conftest import ARTIFACTS


@pytest.fixture
def org(small_org):
    small_org.outcomes = build_outcomes(small_org)
    return escalated(with_options(add_cocreation(small_org)))  # something waiting for the sponsor too


def test_the_summary_fits_the_first_screen_and_stacks_on_a_phone(org, sign_in, live_server):
    page = sign_in(org.viewer)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/scorecards/organization/")
    summary = page.locator("#sponsor-summary")
    expect(summary).to_contain_text("Password reset e-mails arrive late")
    expect(summary).to_contain_text("The North Star is measured by")
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 900, box  # seen whole without scrolling
    assert page.evaluate("window.scrollY") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sponsor-summary-1440.png"))
    cards = summary.locator(".summary-card")
    assert len({round(cards.nth(i).bounding_box()["y"]) for i in range(cards.count())}) == 1  # one row

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    xs = {round(cards.nth(i).bounding_box()["x"]) for i in range(cards.count())}
    assert len(xs) == 1  # stacked: one column
    page.screenshot(path=str(ARTIFACTS / "sponsor-summary-390.png"), full_page=True)
    assert page.console_errors == [], page.console_errors
