"""Stored XSS, the way an attacker tries it (issue 10, "Keep it checked"): a corpus of script
payloads is stored in every text a person can type — names, descriptions, the mission, the
glossary, notes, KPI units, feedback text, segments and sources, theme evidence, token names —
through the same API and actions the product uses, and every page that shows them is rendered
in headless Chromium. The test fails if a payload runs (each calls `window.__xss(n)`, a function
this test exposes, n naming the field) or if the Content-Security-Policy had to block anything
(a blocked inline script is markup that got through the escaping).

It also fails if a field's payload shows up on no page at all: a field the walk never shows
proves nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, deque
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.urls import Resolver404, resolve

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.text.router import RouteResult
from cxkeeper.insights.themes import discover_themes
from cxkeeper.testing.api_matrix import ApiClient

MAX_PAGES = 70  # pages rendered: every page of the stored objects, then what their links lead to
PER_VIEW = 2  # pages of one kind (one URL name) at most, so the walk covers kinds rather than rows
SKIPPED = re.compile(r"logout|/delete/|/revoke/|/up/|/down/|/read/|/start/|/resume/|/retrain/|/status/|"
                     r"/export\.|errors\.csv|/admin/|/api/v1/|\.(pdf|png|svg|csv|ics)$")  # files download


def long_payload(n: int) -> str:
    """Script, event handler and attribute break-out, all calling `__xss(n)` (80 characters)."""
    return f"<script>__xss({n})</script><img src=x onerror=__xss({n})>\"'><svg onload=__xss({n})>"


def short_payload(n: int) -> str:
    """For fields of 40-60 characters (a KPI's unit, a channel)."""
    return f"\"'><svg onload=__xss({n})>"


class Corpus:
    """Numbers the fields: `corpus.long("team name")` is that field's payload."""

    def __init__(self):
        self.fields: dict[int, str] = {}

    def _next(self, field: str) -> int:
        n = len(self.fields) + 1
        self.fields[n] = field
        return n

    def long(self, field: str) -> str:
        return long_payload(self._next(field))

    def short(self, field: str) -> str:
        return short_payload(self._next(field))


class NeverRoute:
    """Leaves every text unrouted, so the planted texts become a theme of unrouted feedback."""

    threshold = 0.5

    def route(self, texts):
        return [RouteResult(None, 0.1, []) for _ in texts]


def _ok(response, expected=(200, 201)):
    assert response.status_code in expected, (response.status_code, response.content[:500])
    return response.json()


def store_corpus(org) -> tuple[Corpus, list[str]]:
    """Every user-editable text field gets its own payload, through the API as an admin would
    type it (and the feedback through the import batch). Returns the corpus and the URLs of the
    objects made."""
    c = Corpus()
    api = ApiClient(org.admin)
    workspace = _ok(api.get("/workspace"))
    _ok(api.patch("/workspace", {"name": c.long("workspace name"), "mission": c.long("mission"),
                                 "version": workspace["version"]}))
    _ok(api.post("/glossary", {"term": c.short("glossary term"), "definition": c.long("glossary definition")}))
    team = _ok(api.post("/teams", {"name": c.long("team name"), "slug": "payload-team", "function": "it",
                                   "description": c.long("team description")}))
    persona = _ok(api.post("/personas", {"name": c.long("persona name"), "description": c.long("persona description")}))
    journey = _ok(api.post("/journeys", {"name": c.long("journey name"), "slug": "payload-journey",
                                         "description": c.long("journey description"), "persona": persona["id"]}))
    stage = _ok(api.post("/stages", {"journey": journey["id"], "name": c.long("stage name"),
                                     "description": c.long("stage description")}))
    step = _ok(api.post("/steps", {"stage": stage["id"], "name": c.long("step name"), "lane": "frontstage",
                                   "channel": c.short("step channel"), "description": c.long("step description"),
                                   "phrases": [c.long("step example phrase")]}))
    _ok(api.post("/responsibilities", {"step": step["id"], "team": team["id"], "role": "owns",
                                       "note": c.long("responsibility note")}))
    _ok(api.post("/handoffs", {"from_step": step["id"], "from_team": team["id"], "to_step": org.call_step.pk,
                               "to_team": org.service.pk, "description": c.long("handoff description")}))
    outcome = _ok(api.post("/outcomes", {"name": c.long("outcome name"), "description": c.long("outcome description")}))
    metric = _ok(api.post("/metric-definitions", {
        "key": "payload-metric", "name": c.long("metric name"), "base": "ces", "segment": c.short("metric segment"),
        "description": c.long("metric description")}))
    target = _ok(api.post("/targets", {
        "outcome": outcome["id"], "metric": metric["id"], "scope": "organization", "value": 5.5,
        "due": (dt.date.today() + dt.timedelta(days=120)).isoformat(), "note": c.long("target note")}))
    _ok(api.post("/success-statements", {"outcome": outcome["id"], "customer_goal": c.long("customer goal"),
                                         "business_outcome": c.long("business outcome"), "target": target["id"]}))
    kpi = _ok(api.post("/kpis", {"team": team["id"], "name": c.long("KPI name"), "unit": c.short("KPI unit"),
                                 "direction": "up", "description": c.long("KPI description")}))
    _ok(api.post(f"/kpis/{kpi['id']}/links", {"outcome": outcome["id"], "kind": "tension",
                                               "note": c.long("KPI link note")}))
    friction = _ok(api.post("/friction-points", {"title": c.long("friction point title"), "step": step["id"],
                                                 "description": c.long("friction point description")}))
    _ok(api.post("/tokens", {"name": c.long("API token name")}))
    _store_feedback(c, api, org)
    return c, [f"/teams/{team['slug']}/", f"/teams/{team['slug']}/edit/", f"/journeys/{journey['slug']}/",
               f"/steps/{step['id']}/", f"/steps/{step['id']}/edit/", f"/steps/{step['id']}/insights/",
               f"/outcomes/{outcome['id']}/", f"/metrics/definitions/{metric['id']}/", f"/targets/{target['id']}/",
               f"/kpis/{kpi['id']}/", f"/friction-points/{friction['id']}/", f"/scorecards/{team['slug']}/",
               f"/steps/{org.login_step.pk}/insights/", f"/journeys/{org.journey.slug}/heatmap/",
               f"/feedback/friction/?journey={org.journey.slug}", "/feedback/", "/feedback/review/",
               "/account/tokens/", "/glossary/", "/language/", "/scorecards/organization/", "/alignment/",
               "/tensions/", "/activity/", "/notifications/", "/workspace/", "/personas/", "/coverage/", "/matrix/"]


def _store_feedback(c: Corpus, api: ApiClient, org) -> None:
    """Feedback text, segment and source through the import batch; then thirty unrouted texts on
    one topic, each with a payload, which discovery turns into a theme, and a friction point
    raised from that theme keeps them as its evidence."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    text, segment = c.long("feedback text"), c.short("feedback segment")
    items = [{"external_id": f"x{i}", "received_at": (now - dt.timedelta(days=i)).isoformat(), "channel": "web",
              "text": f"{text} the login code never arrives", "segment": segment, "ces": 2, "step": "Log in to the app"}
             for i in range(3)]
    source = c.short("feedback source")
    _ok(api.client.post(f"/api/v1/imports/batch?source={quote(source)}", json.dumps(items),
                        content_type="application/json", headers=api.headers), expected=(200,))
    cache.clear()  # discovery is cached per journey and newest feedback
    evidence = c.long("theme evidence")
    web_form = insight_actions.create_source({"name": "Web form", "kind": "survey"}, acting_user=SYSTEM)
    router_texts = ["my router lights are blinking red", "the router lights keep blinking red again",
                    "router lights blinking red since yesterday", "red blinking lights on the router, no internet"]
    invoice_texts = ["my invoice is in the wrong currency", "invoice arrived in the wrong currency again",
                     "the invoice currency is wrong, should be pounds", "wrong currency on the invoice this month"]
    texts = [f"{router_texts[i % 4]} {evidence}" for i in range(30)] + [invoice_texts[i % 4] for i in range(20)]
    rows = [CanonicalRow(external_id=f"t{i}", received_at=now - dt.timedelta(days=1 + i % 27), channel="web",
                         row_number=i + 1, text=text) for i, text in enumerate(texts)]
    insight_actions.ingest_feedback_batch(web_form, rows, router=NeverRoute())
    themes = insight_queries.journey_themes(org.journey, since=None, discover=discover_themes)
    theme = next(t for t in themes if "blinking" in t.keywords)  # its other words come from the payload
    initiative_actions.raise_friction_point_from_theme(theme, journey=org.journey, acting_user=org.keeper)


def _same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc != urlsplit(base).netloc or SKIPPED.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _kind(path: str) -> str:
    try:
        return resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        return path


@pytest.fixture
def watched(page):
    """The page with `window.__xss` recording payloads that ran, and every CSP refusal kept."""
    page.ran, page.blocked = [], []
    page.expose_function("__xss", lambda n: page.ran.append((page.url, n)))
    page.on("console", lambda msg: page.blocked.append((page.url, msg.text))
            if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: (page.ran.append((page.url, dialog.message)), dialog.dismiss()))
    return page


def test_the_watch_sees_a_payload_that_runs_and_one_the_policy_blocks(small_org, sign_in, watched, live_server):
    """The two alarms work: markup that reaches the page is refused by the CSP (and reported),
    and script that runs anyway is reported by `__xss`."""
    page = sign_in(small_org.viewer)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=__xss(0)>')")
    page.wait_for_timeout(200)
    assert any("inline event handler" in text for _, text in page.blocked), page.blocked
    page.evaluate("window.__xss(0)")
    page.wait_for_timeout(100)
    assert [n for _, n in page.ran] == [0]


def test_no_stored_payload_runs_on_any_page(small_org, sign_in, watched, live_server):
    corpus, seeds = store_corpus(small_org)
    assert len(corpus.fields) >= 30
    page = sign_in(small_org.admin)
    queue, seen_urls, per_kind = deque(["/", *seeds]), set(), Counter()
    shown: set[int] = set()
    while queue and len(seen_urls) < MAX_PAGES:
        path = queue.popleft()
        kind = _kind(path)
        if path in seen_urls or per_kind[kind] >= PER_VIEW:
            continue
        seen_urls.add(path)
        per_kind[kind] += 1
        response = page.goto(f"{live_server.url}{path}")
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        assert response.status < 500, path
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_load_state("networkidle")
        html = page.content()
        shown |= {n for n in corpus.fields if f"__xss({n})" in html}
        queue.extend(_same_site_links(page, page.url))
    assert not page.ran, f"payloads ran: {page.ran}"
    assert not page.blocked, f"the Content-Security-Policy blocked markup that got through: {page.blocked[:5]}"
    never_shown = {corpus.fields[n] for n in set(corpus.fields) - shown}
    assert not never_shown, f"fields no visited page showed (visited {len(seen_urls)}): {sorted(never_shown)}"
