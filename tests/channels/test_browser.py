"""In a real Chromium (Debian's): an admin reaches Integrations from the menu, adds a webhook and
copies its secret, opens its delivery log; a team lead connects a channel from the team page and
sends a test message. Every page of this app passes axe (no critical or serious violation) and
does not scroll sideways, at a laptop's and a phone's width (the keeper's walk in
tests/browser/test_every_page.py does not reach the admins' pages)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxkeeper.channels.models import Delivery, TeamChannel, Webhook
from cxkeeper.core.events import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CXKEEPER_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"laptop": (1440, 900), "phone": (390, 844)}


@pytest.fixture
def chromium(browser):
    """The session's one Chromium (a second Playwright in this thread would fail)."""
    return browser


def sign_in(chromium, live_server, user, password, width=1440, height=900):
    context = chromium.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def problems_of(page, label: str) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
        .map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '))""")
    wide = page.evaluate("() => document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth")
    found = [f"{label} {page.url}: {v}" for v in violations]
    return found + ([f"{label} {page.url}: scrolls sideways"] if wide else [])


def test_admin_and_team_lead_in_the_browser(org, receiver, happen, kinds, chromium, live_server, password):
    page = sign_in(chromium, live_server, org.admin, password)
    page.get_by_role("navigation", name="Main").get_by_text("Admin", exact=True).click()
    page.get_by_role("link", name="Integrations").click()
    page.wait_for_url("**/integrations/")
    page.get_by_role("link", name="Add a webhook").click()
    page.locator("#id_name").fill("Service desk")
    page.get_by_label("Address").fill(receiver.url("/desk"))
    page.get_by_role("button", name="Add webhook").click()
    secret = page.locator("#new-secret").inner_text()
    hook = Webhook.objects.get()
    assert secret == hook.secret
    happen(Event(kind=kinds.step_changed, message="IT changed “Log in to the app”.", url="/"))
    sent = Delivery.objects.get()

    lead = sign_in(chromium, live_server, org.it_member, password)
    lead.goto(f"{live_server.url}/teams/{org.it.slug}/")
    lead.get_by_role("link", name="Channels").click()
    lead.locator("#id_kind").select_option("slack")
    lead.locator("#id_name").fill("#cx-it")
    lead.locator("#id_url").fill(receiver.url("/slack/secretpart"))
    lead.get_by_role("button", name="Connect").click()
    lead.get_by_role("button", name="Send a test message").click()
    assert "Test message sent to #cx-it" in lead.content()
    assert TeamChannel.objects.get().name == "#cx-it" and len(receiver.at("/slack/secretpart")) == 1

    pages = {org.admin: ["/integrations/", "/integrations/webhooks/new/", f"/integrations/webhooks/{hook.pk}/",
                         f"/integrations/deliveries/{sent.pk}/"],
             org.it_member: [f"/teams/{org.it.slug}/channels/"]}
    problems = []
    for label, (width, height) in WIDTHS.items():
        for user, paths in pages.items():
            viewer = sign_in(chromium, live_server, user, password, width, height)
            for path in paths:
                viewer.goto(live_server.url + path)
                problems += problems_of(viewer, label)
            viewer.context.close()
    assert not problems, "\n".join(problems)
