"""Single sign-on in a real headless Chromium (Debian's, through Playwright and the fixtures of
tests/browser/conftest.py): the sign-in page's button, the provider on loopback, back to
cxkeeper signed in with the mapped role and teams; signing out here and at the provider; the
page a person with no mapped role sees; the sign-in page with passwords off — each checked
with axe-core like every other page."""

from __future__ import annotations

import pytest
from browser.conftest import ARTIFACTS  # `browser` and `page`: the session's one Chromium (tests/conftest.py)
from browser.test_every_page import _axe

from cxkeeper.core.roles import Role
from cxkeeper.org.models import Person

from .conftest import person

pytestmark = pytest.mark.browser


def _accessible(browser, url):
    """axe-core on one page; bypass_csp only to inject axe (the app's CSP rightly refuses it)."""
    context = browser.new_context(bypass_csp=True)
    check = context.new_page()
    check.goto(url)
    problems = [v for v in _axe(check) if v["impact"] in ("critical", "serious")]
    context.close()
    return problems


def test_sign_in_through_the_provider_and_out_again(idp, teams, live_server, page):
    idp.person = person(groups=["cx-keepers", "billing"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example ID").click()
    page.wait_for_url(f"{live_server.url}/")
    nora = Person.objects.get(user__username="nora")
    assert nora.role == Role.KEEPER and [t.name for t in nora.teams.all()] == ["Billing"]
    assert idp.authorizations[-1]["redirect_uri"] == f"{live_server.url}/accounts/login/sso/callback/"
    page.screenshot(path=str(ARTIFACTS / "sso-signed-in.png"), full_page=True)

    page.locator("details.menu summary").click()
    assert page.get_by_role("link", name="Change password").count() == 0  # the provider keeps her password
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert idp.logouts and idp.logouts[-1]["id_token_hint"]
    page.goto(f"{live_server.url}/teams/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/teams/")  # signed out here too
    assert page.console_errors == []


def test_no_mapped_role_shows_why(idp, teams, live_server, page, browser):
    idp.person = person(groups=["it-staff"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example ID").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/sso/callback/**")
    assert "none of your groups there gives a role" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("link", name="Back to the sign-in page").is_visible()
    assert _accessible(browser, page.url) == []


def test_with_passwords_off_the_page_offers_only_the_provider(idp, settings, live_server, page, browser):
    settings.CXKEEPER_PASSWORD_SIGN_IN = False
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("link", name="Sign in with Example ID").is_visible()
    assert page.get_by_label("Password").count() == 0
    page.screenshot(path=str(ARTIFACTS / "sso-only-sign-in.png"), full_page=True)
    assert _accessible(browser, f"{live_server.url}/accounts/login/") == []
