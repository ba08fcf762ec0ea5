"""The main menu, search and "my work" in a real Chromium (issue 14): the menu fits one line at
1280 px and folds behind one button on a phone; its groups open and close from the keyboard;
search works with the keyboard alone ("/", type, Enter, Tab to a result); a form is saved with
the keyboard alone; no console errors under the strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from cxkeeper.org.models import GlossaryTerm
from cxkeeper.testing.cocreation import add_cocreation

from .conftest import ARTIFACTS


@pytest.fixture
def org(small_org):
    return add_cocreation(small_org)


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def focused(page) -> str:
    return page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.textContent)"
                         ).strip()


def tab_until(page, text: str, most: int = 60) -> int:
    """Press Tab until the focused element's text or id is `text`; the number of presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if focused(page) == text:
            return presses
    raise AssertionError(f"“{text}” never got the focus in {most} Tabs (last: {focused(page)!r})")


def test_the_menu_fits_one_line_at_1280_and_opens_from_the_keyboard(org, sign_in, page, live_server):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(org.admin)
    nav = page.get_by_role("navigation", name="Main")
    summaries = nav.locator("summary")
    expect(summaries).to_have_count(6)
    tops = {round(summaries.nth(i).bounding_box()["y"]) for i in range(6)}
    assert len(tops) == 1, f"the menu wraps at 1280 px: {tops}"
    brand_row = page.locator(".brand-row").bounding_box()
    assert brand_row["height"] < 60, f"the header row wraps at 1280 px: {brand_row['height']} px high"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # Tab to a group, open it with Enter, walk its links with the arrow keys, close with Escape
    presses = tab_until(page, "Evidence")
    assert presses <= 6
    page.keyboard.press("Enter")
    evidence = nav.locator("details", has=page.locator("summary", has_text="Evidence"))
    expect(evidence.get_by_role("link", name="Feedback", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page) == "Feedback"
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Friction signals"
    page.keyboard.press("Escape")
    expect(evidence.get_by_role("link", name="Feedback", exact=True)).to_be_hidden()
    assert focused(page) == "Evidence"
    # one group open at a time
    nav.locator("summary", has_text="Map").click()
    nav.locator("summary", has_text="Council").click()
    expect(nav.get_by_role("link", name="Journeys")).to_be_hidden()
    expect(nav.get_by_role("link", name="Decision log")).to_be_visible()
    shot(page, "navigation-1280-council-open")
    nav.get_by_role("link", name="Decision log").click()
    expect(page).to_have_url(re.compile(r"/council/decisions/$"))
    assert page.console_errors == [], page.console_errors


def test_search_with_the_keyboard_alone(org, sign_in, page, live_server):
    sign_in(org.viewer)
    page.keyboard.press("/")
    assert focused(page) == "site-search"
    page.keyboard.type("password")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=password$"))
    expect(page.get_by_role("heading", name=re.compile("^Steps"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Friction points"))).to_be_visible()
    shot(page, "search-results")
    tab_until(page, "Log in to the app")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/steps/{org.login_step.pk}/$"))
    # "/" typed into a field is just a character
    page.keyboard.press("/")
    page.keyboard.type("reset e-mails")
    assert page.locator("#site-search").input_value() == "reset e-mails"
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Password reset e-mails arrive late")).to_be_visible()
    page.locator("#site-search").fill("a/b")
    assert page.locator("#site-search").input_value() == "a/b"
    assert page.console_errors == [], page.console_errors


def test_saving_a_form_with_the_keyboard_alone(org, sign_in, page, live_server):
    sign_in(org.keeper)
    page.goto(f"{live_server.url}/glossary/new/")
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to content"
    page.keyboard.press("Enter")  # to the page's content, past the header and the menu
    presses = tab_until(page, "id_term")
    page.keyboard.type("CES")
    page.keyboard.press("Tab")
    assert focused(page) == "id_definition"
    page.keyboard.type("Customer effort score: how easy it was, 1 to 7.")
    presses += 2 + tab_until(page, "Save", most=5)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/glossary/"))
    assert GlossaryTerm.objects.filter(term="CES").exists()
    assert presses <= 6, f"{presses} Tabs to save a two-field form"
    assert page.console_errors == [], page.console_errors


def test_on_a_phone_the_menu_is_one_button_and_home_does_not_scroll_sideways(org, sign_in, page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(org.it_member)
    nav = page.get_by_role("navigation", name="Main")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("heading", name="IT: your team's steps")).to_be_visible()
    shot(page, "home-my-work-390")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    nav.locator("summary", has_text="Work together").click()
    expect(nav.get_by_role("link", name="Friction points")).to_be_visible()
    shot(page, "navigation-390-open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    nav.get_by_role("link", name="Friction points").click()
    expect(page).to_have_url(re.compile(r"/friction-points/$"))
    assert page.console_errors == [], page.console_errors
