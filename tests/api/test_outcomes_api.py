"""/api/v1 for shared outcomes: every endpoint's role matrix (anonymous 401, the wrong role 403
with a reason and nothing written, the right role succeeds and leaves a history row by the
caller), the same figures as `outcomes.queries`, and bad input refused with nothing stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cxkeeper.core.models import ChangeRecord
from cxkeeper.org.models import Workspace
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.models import KpiLink, KpiValue, MetricDefinition, SharedOutcome, Target, TeamKpi
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix, v
from cxkeeper.testing.builders import SmallOrg, build_small_org
from cxkeeper.testing.outcomes_builders import SmallOutcomes, build_outcomes

from . import conftest

DUE = (dt.date.today() + dt.timedelta(days=200)).isoformat()
METRIC_VALUE_KEYS = {"value", "low", "high", "n", "enough"}


@dataclass
class OutcomesWorld:
    org: SmallOrg
    oc: SmallOutcomes

    def __getattr__(self, name):
        if hasattr(self.oc, name):
            return getattr(self.oc, name)
        return getattr(self.org, name)

    def link(self, kpi) -> KpiLink:
        return KpiLink.objects.get(kpi=kpi, outcome=self.oc.effort)


def outcomes_world(org: SmallOrg) -> OutcomesWorld:
    """Outcomes, targets, a statement, two team KPIs with values and links; no feedback (fast)."""
    return OutcomesWorld(org, build_outcomes(org, with_feedback=False))


@pytest.fixture
def ow(small_org) -> OutcomesWorld:
    return outcomes_world(small_org)


@pytest.fixture
def data(small_org) -> OutcomesWorld:
    """The same with a year of feedback in which handle time falls while helpline effort worsens."""
    return OutcomesWorld(small_org, build_outcomes(small_org))


def csat(w) -> MetricDefinition:
    """A standard metric nothing uses, so it may be deleted."""
    return MetricDefinition.objects.get(key="csat")


ENDPOINTS = [
    # ---- shared outcomes
    E("GET", "/outcomes", lambda w: "/outcomes"),
    E("GET", "/outcomes/{id}", lambda w: f"/outcomes/{w.effort.pk}"),
    E("GET", "/outcomes/{id}/history", lambda w: f"/outcomes/{w.effort.pk}/history"),
    E("POST", "/outcomes", lambda w: "/outcomes",
      lambda w: {"name": "Strengthen retention", "metrics": ["retention", w.nps.pk]},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/outcomes/{id}", lambda w: f"/outcomes/{w.loyalty.pk}",
      lambda w: {"version": v(w.loyalty), "description": "Customers stay.", "metrics": ["nps", "retention"]},
      allowed="admin", refused="viewer"),
    E("DELETE", "/outcomes/{id}", lambda w: f"/outcomes/{w.loyalty.pk}", lambda w: {"version": v(w.loyalty)},
      allowed="keeper", refused="it_member"),
    # ---- metric definitions
    E("GET", "/metric-definitions", lambda w: "/metric-definitions?q=ces"),
    E("GET", "/metric-definitions/{id}", lambda w: f"/metric-definitions/{w.ces.pk}"),
    E("GET", "/metric-definitions/{id}/history", lambda w: f"/metric-definitions/{w.ces.pk}/history",
      status=200),
    E("POST", "/metric-definitions", lambda w: "/metric-definitions",
      lambda w: {"key": "ces-app", "name": "Effort in the app", "base": "ces", "channel": "app"},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/metric-definitions/{id}", lambda w: f"/metric-definitions/{w.nps.pk}",
      lambda w: {"version": v(w.nps), "description": "Would you recommend us?"}, allowed="admin", refused="viewer"),
    E("DELETE", "/metric-definitions/{id}", lambda w: f"/metric-definitions/{csat(w).pk}",
      lambda w: {"version": v(csat(w))}, allowed="keeper", refused="sales_member"),
    # ---- targets
    E("GET", "/targets", lambda w: f"/targets?outcome={w.effort.pk}"),
    E("GET", "/targets/{id}", lambda w: f"/targets/{w.org_target.pk}"),
    E("GET", "/targets/{id}/history", lambda w: f"/targets/{w.org_target.pk}/history"),
    E("POST", "/targets", lambda w: "/targets",
      lambda w: {"outcome": "Increase loyalty", "metric": "nps", "scope": "journey", "journey": "Get help",
                 "value": 30, "due": DUE, "baseline": 12},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/targets/{id}", lambda w: f"/targets/{w.login_target.pk}",
      lambda w: {"version": v(w.login_target), "value": 5.2}, allowed="keeper", refused="sales_member"),
    E("DELETE", "/targets/{id}", lambda w: f"/targets/{w.login_target.pk}",
      lambda w: {"version": v(w.login_target)}, allowed="admin", refused="viewer"),
    # ---- success statements
    E("GET", "/success-statements", lambda w: "/success-statements?outcome=Reduce customer effort"),
    E("GET", "/success-statements/{id}", lambda w: f"/success-statements/{w.statement.pk}"),
    E("GET", "/success-statements/{id}/history", lambda w: f"/success-statements/{w.statement.pk}/history"),
    E("POST", "/success-statements", lambda w: "/success-statements",
      lambda w: {"outcome": w.effort.pk, "customer_goal": "Customers log in first time",
                 "business_outcome": "fewer calls", "target": w.login_target.pk},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/success-statements/{id}", lambda w: f"/success-statements/{w.statement.pk}",
      lambda w: {"version": v(w.statement), "business_outcome": "lower cost to serve, fewer repeat calls"},
      allowed="admin", refused="viewer"),
    E("DELETE", "/success-statements/{id}", lambda w: f"/success-statements/{w.statement.pk}",
      lambda w: {"version": v(w.statement)}, allowed="keeper", refused="it_member"),
    # ---- team KPIs
    E("GET", "/kpis", lambda w: "/kpis?team=IT"),
    E("GET", "/kpis/{id}", lambda w: f"/kpis/{w.handle_time.pk}"),
    E("GET", "/kpis/{id}/history", lambda w: f"/kpis/{w.handle_time.pk}/history"),
    E("POST", "/kpis", lambda w: "/kpis",
      lambda w: {"team": "IT", "name": "Tickets closed", "unit": "tickets", "direction": "up"},
      allowed="it_member", refused="sales_member"),
    E("PATCH", "/kpis/{id}", lambda w: f"/kpis/{w.login_success.pk}",
      lambda w: {"version": v(w.login_success), "description": "First-try logins."},
      allowed="it_member", refused="sales_member"),
    E("DELETE", "/kpis/{id}", lambda w: f"/kpis/{w.handle_time.pk}", lambda w: {"version": v(w.handle_time)},
      allowed="keeper", refused="it_member"),
    E("GET", "/kpis/{id}/values", lambda w: f"/kpis/{w.login_success.pk}/values?months=6"),
    E("POST", "/kpis/{id}/values", lambda w: f"/kpis/{w.login_success.pk}/values",
      lambda w: [{"period": dt.date.today().replace(day=1).isoformat(), "value": 97.5}],
      allowed="it_member", refused="viewer", status=200),
    E("GET", "/kpis/{id}/links", lambda w: f"/kpis/{w.handle_time.pk}/links"),
    E("POST", "/kpis/{id}/links", lambda w: f"/kpis/{w.login_success.pk}/links",
      lambda w: {"outcome": "Increase loyalty", "kind": "supports", "note": "Happy logins, happy customers."},
      allowed="it_member", refused="sales_member"),
    E("PUT", "/kpis/{id}/links/{outcome_id}", lambda w: f"/kpis/{w.login_success.pk}/links/{w.effort.pk}",
      lambda w: {"kind": "tension", "version": v(w.link(w.login_success))},
      allowed="it_member", refused="viewer", status=200),
    E("DELETE", "/kpis/{id}/links/{outcome_id}", lambda w: f"/kpis/{w.login_success.pk}/links/{w.effort.pk}",
      lambda w: {"version": v(w.link(w.login_success))}, allowed="it_member", refused="sales_member"),
    # ---- reads
    E("GET", "/tensions", lambda w: "/tensions?team=Customer service"),
    E("GET", "/alignment", lambda w: "/alignment"),
    E("GET", "/scorecards/teams/{slug}", lambda w: f"/scorecards/teams/{w.it.slug}?period_days=90"),
    E("GET", "/scorecards/organization", lambda w: "/scorecards/organization?period_days=30"),
    E("GET", "/language", lambda w: "/language"),
]

TestEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=lambda: outcomes_world(build_small_org()),
                                         keeps=[KpiValue, KpiLink])


# ---------------------------------------------------------------- the same figures as the queries


pytestmark = pytest.mark.django_db


def _same_value(out: dict, value) -> None:
    assert set(out) == METRIC_VALUE_KEYS
    assert out["n"] == value.n and out["enough"] == value.enough
    for key in ("value", "low", "high"):
        expected = getattr(value, key)
        assert (out[key] is None and expected is None) or out[key] == pytest.approx(expected)


def test_target_status_current_value_and_series_agree_with_the_queries(data, api_as):
    client = api_as(data.viewer)
    for target in (data.org_target, data.login_target):
        response = client.get(f"/targets/{target.pk}")
        assert response.status_code == 200 and response["ETag"] == f'"{v(target)}"'
        body = response.json()
        view = queries.assess(Target.objects.get(pk=target.pk))
        assert body["status"] == view.status and body["status_label"] == view.status_label
        assert body["explanation"] == view.assessment.explanation and len(body["explanation"]) > 20
        # the plain sentence beside it: the same verdict without the statistics
        assert body["plain"] == view.assessment.plain
        assert body["plain"].startswith(("On track: ", "At risk: ", "Off track: "))
        assert not any(word in body["plain"] for word in ("n=", "p=", "p<", "interval"))
        _same_value(body["current"], view.assessment.current)
        assert body["current"]["n"] > 0
        assert len(body["monthly"]) == len(view.monthly) == queries.TREND_MONTHS
        for out, (month, value) in zip(body["monthly"], view.monthly, strict=True):
            assert out["month"] == month.isoformat()
            _same_value({k: out[k] for k in METRIC_VALUE_KEYS}, value)
        assert body["projection"]["months_used"] == view.assessment.months_used
        assert body["projection"]["value"] == pytest.approx(view.assessment.projected)
    listed_plain = {t["id"]: t["plain"] for t in client.get("/targets").json()["items"]}
    assert listed_plain[data.org_target.pk] == queries.assess(data.org_target).assessment.plain
    listed = {t["id"]: t["status"] for t in client.get("/targets").json()["items"]}
    assert listed[data.org_target.pk] == queries.assess(data.org_target).status


def test_outcome_lists_its_metrics_and_targets_with_status(data, api_as):
    body = api_as(data.viewer).get(f"/outcomes/{data.effort.pk}").json()
    assert body["metric_ids"] == [data.ces.pk] and body["metric_keys"] == ["ces"]
    statuses = {t["id"]: t["status"] for t in body["targets"]}
    assert statuses == {t.pk: queries.assess(t).status for t in (data.org_target, data.login_target)}


def test_handle_time_against_effort_is_found_as_a_tension(data, api_as):
    client = api_as(data.viewer)
    items = client.get("/tensions", {"limit": 500}).json()["items"]
    found = [t for t in items if t["found"]]
    assert [(t["kpi"]["name"], t["metric"]["key"]) for t in found] == [("Average handle time", "ces")]
    tension = found[0]
    assert tension["kpi"]["team_name"] == "Customer service" and tension["strength"] in ("strong", "moderate")
    assert tension["p_adjusted"] < 0.05 and tension["periods"] >= 6 and tension["effect"] > 0
    assert tension["declared"] is None  # declared as supporting: nobody named the tension
    assert "Average handle time" in tension["explanation"]
    assert tension["outcomes"] == [{"id": data.effort.pk, "name": "Reduce customer effort"}]
    assert data.call_step.pk in tension["steps"]
    # every comparison is returned, found or not; the team filter keeps the same verdicts
    assert len(items) == len(queries.tension_findings())
    it_only = client.get("/tensions", {"team": "IT"}).json()["items"]
    assert it_only and {t["kpi"]["team_name"] for t in it_only} == {"IT"} and not any(t["found"] for t in it_only)
    assert client.get("/tensions", {"found": "true"}).json()["count"] == 1


def test_team_scorecard_has_the_figures_of_the_query(data, api_as):
    client = api_as(data.viewer)
    response = client.get(f"/scorecards/teams/{data.service.slug}", {"period_days": 90})
    assert response.status_code == 200, response.content
    body = response.json()
    card = queries.scorecard(data.service, period_days=90)
    assert body["team"] == {"id": data.service.pk, "name": "Customer service", "slug": data.service.slug}
    assert body["as_of"] == card.as_of.isoformat() and body["period"]["days"] == 90
    for name, change in card.totals.items():
        _same_value(body["totals"][name]["current"], change.current)
        _same_value(body["totals"][name]["previous"], change.previous)
    assert [s["step"]["name"] for s in body["steps"]] == [line.step.name for line in card.steps]
    assert body["status_counts"] == card.status_counts
    assert {t["id"]: t["status"] for t in body["targets"]} == {t.target.pk: t.status for t in card.targets}
    kpi = next(k for k in body["kpis"] if k["name"] == "Average handle time")
    assert len(kpi["series"]) == 12 and kpi["improving"] is True
    assert [t["metric"]["key"] for t in kpi["tensions"]] == ["ces"]
    assert kpi["links"][0]["kind"] == "supports"
    assert [t["kpi"]["name"] for t in body["tensions"]] == ["Average handle time"]
    # the helpline's worsening effort is a friction signal at the team's own step, explained
    assert {s["step_name"] for s in body["friction"]} == {"Call the helpline"}
    assert all(set(s["current"]) == METRIC_VALUE_KEYS and s["explanation"] for s in body["friction"])
    assert body["handoffs"] == []
    assert client.get("/scorecards/teams/nobody").status_code == 404
    assert client.get(f"/scorecards/teams/{data.service.slug}", {"period_days": 1}).json()["errors"]["period_days"]


def test_organization_view_has_the_figures_of_the_query(data, api_as):
    body = api_as(data.viewer).get("/scorecards/organization").json()
    view = queries.org_view()
    assert body["as_of"] == view.as_of.isoformat() and body["status_counts"] == view.status_counts
    assert [o["name"] for o in body["outcomes"]] == [o.outcome.name for o in view.outcomes]
    effort = body["outcomes"][0]
    assert effort["statements"][0]["customer_goal"] == "Customers sort out their bill without calling us"
    assert {link["kpi_name"] for link in effort["kpi_links"]} == {"Average handle time", "Login success rate"}
    assert [w["step"]["name"] for w in body["worst_steps"]] == [w.step.name for w in view.worst_steps]
    for out, worst in zip(body["worst_steps"], view.worst_steps, strict=True):
        _same_value(out["value"], worst.value)
    assert body["coverage"]["n_steps"] == view.coverage.n_steps
    assert [t["kpi"]["name"] for t in body["tensions"]] == ["Average handle time"]


def test_alignment_has_nodes_and_edges_with_the_found_tension(data, api_as):
    body = api_as(data.viewer).get("/alignment").json()
    nodes = {n["id"]: n for n in body["nodes"]}
    assert nodes["north"]["kind"] == "north_star"
    assert nodes[f"o{data.effort.pk}"]["api_url"] == f"/api/v1/outcomes/{data.effort.pk}"
    assert nodes[f"t{data.org_target.pk}"]["status"] == queries.assess(data.org_target).status
    org_view = queries.assess(data.org_target)
    assert nodes[f"t{data.org_target.pk}"]["plain"] == f"the organization: {org_view.assessment.plain}"
    assert nodes[f"t{data.org_target.pk}"]["detail"] == f"the organization: {org_view.assessment.explanation}"
    assert nodes[f"o{data.effort.pk}"]["plain"] == ""
    assert nodes[f"k{data.handle_time.pk}"]["status"] == "tension"
    edges = {(e["source"], e["target"], e["kind"]) for e in body["edges"]}
    assert (f"m{data.ces.pk}", f"k{data.handle_time.pk}", "found_tension") in edges
    assert (f"o{data.effort.pk}", f"k{data.handle_time.pk}", "supports") in edges
    assert body["tensions_found"] == 1
    assert {c["title"] for c in body["columns"]} >= {"North Star", "Team KPIs"}
    assert all(node_id in nodes for c in body["columns"] for node_id in c["node_ids"])


def test_language_shows_the_mission_history_and_success_statements(ow, api_as):
    workspace = Workspace.current()
    api_as(ow.keeper).patch("/workspace", {"version": workspace.version, "mission": "Effortless, every time."})
    body = api_as(ow.viewer).get("/language").json()
    assert body["mission"] == "Effortless, every time."
    latest = body["mission_history"][0]
    assert latest["actor"] == "kim" and latest["after"] == "Effortless, every time."
    assert latest["before"] == workspace.mission and latest["at"]
    statement = body["success_statements"][0]
    assert statement["outcome_name"] == "Reduce customer effort" and statement["target_id"] == ow.org_target.pk
    assert "lower cost to serve" in statement["sentence"] and statement["target_status"]


def test_kpi_values_series_and_json_upsert(ow, api_as):
    client = api_as(ow.it_member)
    path = f"/kpis/{ow.login_success.pk}/values"
    series = client.get(path).json()
    assert [(row["period"], row["value"]) for row in series["values"]] == [
        (p.isoformat(), value) for p, value in queries.kpi_series(ow.login_success)]
    month = dt.date.today().replace(day=1).isoformat()
    stored = client.post(path, {"values": [{"period": month, "value": 99.0}], "version": series["version"]})
    assert stored.status_code == 200 and stored.json()["stored"] == 1
    assert stored.json()["values"][-1] == {"period": month, "value": 99.0}
    assert stored.json()["version"] == series["version"] + 1
    stale = client.post(path, {"values": [{"period": month, "value": 1.0}], "version": series["version"]})
    assert stale.status_code == 409 and stale.json()["current"]["id"] == ow.login_success.pk
    assert KpiValue.objects.get(kpi=ow.login_success, period=month).value == 99.0


# ---------------------------------------------------------------- bad input


def _csv_post(client, path, text, **headers):
    conftest.EXERCISED.add(("POST", conftest.route_of("/api/v1" + path)))
    return client.client.post("/api/v1" + path, text, content_type="text/csv",
                              headers={**client.headers, **headers})


BAD_CSV = "period,value,unit\n2026-01-01,8.1,minutes\n2026-13-01,7.9,minutes\n2026-03-01,7.5,seconds\n"


def test_kpi_csv_with_a_bad_date_and_a_wrong_unit_names_row_and_column_and_stores_nothing(ow, api_as):
    kpi = ow.handle_time
    client = api_as(ow.keeper)
    before = list(kpi.values.values_list("period", "value")), v(kpi), ChangeRecord.objects.count()
    response = _csv_post(client, f"/kpis/{kpi.pk}/values?filename=handle.csv", BAD_CSV)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]["file"]
    assert any("handle.csv, row 3, column period" in e and "2026-13-01" in e for e in errors), errors
    assert any("handle.csv, row 4, column unit" in e and "seconds" in e for e in errors), errors
    assert (list(kpi.values.values_list("period", "value")), v(kpi), ChangeRecord.objects.count()) == before
    # the same as a multipart upload
    upload = SimpleUploadedFile("team-aht.csv", BAD_CSV.encode(), content_type="text/csv")
    multipart = client.client.post(f"/api/v1/kpis/{kpi.pk}/values", {"file": upload}, headers=client.headers)
    assert multipart.status_code == 422
    assert any("team-aht.csv, row 3, column period" in e for e in multipart.json()["errors"]["file"])
    assert list(kpi.values.values_list("period", "value")) == before[0]


def test_a_good_kpi_csv_is_imported_by_text_and_multipart(ow, api_as):
    kpi = ow.handle_time
    client = api_as(ow.keeper)
    good = "month,value,unit\n2026-01,8.1,minutes\n2026-02,7.9,\n"
    response = _csv_post(client, f"/kpis/{kpi.pk}/values", good)
    assert response.status_code == 200 and response.json()["stored"] == 2
    assert KpiValue.objects.get(kpi=kpi, period=dt.date(2026, 2, 1)).value == 7.9
    upload = SimpleUploadedFile("aht.csv", b"date,value\n2026-02-01,7.7\n", content_type="text/csv")
    multipart = client.client.post(f"/api/v1/kpis/{kpi.pk}/values", {"file": upload}, headers=client.headers)
    assert multipart.status_code == 200 and multipart.json()["stored"] == 1
    assert KpiValue.objects.get(kpi=kpi, period=dt.date(2026, 2, 1)).value == 7.7
    record = ChangeRecord.objects.filter(object_id=kpi.pk, content_type__model="teamkpi").order_by("-id").first()
    assert record.after["values_source"] == "CSV aht.csv"


def test_kpi_json_values_name_the_bad_field_and_store_nothing(ow, api_as):
    client = api_as(ow.keeper)
    path = f"/kpis/{ow.handle_time.pk}/values"
    count = KpiValue.objects.count()
    response = client.post(path, [{"period": "2026-01-01", "value": 8}, {"period": "January", "value": 7}])
    assert response.status_code == 422 and "1.period" in response.json()["errors"]
    assert client.post(path, []).json()["errors"]["values"]
    wrapped = client.post(path, {"values": [{"period": "2026-01-01"}]})
    assert "values.0.value" in wrapped.json()["errors"]
    assert KpiValue.objects.count() == count


def test_a_metric_kpi_takes_no_values(ow, api_as):
    client = api_as(ow.keeper)
    created = client.post("/kpis", {"team": "Customer service", "name": "Effort at our steps", "unit": "CES",
                                    "direction": "up", "source": "metric", "metric": "ces"})
    assert created.status_code == 201 and created.json()["metric_key"] == "ces"
    refused = client.post(f"/kpis/{created.json()['id']}/values", [{"period": "2026-01-01", "value": 5}])
    assert refused.status_code == 422 and "source" in refused.json()["errors"]
    without_metric = client.post("/kpis", {"team": "IT", "name": "X", "unit": "CES", "direction": "up",
                                           "source": "metric"})
    assert without_metric.status_code == 422 and "metric" in without_metric.json()["errors"]


def test_unknown_metric_base_is_refused_naming_the_field(ow, api_as):
    count = MetricDefinition.objects.count()
    response = api_as(ow.keeper).post("/metric-definitions", {"key": "joy", "name": "Joy", "base": "happiness"})
    assert response.status_code == 422 and "base" in response.json()["errors"]
    volume = api_as(ow.keeper).post("/metric-definitions", {"key": "vol", "name": "Volume", "base": "volume"})
    assert volume.status_code == 422 and "direction" in volume.json()["errors"]
    assert MetricDefinition.objects.count() == count


def test_target_scope_without_its_step_is_refused_naming_the_field(ow, api_as):
    client = api_as(ow.keeper)
    count = Target.objects.count()
    response = client.post("/targets", {"outcome": ow.effort.pk, "metric": "ces", "scope": "step", "value": 5,
                                        "due": DUE})
    assert response.status_code == 422 and "step" in response.json()["errors"], response.content
    unknown = client.post("/targets", {"outcome": "Nothing", "metric": "ces", "value": 5, "due": DUE})
    assert unknown.status_code == 422 and "outcome" in unknown.json()["errors"]
    stray = client.post("/targets", {"outcome": ow.effort.pk, "metric": "ces", "scope": "organization",
                                     "step": ow.login_step.pk, "value": 5, "due": DUE})
    assert stray.status_code == 422 and "step" in stray.json()["errors"]
    assert Target.objects.count() == count


def test_deleting_a_metric_used_by_a_target_names_the_targets_and_deletes_nothing(ow, api_as):
    client = api_as(ow.keeper)
    response = client.delete(f"/metric-definitions/{ow.ces.pk}", {"version": v(ow.ces)})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "still used by" in detail and str(ow.org_target) in detail and "nothing was deleted" in detail
    assert MetricDefinition.objects.filter(pk=ow.ces.pk).exists() and Target.objects.count() == 2
    outcome = client.delete(f"/outcomes/{ow.effort.pk}", {"version": v(ow.effort)})
    assert outcome.status_code == 422 and "target" in outcome.json()["detail"]
    assert SharedOutcome.objects.filter(pk=ow.effort.pk).exists()


def test_stale_versions_are_refused_with_the_current_object(ow, api_as):
    keeper, admin = api_as(ow.keeper), api_as(ow.admin)
    path = f"/targets/{ow.org_target.pk}"
    version = v(ow.org_target)
    assert keeper.patch(path, {"version": version, "value": 5.4}).status_code == 200
    stale = admin.patch(path, {"version": version, "value": 6.0})
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    assert stale.json()["current"]["value"] == 5.4 and stale.json()["current"]["status"]
    assert Target.objects.get(pk=ow.org_target.pk).value == 5.4
    assert keeper.patch(f"/outcomes/{ow.effort.pk}", {"name": "Effort"}).status_code == 422  # no version
    kpi = ow.login_success
    link_path = f"/kpis/{kpi.pk}/links/{ow.effort.pk}"
    link_version = v(ow.link(kpi))
    assert keeper.request("PUT", link_path, {"kind": "tension", "version": link_version}).status_code == 200
    assert keeper.delete(link_path, {"version": link_version}).status_code == 409
    assert keeper.delete(f"/kpis/{kpi.pk}?version=1").status_code == 409
    assert TeamKpi.objects.filter(pk=kpi.pk).exists() and ow.link(kpi).kind == "tension"


def test_links_are_one_per_kpi_and_outcome(ow, api_as):
    client = api_as(ow.it_member)
    path = f"/kpis/{ow.login_success.pk}/links"
    again = client.post(path, {"outcome": "Reduce customer effort", "kind": "tension", "note": "Captchas."})
    assert again.status_code == 200 and again.json()["kind"] == "tension"
    links = client.get(path).json()
    assert [(link["outcome_name"], link["kind"]) for link in links] == [("Reduce customer effort", "tension")]
    assert client.delete(f"{path}/{ow.loyalty.pk}", {"version": 1}).status_code == 404
    assert client.post(path, {"outcome": "Nope"}).json()["errors"]["outcome"]


def test_a_member_cannot_move_a_kpi_to_another_team(ow, api_as):
    kpi = ow.login_success
    response = api_as(ow.it_member).patch(f"/kpis/{kpi.pk}", {"version": v(kpi), "team": "Sales"})
    assert response.status_code == 403 and "Sales" in response.json()["detail"]
    assert TeamKpi.objects.get(pk=kpi.pk).team == ow.it


def test_lists_filter(ow, api_as):
    client = api_as(ow.viewer)
    assert [k["name"] for k in client.get("/kpis", {"team": "customer-service"}).json()["items"]] == [
        "Average handle time"]
    assert client.get("/kpis", {"team": "Nobody"}).json()["errors"]["team"]
    step_targets = client.get("/targets", {"scope": "step"}).json()["items"]
    assert [t["id"] for t in step_targets] == [ow.login_target.pk]
    assert step_targets[0]["scope_label"] == "step “Log in to the app”" and step_targets[0]["comparator"] == "≥"
    no_data = client.get("/targets", {"status": "no_data"}).json()["items"]  # no feedback in this world
    assert {t["id"] for t in no_data} == {ow.org_target.pk, ow.login_target.pk}
    assert client.get("/metric-definitions", {"base": "nps"}).json()["items"][0]["key"] == "nps"


def test_values_in_another_format_are_refused(ow, api_as):
    client = api_as(ow.keeper)
    response = client.client.post(f"/api/v1/kpis/{ow.handle_time.pk}/values", b"<values/>",
                                  content_type="application/xml", headers=client.headers)
    assert response.status_code == 415 and "text/csv" in response.json()["detail"]

