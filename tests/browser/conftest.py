"""Browser tests: a real headless Chromium (Debian's, never a downloaded one) driven by
Playwright against Django's live server. Screenshots land in test-artifacts/."""

import pytest

from cxkeeper.testing.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - used by tests here

# `browser` and `page` are the session's one Chromium, registered in tests/conftest.py.


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def sign_in(live_server, page, password):
    def _sign_in(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _sign_in


def open_menu(page, group: str, link: str) -> None:
    """Follow a main-menu link the way a person does: open its group, then click the link."""
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text=group).click()
    # A bare click only waits for the navigation to start; the page's deferred scripts (htmx)
    # run before "load", so a test acting at once would race the enhancement and post the
    # plain form instead (a flaky full-page answer seen in CI). Wait for the new page's load.
    with page.expect_navigation(wait_until="load"):
        nav.get_by_role("link", name=link, exact=True).click()
