"""Insight pages: every page and POST tried anonymously, by refused roles (403 with a reason)
and by allowed roles (success; a correction leaves a history row) — plus the figures they
show, checked against numbers computed by hand, and verbatims that stay text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cxkeeper.core.models import ChangeRecord
from cxkeeper.insights import actions
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.models import Feedback
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.pages import PageCase, page_role_matrix

CORRECTORS = ("admin", "keeper", "it_member", "sales_member")
KEEPERS = ("admin", "keeper")
XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> the app crashed when I logged in'

# The login step: 40 answers in the last 60 days — 20 promoters (10), 8 passives (8),
# 12 detractors (3) → NPS = 100·(20 − 12)/40 = 20.0; var = .5 + .3 − .2² = .76,
# half-width = 1.959964·100·√(.76/40) = 27.0164 → [−7.0164, 47.0164].
# CES: 30 × 6 and 10 × 2 → mean 5.0, 75 % easy. Channels: 25 app, 15 web (10 of them Student).
# Segments: 20 Student, 20 none.
# The helpline: 5 answers of 9 → "too few responses" (n=5 < 30).
LOGIN_NPS = [10] * 20 + [8] * 8 + [3] * 12
LOGIN_CES = [6] * 30 + [2] * 10
LOGIN_NPS_VALUE, LOGIN_NPS_LOW, LOGIN_NPS_HIGH = 20.0, -7.0164, 47.0164


def _at(days_ago: int) -> dt.datetime:
    today = timezone.now().astimezone(dt.UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=days_ago)


def feedback_rows() -> list[CanonicalRow]:
    rows = []
    for i, (nps, ces) in enumerate(zip(LOGIN_NPS, LOGIN_CES, strict=True)):
        rows.append(CanonicalRow(
            external_id=f"L{i}", received_at=_at(1 + (i * 3) % 60), channel="app" if i % 8 < 5 else "web",
            row_number=i + 2, text=f"Signing in to the app, visit {i}", nps=nps, ces=ces,
            segment="Student" if i % 2 else None, step="Log in to the app"))
    for i in range(5):
        rows.append(CanonicalRow(external_id=f"H{i}", received_at=_at(2 + i), channel="phone", row_number=50 + i,
                                 text="The helpline agent was kind", nps=9, step="Call the helpline"))
    # Routed by the model (no step column), no scores: what the review queue shows.
    texts = ["I can't log in, the password reset never arrives", "kept on hold on the helpline for an hour",
             "asdf qwerty zxcv", XSS]
    for i, text in enumerate(texts):
        rows.append(CanonicalRow(external_id=f"M{i}", received_at=_at(3 + i), channel="web", row_number=60 + i,
                                 text=text))
    return rows


def load_feedback(org):
    source = actions.create_source({"name": "Relationship survey", "kind": "survey"}, acting_user=org.keeper)
    result = actions.ingest_feedback_batch(source, feedback_rows())
    assert result.imported == 49
    return org


def queued(o) -> Feedback:
    """An item of the review queue (routed by the model or unrouted)."""
    return Feedback.objects.filter(external_id="M0").get()


@pytest.fixture
def org(small_org):
    return load_feedback(small_org)


CASES = [
    PageCase("journey heatmap", lambda o: f"/journeys/{o.journey.slug}/heatmap/"),
    PageCase("journey heatmap by CSAT, 30 days",
             lambda o: f"/journeys/{o.journey.slug}/heatmap/?metric=csat&period=30"),
    PageCase("step insights", lambda o: f"/steps/{o.login_step.pk}/insights/"),
    PageCase("step insights by CES", lambda o: f"/steps/{o.login_step.pk}/insights/?metric=ces&period=180"),
    PageCase("feedback explorer", lambda o: "/feedback/"),
    PageCase("feedback explorer filtered",
             lambda o: f"/feedback/?q=app&journey={o.journey.slug}&step={o.login_step.pk}&channel=app"
                       f"&segment=Student&routed=rule&start=2000-01-01&end=2100-01-01"),
    PageCase("review queue", lambda o: "/feedback/review/"),
    PageCase("review queue for a step", lambda o: f"/feedback/review/?step={o.login_step.pk}"),
    PageCase("routing quality", lambda o: "/feedback/routing/"),
    PageCase("correct a routing", lambda o: f"/feedback/{queued(o).pk}/route/", CORRECTORS,
             data=lambda o: {"step": o.call_step.pk}),
    PageCase("retrain router", lambda o: "/feedback/retrain/", KEEPERS, data=lambda o: {}, writes=False),
]


TestPageRoles = page_role_matrix(CASES, build=lambda: load_feedback(build_small_org()))


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- figures on the pages


def test_heatmap_shows_value_interval_n_and_too_few(org):
    response = as_user(org.viewer).get(f"/journeys/{org.journey.slug}/heatmap/?metric=nps&period=90")
    html = response.content.decode()
    assert response.status_code == 200
    assert "20.0" in html and '95%<span class="sr-only"> interval</span>: −7.0 to 47.0' in html and "n=40" in html
    assert '<span class="sr-only">NPS </span>20.0' in html  # a card's name is its own text, measure included
    assert "too few responses (n=5)" in html
    assert 'class="heat-card heat-' in html and "heat-none" in html
    assert 'data-chart="chart-ranking"' in html and 'id="chart-ranking" type="application/json"' in html


def test_heatmap_htmx_swap_returns_only_the_grid(org):
    response = as_user(org.viewer).get(f"/journeys/{org.journey.slug}/heatmap/?metric=ces",
                                       headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="heatmap"') and "<html" not in html
    assert "5.00" in html  # mean CES of the login step


def test_step_insights_figures_come_from_sums(org):
    response = as_user(org.viewer).get(f"/steps/{org.login_step.pk}/insights/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "20 promoters · 8 passives · 12 detractors" in html
    assert "30 of 40 answers easy" in html
    assert "75.0%" in html  # % easy tile
    for chart in ("chart-trend-n", "chart-nps", "chart-ces", "chart-channels", "chart-segments"):
        assert f'data-chart="{chart}"' in html
    # 40 answers spread over the weeks: no line of single points, a sentence instead of an empty axis
    assert 'data-chart="chart-trend"' not in html and "Too little data to draw a line: " in html
    weekly = as_user(org.viewer).get(f"/steps/{org.login_step.pk}/insights/?min_n=5").content.decode()
    assert 'data-chart="chart-trend"' in weekly and "Too little data" not in weekly
    assert f"/feedback/review/?step={org.login_step.pk}" in html
    assert 'id="themes-h"' not in html or "Themes" in html  # placeholder renders only with the themes module


def test_step_insights_for_a_step_with_too_few(org):
    html = as_user(org.viewer).get(f"/steps/{org.call_step.pk}/insights/").content.decode()
    assert "too few responses" in html and "n=5" in html


def test_verbatims_are_escaped_everywhere(org):
    client = as_user(org.viewer)
    # The router places this text with confidence, so it is not in the review queue; the queue's
    # and a cluster page's escaping are tested in test_review_queue.py with unrouted text.
    for url in ("/feedback/?q=crashed",):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html, url
        assert "<script>window.pwned" not in html and "<img src=x" not in html, url


def test_explorer_filters_and_search(org):
    client = as_user(org.viewer)
    assert client.get("/feedback/?routed=rule").context["page"].paginator.count == 45
    assert client.get(f"/feedback/?step={org.call_step.pk}&routed=rule").context["page"].paginator.count == 5
    assert client.get("/feedback/?q=HOLD").context["page"].paginator.count == 1  # icontains
    assert client.get("/feedback/?channel=web&segment=Student&routed=rule").context["page"].paginator.count == 10
    assert client.get("/feedback/?start=2100-01-01").context["page"].paginator.count == 0


def test_review_queue_is_least_confident_first_and_corrects_in_one_click(org):
    client = as_user(org.it_member)
    response = client.get("/feedback/review/")
    items = [f for f, _ in response.context["items"]]
    assert items and all(f.routed_by in (RoutedBy.MODEL, RoutedBy.NONE) for f in items)
    confidences = [f.routing_confidence for f in items]
    assert confidences == sorted(confidences)
    target = items[0]
    response = client.post(f"/feedback/{target.pk}/route/", {"step": org.login_step.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"Routed to" in response.content and b"<html" not in response.content
    target.refresh_from_db()
    assert target.step == org.login_step and target.routed_by == RoutedBy.PERSON
    assert ChangeRecord.objects.filter(object_id=target.pk, action="update").exists()
    assert target not in [f for f, _ in client.get("/feedback/review/").context["items"]]


def test_correction_to_no_step_and_bad_step(org):
    client = as_user(org.keeper)
    target = queued(org)
    assert client.post(f"/feedback/{target.pk}/route/", {"step": "none"}).status_code == 302
    target.refresh_from_db()
    assert target.step is None and target.routed_by == RoutedBy.PERSON
    response = client.post(f"/feedback/{target.pk}/route/", {"step": "999999"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and b"Choose a step" in response.content


def test_viewer_sees_the_queue_without_correction_buttons(org):
    html = as_user(org.viewer).get("/feedback/review/").content.decode()
    assert "Viewers can read the queue" in html and "/route/" not in html and "Retrain router" not in html


def test_routing_quality_after_retraining(org):
    client = as_user(org.keeper)
    assert client.post("/feedback/retrain/").status_code == 302
    html = client.get("/feedback/routing/").content.decode()
    assert "Cross-validated accuracy" in html and "How stored feedback was routed" in html
    assert "Routed by the source" not in html  # labels come from RoutedBy
    assert ">45<" in html  # 45 rows routed by rule


def test_links_from_the_map_and_the_step_page(org):
    client = as_user(org.viewer)
    assert f"/journeys/{org.journey.slug}/heatmap/" in client.get(f"/journeys/{org.journey.slug}/").content.decode()
    assert f"/steps/{org.login_step.pk}/insights/" in client.get(f"/steps/{org.login_step.pk}/").content.decode()
    nav = client.get("/").content.decode()
    assert 'href="/feedback/"' in nav and 'href="/feedback/review/"' in nav
