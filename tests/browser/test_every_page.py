"""Every page, in a real Chromium, at a laptop's 1440 px and a phone's 390 px, signed in as the
keeper on one small world (the small organization with a year of feedback, outcomes and KPIs,
a friction point in co-creation and a CX council):

- axe-core (vendored under vendor/axe-core, injected here only — the app never loads it)
  finds no critical or serious violation;
- nothing scrolls sideways (document.scrollingElement.scrollWidth ≤ clientWidth);
- a full-page screenshot of each page and width lands in test-artifacts/every-page/ for a
  person to look at.

The pages are found the way a person finds them: from home, following every link the pages
show (with Django's test client, which is fast), one address per route of the URL conf. The
browser then visits that list once per width, in one context each, so the run stays bounded."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from cxkeeper.core.actors import SYSTEM
from cxkeeper.org.actions import update_workspace
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.testing.governance_builders import build_council
from cxkeeper.testing.outcomes_builders import build_outcomes

from .conftest import ARTIFACTS

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"laptop": (1440, 900), "phone": (390, 844)}
BLOCKING = ("critical", "serious")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)', re.I)
# Links that are not pages to read: signing out, file downloads, the admin site and the API
# (its documentation page is Ninja's own Swagger UI, not a page of the app).
SKIP = re.compile(r"^/(static/|admin/|api/|accounts/logout)|\.(pdf|png|svg|csv|xlsx|yaml|json|md|parquet)$"
                  r"|/(export|download|pdf|png|svg|csv)/?$")
MAX_PAGES = 160


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def pages_a_keeper_reaches(client: Client) -> dict[str, str]:
    """{route: one address of it}: a breadth-first walk over the links of every HTML page."""
    found: dict[str, str] = {}
    queue, seen = deque(["/"]), {"/"}
    while queue and len(found) < MAX_PAGES:
        url = queue.popleft()
        route = _route(urlsplit(url).path)
        if route is None or route in found:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        found[route] = url
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "testserver":
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIP.search(parts.path) or local in seen:
                continue
            seen.add(local)
            if _route(parts.path) not in found:
                queue.append(local)
    return found


MISSION = ("Every customer gets help the first time they ask, in the channel they chose, "
           "without repeating themselves, and leaves knowing what happens next.")


@pytest.fixture
def world(small_org):
    build_outcomes(small_org)
    add_cocreation(small_org)
    update_workspace({"mission": MISSION}, expected_version=None, acting_user=SYSTEM)
    return build_council(small_org)


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary.split('\\n')[1])}));
    }""")


def _overflow(page) -> dict:
    return page.evaluate("""() => {
        const s = document.scrollingElement, w = s.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.right > w + 1 && r.width > 0;
        }).slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
            (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
        return {scroll: s.scrollWidth, client: w, wide};
    }""")


def test_every_page_is_accessible_and_fits_a_laptop_and_a_phone(world, browser, live_server, password):
    client = Client()
    client.force_login(world.keeper)
    pages = pages_a_keeper_reaches(client)
    print(f"{len(pages)} pages:", *sorted(pages.values()), sep="\n  ")
    assert len(pages) >= 40, f"the walk found only {len(pages)} pages: {sorted(pages.values())}"

    problems: list[str] = []
    folder = ARTIFACTS / "every-page"
    folder.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        # bypass_csp: the app's strict CSP (rightly) refuses the injected axe script; the other
        # browser tests check the pages under the CSP.
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(world.keeper.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        # The North Star: open on a laptop, folded to its label on a phone, opened by a tap.
        north_star = page.locator("details.north-star")
        assert north_star.evaluate("d => d.open") == (label == "laptop"), f"{label}: North Star"
        if label == "phone":
            assert north_star.bounding_box()["height"] < 40, "the folded North Star takes one line"
            north_star.locator("summary").click()
            assert north_star.evaluate("d => d.open") and MISSION[:40] in north_star.inner_text()
        for url in sorted(pages.values()):
            page.goto(live_server.url + url)
            name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
            page.screenshot(path=str(folder / f"{label}-{name}.png"), full_page=True)
            size = _overflow(page)
            if size["scroll"] > size["client"]:
                problems.append(f"{label} {url}: scrolls sideways ({size['scroll']} > {size['client']} px; "
                                f"wide: {', '.join(size['wide'])})")
            for violation in _axe(page):
                if violation["impact"] in BLOCKING:
                    problems.append(f"{label} {url}: {violation['impact']} {violation['id']} ({violation['help']}): "
                                    + " | ".join(violation["nodes"]))
        context.close()
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)
