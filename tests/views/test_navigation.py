"""The main menu (issue 14): every page without parameters is reachable from it or named here
with the place it is reached from instead; each role's menu offers only pages that role may
open; six groups, each a disclosure; the search box is in every page's header."""

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from cxkeeper.testing.url_coverage import all_patterns

pytestmark = pytest.mark.django_db

# Pages without parameters that are not in the main menu, and where a person finds them instead.
ELSEWHERE = {
    "home": "the workspace name, top left",
    "search": "the search box in the header",
    "notifications": "the Inbox link in the header",
    "org:tokens": "the account menu",
    "notify:preferences": "the account menu",
    "password_change": "the account menu",
    "password_change_done": "where changing the password leads",
    "login": "signed-out people are sent there",
    "logout": "the account menu's Sign out button (POST)",
    "sso_start": "the sign-in page's “Sign in with <provider>” (single sign-on)",
    "sso_callback": "where the identity provider sends people back (single sign-on)",
    "healthz": "not a page: the load balancer's health check",
    "notifications_read": "a button on the Inbox (POST)",
    "insights:retrain": "a button on routing quality (POST)",
    "initiatives:priority_weights": "the priorities board",
    "initiatives:friction_point_from_theme": "a theme's “raise a friction point”",
    "initiatives:friction_point_from_signal": "a friction signal's “raise a friction point”",
}


def simple_pages() -> set[str]:
    """Route names of every page that takes no parameters (the API aside)."""
    names = set()
    for name in all_patterns():
        if name.startswith("api:") or "/" in name:
            continue
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        names.add(name)
    return names


def nav_links(user) -> list[str]:
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def is_form_for_something_new(name: str) -> bool:
    return reverse(name).endswith("/new/")  # reached from the list it adds to


def test_every_page_is_reachable_from_the_menu(small_org):
    links = set(nav_links(small_org.admin))
    pages = {name for name in simple_pages() if not is_form_for_something_new(name)}
    missing = sorted(f"{name} ({reverse(name)})" for name in pages - set(ELSEWHERE) if reverse(name) not in links)
    assert not missing, "pages neither in the main menu nor in ELSEWHERE: " + ", ".join(missing)
    # the pages the issue names, by name
    for path in ("/kpis/", "/tensions/", "/language/", "/friction-points/", "/scorecards/organization/",
                 "/feedback/routing/", "/initiatives/", "/priorities/", "/planned-changes/", "/councils/",
                 "/council/decisions/", "/council/escalations/", "/council/actions/", "/glossary/"):
        assert path in links, path
    assert not set(ELSEWHERE) - simple_pages(), "ELSEWHERE names a page that is gone"


@pytest.mark.parametrize("persona", ["admin", "keeper", "it_member", "viewer"])
def test_the_menu_offers_only_pages_the_role_may_open(small_org, persona):
    user = getattr(small_org, persona)
    client = Client()
    client.force_login(user)
    links = nav_links(user)
    assert len(links) == len(set(links))
    for link in links:
        assert client.get(link).status_code == 200, (persona, link)
    admin_only = {"/people/", "/feedback/erase/"}
    keeper_too = {"/workspace/", "/feedback/import/"}
    if persona == "admin":
        assert admin_only | keeper_too <= set(links)
    elif persona == "keeper":
        assert keeper_too <= set(links) and not admin_only & set(links)
    else:
        assert not (admin_only | keeper_too) & set(links)


def test_six_groups_each_a_disclosure_and_a_search_box(small_org):
    client = Client()
    client.force_login(small_org.admin)
    html = client.get("/journeys/").content.decode()
    nav = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S).group(0)
    assert re.findall(r"<summary>([^<]+)</summary>", nav) == ["Map", "Evidence", "Outcomes", "Work together",
                                                              "Council", "Admin"]
    assert nav.count('<details class="nav-group">') == 6
    client.force_login(small_org.viewer)
    html = client.get("/journeys/").content.decode()
    nav = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S).group(0)
    assert "<summary>Admin</summary>" not in nav
    assert '<form class="site-search" role="search" method="get" action="/search/">' in html
    assert ('<button type="button" class="nav-toggle" aria-expanded="false" aria-controls="main-nav">Menu</button>'
            in html)
