"""/api/v1/feedback and /api/v1/metrics: who may call what, the same figures as the pages
(hand-computed on the fixture of test_pages), and the JSON shape."""

from __future__ import annotations

import pytest

from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback
from cxkeeper.testing.api_matrix import ApiClient  # records every route reached, for the route-coverage check

from .test_pages import LOGIN_NPS_HIGH, LOGIN_NPS_LOW, LOGIN_NPS_VALUE, XSS, load_feedback, queued


@pytest.fixture
def org(small_org):
    return load_feedback(small_org)


def rows_by_label(response):
    assert response.status_code == 200, response.content
    return {row["label"]: row for row in response.json()["rows"]}


# ---------------------------------------------------------------- who may call what

READS = [
    ("/feedback", {}),
    ("/feedback/{fb}", {}),
    ("/metrics", {"by": "step"}),
    ("/metrics/heatmap/{journey}", {}),
]


@pytest.mark.parametrize(("path", "params"), READS, ids=[p for p, _ in READS])
def test_reads_need_a_signed_in_caller_and_are_open_to_every_role(org, path, params):
    path = path.format(fb=queued(org).pk, journey=org.journey.pk)
    assert ApiClient().get(path, params).status_code == 401
    for user in (org.viewer, org.sales_member, org.admin):
        assert ApiClient(user).get(path, params).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("sales_member", 200), ("it_member", 200),
                                                  ("keeper", 200), ("admin", 200)])
def test_correction_matrix(org, persona, status):
    target = queued(org)
    response = ApiClient(getattr(org, persona)).post(f"/feedback/{target.pk}/route", {"step": org.call_step.pk})
    assert response.status_code == status, response.content
    target.refresh_from_db()
    if status == 403:
        assert "Viewers cannot re-route feedback" in response.json()["detail"]
        assert target.routed_by != RoutedBy.PERSON
    else:
        body = response.json()
        assert body["step"]["id"] == org.call_step.pk and body["routed_by"] == "person"
        assert target.step == org.call_step


def test_correction_anonymous_bad_step_and_null(org):
    target = queued(org)
    assert ApiClient().post(f"/feedback/{target.pk}/route", {"step": None}).status_code == 401
    keeper = ApiClient(org.keeper)
    bad = keeper.post(f"/feedback/{target.pk}/route", {"step": 999999})
    assert bad.status_code == 422 and "step" in bad.json()["errors"]
    assert keeper.post("/feedback/999999/route", {"step": None}).status_code == 404
    response = keeper.post(f"/feedback/{target.pk}/route", {"step": None})
    assert response.status_code == 200 and response.json()["step"] is None
    assert response.json()["routed_by"] == "person"


# ---------------------------------------------------------------- feedback


def test_feedback_list_filters_and_pagination(org):
    api = ApiClient(org.viewer)
    everything = api.get("/feedback", {"limit": 10}).json()
    assert everything["count"] == 49 and len(everything["items"]) == 10
    assert api.get("/feedback", {"routed": "rule"}).json()["count"] == 45
    assert api.get("/feedback", {"step": org.call_step.pk, "routed": "rule"}).json()["count"] == 5
    assert api.get("/feedback", {"journey": org.journey.slug, "q": "helpline", "routed": "rule"}).json()["count"] == 5
    assert api.get("/feedback", {"channel": "web", "segment": "Student", "routed": "rule"}).json()["count"] == 10
    assert api.get("/feedback", {"source": "Relationship survey", "from": "2100-01-01"}).json()["count"] == 0
    assert api.get("/feedback", {"journey": "nope"}).status_code == 422


def test_feedback_detail_keeps_text_as_data(org):
    item = Feedback.objects.get(external_id="M3")
    body = ApiClient(org.viewer).get(f"/feedback/{item.pk}").json()
    assert body["text"] == XSS and body["source"] == "Relationship survey" and body["channel"] == "web"
    assert ApiClient(org.viewer).get("/feedback/999999").status_code == 404


# ---------------------------------------------------------------- metrics


def test_metrics_by_step_match_hand_computed_numbers(org):
    rows = rows_by_label(ApiClient(org.viewer).get("/metrics", {"by": "step", "journey": org.journey.slug}))
    login = rows["Get help › Log in to the app"]
    assert login["key"] == org.login_step.pk
    nps = login["metrics"]["nps"]
    assert nps["enough"] and nps["n"] == 40
    assert nps["value"] == pytest.approx(LOGIN_NPS_VALUE)
    assert nps["low"] == pytest.approx(LOGIN_NPS_LOW, abs=1e-3)
    assert nps["high"] == pytest.approx(LOGIN_NPS_HIGH, abs=1e-3)
    assert login["metrics"]["ces"]["value"] == pytest.approx(5.0) and login["metrics"]["ces_easy"]["value"] == 75.0
    assert login["metrics"]["csat"] == {"value": None, "low": None, "high": None, "n": 0, "enough": False}
    helpline = rows["Get help › Call the helpline"]["metrics"]["nps"]
    assert helpline == {"value": None, "low": None, "high": None, "n": 5, "enough": False}  # too few responses
    assert set(login["metrics"]) >= {"nps", "csat", "ces", "ces_easy", "sentiment", "churn_rate", "retention_rate",
                                     "complaint_share", "negative_share", "volume"}


def test_min_n_lets_small_groups_through(org):
    rows = rows_by_label(ApiClient(org.viewer).get("/metrics", {"by": "step", "step": org.call_step.pk, "min_n": 5}))
    nps = rows["Get help › Call the helpline"]["metrics"]["nps"]
    assert nps["enough"] and nps["value"] == 100.0 and nps["n"] == 5


def test_metrics_by_team_stage_journey_count_through_responsibilities(org):
    api = ApiClient(org.viewer)
    teams = rows_by_label(api.get("/metrics", {"by": "team"}))
    assert teams["IT"]["metrics"]["nps"]["n"] == 40  # owns the login step
    service = teams["Customer service"]["metrics"]["nps"]  # owns the helpline, contributes to login
    assert service["n"] == 45 and service["value"] == pytest.approx(100 * (25 - 12) / 45)
    assert "Sales" not in teams
    assert rows_by_label(api.get("/metrics", {"by": "team", "team": "it"})).keys() == {"IT"}
    journeys = rows_by_label(api.get("/metrics", {"by": "journey"}))
    assert journeys["Get help"]["metrics"]["nps"]["value"] == pytest.approx(100 * 13 / 45)
    stages = rows_by_label(api.get("/metrics", {"by": "stage"}))
    assert stages["Get help › Ask for help"]["metrics"]["nps"]["n"] == 45


def test_metrics_by_channel_segment_and_time(org):
    api = ApiClient(org.viewer)
    channels = rows_by_label(api.get("/metrics", {"by": "channel", "step": org.login_step.pk}))
    assert channels["app"]["metrics"]["nps"]["n"] == 25 and channels["web"]["metrics"]["nps"]["n"] == 15
    segments = rows_by_label(api.get("/metrics", {"by": "segment", "step": org.login_step.pk}))
    assert segments["Student"]["metrics"]["nps"]["n"] == 20 and segments["(no segment)"]["metrics"]["nps"]["n"] == 20
    only = rows_by_label(api.get("/metrics", {"by": "channel", "channel": "app", "segment": "Student"}))
    assert only.keys() == {"app"}
    for grain in ("day", "week", "month"):
        body = api.get("/metrics", {"by": grain, "journey": org.journey.pk, "min_n": 1}).json()
        assert sum(row["metrics"]["nps"]["n"] for row in body["rows"]) == 45, grain
        assert all(len(row["key"]) == 10 for row in body["rows"])  # ISO dates
    window = api.get("/metrics", {"by": "journey", "from": "2100-01-01", "to": "2100-12-31"}).json()
    assert window["rows"] == [] and window["from"] == "2100-01-01"


def test_metrics_bad_input_is_422_with_the_field(org):
    api = ApiClient(org.viewer)
    assert "by" in api.get("/metrics", {"by": "planet"}).json()["errors"]
    assert "team" in api.get("/metrics", {"team": "nobody"}).json()["errors"]
    assert api.get("/metrics", {"min_n": 0}).status_code == 422


def test_heatmap_endpoint(org):
    api = ApiClient(org.viewer)
    body = api.get(f"/metrics/heatmap/{org.journey.pk}", {"metric": "nps", "period": 90}).json()
    steps = {s["name"]: s for stage in body["stages"] for s in stage["steps"]}
    assert body["journey"]["slug"] == org.journey.slug and body["metric"] == "nps"
    assert steps["Log in to the app"]["value"]["value"] == pytest.approx(20.0)
    assert steps["Log in to the app"]["colour_class"] == 4  # 20 points above 0 on a ±50 scale
    assert steps["Call the helpline"]["value"]["enough"] is False and steps["Call the helpline"]["colour_class"] is None
    assert api.get("/metrics/heatmap/999999").status_code == 404
    assert api.get(f"/metrics/heatmap/{org.journey.pk}", {"metric": "karma"}).status_code == 422
