"""Search everything (issue 14): the page /search/?q= and the API /api/v1/search — grouped by
kind, each hit a link, role-checked (people only for admins), bounded, escaped. The API's
tests are in tests/api/test_search_api.py."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from cxkeeper import search
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.choices import Lane
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.testing.governance_builders import build_council
from cxkeeper.testing.pages import PageCase, page_role_matrix


def build_search_world():
    """The small organization, a friction point on "Log in to the app" (co-creation), a council
    whose decision is about password reset e-mails, and two feedback texts."""
    world = build_council(add_cocreation(build_small_org()))
    source = insight_actions.create_source({"name": "App reviews", "kind": "app_review"}, acting_user=SYSTEM)
    when = timezone.now() - dt.timedelta(days=2)
    insight_actions.ingest_feedback_batch(source, [
        CanonicalRow(external_id="r1", received_at=when, channel="app", row_number=2,
                     text="The password reset link expired before I could use it", step="Log in to the app"),
        CanonicalRow(external_id="r2", received_at=when, channel="app", row_number=3, text="Lovely staff"),
    ])
    return world


@pytest.fixture
def sw(db):
    return build_search_world()


def page(user, q, **params):
    client = Client()
    client.force_login(user)
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def groups(html):
    """[(kind heading, [link texts])] in page order."""
    found = []
    for section in re.findall(r'<section class="search-kind".*?</section>', html, re.S):
        heading = re.search(r"<h2[^>]*>([^<]+)", section).group(1).strip()
        links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', section)
        found.append((heading, links))
    return found


CASES = [
    PageCase("search page, empty", lambda o: "/search/"),
    PageCase("search page", lambda o: "/search/?q=log"),
    PageCase("search page, one kind", lambda o: "/search/?q=log&kind=steps"),
]
TestSearchPageRoles = page_role_matrix(CASES, org="small_org")



@pytest.mark.django_db
def test_results_are_grouped_by_kind_each_a_link(sw):
    html = page(sw.viewer, "password")
    found = dict(groups(html))
    assert list(found) == ["Steps", "Friction points", "Council decisions", "Feedback"]
    assert found["Steps"] == [(f"/steps/{sw.login_step.pk}/", "Log in to the app")]  # matched in its phrases
    assert found["Friction points"] == [(f"/friction-points/{sw.fp.pk}/", "Password reset e-mails arrive late")]
    assert found["Council decisions"] == [(f"/council/decisions/{sw.decision.pk}/",
                                           "Fix password reset e-mails before anything else at login")]
    assert found["Feedback"][0][0] == f"/steps/{sw.login_step.pk}/insights/"
    assert "password reset never arrives" in html  # the snippet says why the step matched
    assert "Lovely staff" not in html


@pytest.mark.django_db
def test_every_kind_is_searched(sw):
    org_actions.add_glossary_term("CES", "Customer effort score: how easy it was.", acting_user=SYSTEM)
    found = dict(groups(page(sw.admin, "e")))  # too short: nothing
    assert found == {}
    assert {k.key for k in search.KINDS} == {"steps", "journeys", "teams", "outcomes", "kpis", "friction_points",
                                             "initiatives", "decisions", "glossary", "feedback", "people"}
    assert [g for g, _ in groups(page(sw.viewer, "effort"))] == ["Glossary"]
    assert [g for g, _ in groups(page(sw.viewer, "help"))] == ["Steps", "Journeys"]  # "Call the helpline", "Get help"
    assert [g for g, _ in groups(page(sw.viewer, "sales"))] == ["Teams"]


@pytest.mark.django_db
def test_people_are_found_only_by_admins(sw):
    assert [g for g, _ in groups(page(sw.admin, "ivan"))] == ["People"]
    for user in (sw.keeper, sw.it_member, sw.viewer):
        assert groups(page(user, "ivan")) == []
    assert [k.key for k in search.kinds_for(sw.viewer)] == [k for k in search.KIND_KEYS if k != "people"]
    # asking for the kind by name does not help
    assert "Ivan" not in page(sw.viewer, "ivan", kind="people").split('class="search-kind"', 1)[-1]


@pytest.mark.django_db
def test_results_are_bounded_with_a_way_to_see_more(small_org):
    for i in range(search.LIMIT_PER_KIND + 4):
        org_actions.add_glossary_term(f"Queue term {i:02d}", "A word about queues.", acting_user=SYSTEM)
    (heading, links), = groups(page(small_org.viewer, "queue"))
    assert heading.startswith("Glossary") and len(links) == search.LIMIT_PER_KIND
    html = page(small_org.viewer, "queue")
    assert "/search/?q=queue&amp;kind=glossary" in html
    (_, links), = groups(page(small_org.viewer, "queue", kind="glossary"))
    assert len(links) == search.LIMIT_PER_KIND + 4


@pytest.mark.django_db
def test_what_people_wrote_is_escaped(small_org):
    journey_actions.add_step(small_org.stage, {"name": "<script>alert(1)</script> login", "lane": Lane.FRONTSTAGE,
                                               "description": "<img src=x onerror=alert(2)> more login"},
                             acting_user=SYSTEM)
    html = page(small_org.viewer, "<script>")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; login" in html
    html = page(small_org.viewer, "login")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


@pytest.mark.django_db
def test_short_and_long_queries(small_org):
    assert "Type at least 2 characters" in page(small_org.viewer, "l")
    assert groups(page(small_org.viewer, "l")) == []
    html = page(small_org.viewer, "login " + "x" * 500)
    assert "Nothing contains" in html  # cut to 100 characters, searched, nothing found
    assert len(search.clean_query("login " + "x" * 500)) == search.MAX_LENGTH


@pytest.mark.django_db
def test_the_header_search_box_keeps_the_query(small_org):
    html = page(small_org.viewer, "log in")
    assert re.search(r'<input id="site-search"[^>]*value="log in"', html)
    assert 'aria-keyshortcuts="/"' in html


def test_snippet_is_cut_around_the_match():
    text = "a" * 300 + " the match " + "b" * 300
    piece = search.snippet(text, "match")
    assert "match" in piece and piece.startswith("…") and piece.endswith("…")
    assert len(piece) == search.SNIPPET + 2
    assert search.snippet("short text", "zzz") == "short text"
