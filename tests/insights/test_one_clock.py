"""One clock (issue 9): every surface measures the same days, so the same figure has the same
value and n on every page, API answer, CLI `--json` and report; a few late-dated rows do not
move the data-through day; an import that moves a target's status says so in its summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import clock, pipeline
from cxkeeper.insights.actions import create_source, ingest_feedback_batch
from cxkeeper.insights.models import StepDayRollup
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes import queries as outcome_queries
from cxkeeper.outcomes import reports
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.outcomes_builders import build_outcomes, year_of_feedback

runner = CliRunner()


@pytest.fixture
def world(small_org):
    """The outcomes builder's year of feedback (every item routed to the one journey), its last
    day ten days ago (an export that stopped: "today" and "data through" differ), with four
    targets over the default 90 days: CES and NPS at the organization, CES at the login step,
    CES at the journey."""
    built = build_outcomes(small_org, with_feedback=False)
    source = create_source({"name": "Effort survey", "kind": "survey"}, acting_user=SYSTEM)
    rows = [dataclasses.replace(row, received_at=row.received_at - dt.timedelta(days=10))
            for row in year_of_feedback()]
    ingest_feedback_batch(source, rows)
    due = dt.date.today() + dt.timedelta(days=180)
    nps_org = outcome_actions.set_metric_target(
        {"outcome": built.loyalty, "metric": built.nps, "scope": "organization", "value": -15, "due": due},
        acting_user=SYSTEM)
    ces_journey = outcome_actions.set_metric_target(
        {"outcome": built.effort, "metric": built.ces, "scope": "journey", "journey": small_org.journey,
         "value": 5.0, "due": due}, acting_user=SYSTEM)
    small_org.targets = {"ces_org": built.org_target, "nps_org": nps_org, "ces_login": built.login_target,
                         "ces_journey": ces_journey}
    small_org.outcomes = built
    return small_org


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pair(value) -> tuple:
    """(value rounded to 9 places, n) of a MetricValue or of its JSON shape."""
    if isinstance(value, dict):
        return (None if value["value"] is None else round(value["value"], 9), value["n"])
    return (None if value.value is None else round(value.value, 9), value.n)


def views_of(views) -> dict[int, tuple]:
    return {v.target.pk: pair(v.assessment.current) for v in views}


def test_the_same_figure_is_equal_on_every_surface(world, tmp_path):
    targets = world.targets
    assert clock.data_through() < dt.date.today()
    assert clock.data_through() == StepDayRollup.objects.order_by("-day").values_list("day", flat=True).first()
    truth = {pk: pair(outcome_queries.current_value(t)) for pk, t in ((t.pk, t) for t in targets.values())}
    assert all(n >= 30 for _, n in truth.values()), truth  # real figures, not "too few"
    viewer = as_user(world.viewer)
    seen: dict[str, dict[int, tuple]] = {}

    # pages
    page = viewer.get("/outcomes/")
    seen["outcomes list"] = views_of(v for ov in page.context["outcomes"] for v in ov.targets)
    assert b"Data through" in page.content
    for outcome in (world.outcomes.effort, world.outcomes.loyalty):
        page = viewer.get(f"/outcomes/{outcome.pk}/")
        seen.setdefault("outcome page", {}).update(views_of(card["view"] for card in page.context["targets"]))
        assert b"Data through" in page.content
    for target in targets.values():
        page = viewer.get(f"/targets/{target.pk}/")
        seen.setdefault("target page", {}).update(views_of([page.context["card"]["view"]]))
        assert b"Data through" in page.content
    page = viewer.get(f"/scorecards/{world.service.slug}/")
    seen["team scorecard"] = views_of(page.context["card"].targets)
    assert b"Data through" in page.content
    page = viewer.get("/scorecards/organization/")
    seen["organization view"] = views_of(v for ov in page.context["view"].outcomes for v in ov.targets)
    assert b"Data through" in page.content

    login = world.login_step
    # the default period, as a person first sees the page (no ?period=): the clock's 90 days
    page = viewer.get(f"/journeys/{world.journey.slug}/heatmap/", {"metric": "ces"})
    cell = next(c for c in page.context["heatmap"].cells if c.step.pk == login.pk)
    seen["heatmap"] = {targets["ces_login"].pk: pair(cell.value)}
    assert b"Data through" in page.content
    page = viewer.get(f"/steps/{login.pk}/insights/", {"metric": "ces"})
    assert (page.context["insights"].start, page.context["insights"].end) == (clock.period().start, clock.period().end)
    seen["step insights"] = {targets["ces_login"].pk: pair(page.context["insights"].total.value("ces"))}
    assert b"Data through" in page.content

    # the API
    seen["API targets"] = {t.pk: pair(viewer.get(f"/api/v1/targets/{t.pk}").json()["current"])
                           for t in targets.values()}
    org_api = viewer.get("/api/v1/scorecards/organization").json()
    seen["API organization"] = {t["id"]: pair(t["current"]) for o in org_api["outcomes"] for t in o["targets"]}
    assert org_api["data_through"] == clock.data_through().isoformat()
    by_step = viewer.get("/api/v1/metrics", {"by": "step"}).json()
    by_journey = viewer.get("/api/v1/metrics", {"by": "journey"}).json()
    assert by_step["period"] == clock.period().as_dict() and by_step["data_through"] == org_api["data_through"]
    heat_api = viewer.get(f"/api/v1/metrics/heatmap/{world.journey.pk}", {"metric": "ces"}).json()
    heat_cell = next(s for stage in heat_api["stages"] for s in stage["steps"] if s["id"] == login.pk)
    seen["API heatmap"] = {targets["ces_login"].pk: pair(heat_cell["value"])}

    def metric_rows(payload):
        login_row = next(r for r in payload if r["key"] == login.pk)
        return login_row

    journey_row = by_journey["rows"]
    assert [r["key"] for r in journey_row] == [world.journey.pk]  # every item is in the one journey
    seen["API metrics"] = {
        targets["ces_login"].pk: pair(metric_rows(by_step["rows"])["metrics"]["ces"]),
        targets["ces_journey"].pk: pair(journey_row[0]["metrics"]["ces"]),
        targets["ces_org"].pk: pair(journey_row[0]["metrics"]["ces"]),
        targets["nps_org"].pk: pair(journey_row[0]["metrics"]["nps"]),
    }

    # the CLI
    result = runner.invoke(app, ["metrics", "--by", "step", "--json"])
    assert result.exit_code == 0, result.output
    cli_step = json.loads(result.output)
    result = runner.invoke(app, ["metrics", "--by", "journey", "--json"])
    cli_journey = json.loads(result.output)["rows"][0]
    assert cli_step["period"] == by_step["period"] and cli_step["data_through"] == by_step["data_through"]
    seen["cxkeeper metrics --json"] = {
        targets["ces_login"].pk: pair(metric_rows(cli_step["rows"])["metrics"]["ces"]),
        targets["ces_journey"].pk: pair(cli_journey["metrics"]["ces"]),
        targets["ces_org"].pk: pair(cli_journey["metrics"]["ces"]),
        targets["nps_org"].pk: pair(cli_journey["metrics"]["nps"]),
    }
    result = runner.invoke(app, ["outcomes", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    seen["cxkeeper outcomes status --json"] = {row["id"]: pair(row["current"]) for row in status}
    assert {row["data_through"] for row in status} == {org_api["data_through"]}

    # the Markdown report: the value as the report writes it, and n
    content = reports.org_report("md").content
    markdown = content.decode() if isinstance(content, bytes) else content
    assert f"**Data through:** {clock.data_through():%-d %b %Y}" in markdown
    for target in targets.values():
        value = outcome_queries.current_value(target)
        cells = next(line.split(" | ") for line in markdown.splitlines()
                     if line.startswith(f"| {target.metric.name} {target.comparator}")
                     and f"| {target.scope_label} |" in line)
        assert cells[2] == reports.value_text(value, target.metric.base) and cells[4] == str(value.n), cells
        seen.setdefault("Markdown report", {})[target.pk] = (cells[2], int(cells[4].replace(",", "")))
    written = {pk: (reports.value_text(outcome_queries.current_value(t), t.metric.base), truth[pk][1])
               for pk, t in ((t.pk, t) for t in targets.values())}
    assert seen.pop("Markdown report") == written  # the report writes the same value and n

    for surface, figures in seen.items():
        for pk, figure in figures.items():
            assert figure == truth[pk], f"{surface}: target {pk} shows {figure}, everywhere else {truth[pk]}"
    assert {"outcomes list", "outcome page", "target page", "team scorecard", "organization view", "heatmap",
            "step insights", "API targets", "API organization", "API heatmap", "API metrics",
            "cxkeeper metrics --json", "cxkeeper outcomes status --json"} <= set(seen)


def _csv(tmp_path, name: str, rows: list[str]) -> object:
    path = tmp_path / name
    path.write_text("id,date,comment,nps,csat,ces,channel\n" + "".join(rows), encoding="utf-8")
    return path


def test_ten_late_dated_rows_do_not_move_the_clock(world, tmp_path):
    through = clock.data_through()
    before = {pk: pair(outcome_queries.current_value(t)) for pk, t in ((t.pk, t) for t in world.targets.values())}
    statuses = outcome_queries.target_statuses()
    late = [f"late-{i},{through + dt.timedelta(days=3 + i % 3)} 09:00,arrived late,{i % 11},,{1 + i % 7},app\n"
            for i in range(10)]
    source = create_source({"name": "Late survey"}, acting_user=SYSTEM)
    job = pipeline.import_file(_csv(tmp_path, "late.csv", late), source=source, acting_user=SYSTEM)
    assert job.imported == 10
    latest = StepDayRollup.objects.order_by("-day").values_list("day", flat=True).first()
    assert latest == through + dt.timedelta(days=5)  # the last day with any feedback moved …
    assert clock.data_through() == through  # … the clock did not
    assert clock.period() == clock.Period(through - dt.timedelta(days=89), through)
    assert {pk: pair(outcome_queries.current_value(t)) for pk, t in ((t.pk, t) for t in world.targets.values())} \
        == before
    assert outcome_queries.target_statuses() == statuses and job.status_changes == []

    # a real new day (as many items as a usual day) does move it
    full_day = [f"next-{i},{through + dt.timedelta(days=1)} 10:00,next day,{i % 11},,{1 + i % 7},app\n"
                for i in range(30)]
    pipeline.import_file(_csv(tmp_path, "next.csv", full_day), source=source, acting_user=SYSTEM)
    assert clock.data_through() == through + dt.timedelta(days=1)


def test_the_rule_for_small_and_new_workspaces():
    day = dt.date(2026, 11, 15)
    assert clock.data_through_of([]) is None
    few = [(day - dt.timedelta(days=i), 1) for i in range(5)]
    assert clock.data_through_of(few) == day  # nothing to call typical yet: every day counts
    usual = [(day - dt.timedelta(days=i), 100) for i in range(30)]
    late = [(day + dt.timedelta(days=13), 4), (day + dt.timedelta(days=3), 6)]
    assert clock.data_through_of(late + usual) == day
    assert clock.data_through_of([(day + dt.timedelta(days=1), 20), *usual]) == day + dt.timedelta(days=1)


def test_an_import_that_moves_a_target_says_which(world, tmp_path, client):
    through = clock.data_through()
    csat = MetricDefinition.objects.get(key="csat")
    target = outcome_actions.set_metric_target(
        {"outcome": world.outcomes.loyalty, "metric": csat, "scope": "organization", "value": 50,
         "due": dt.date.today() + dt.timedelta(days=180)}, acting_user=SYSTEM)
    was = outcome_queries.assess(target)
    assert was.status == "no_data"  # nobody has answered CSAT yet
    rows = [f"sat-{i},{through - dt.timedelta(days=i)} 08:00,all good,,5,,web\n" for i in range(40)]
    source = create_source({"name": "CSAT survey"}, acting_user=SYSTEM)
    job = pipeline.import_file(_csv(tmp_path, "csat.csv", rows), source=source, acting_user=SYSTEM)
    assert clock.data_through() == through
    now = outcome_queries.assess(target)
    assert now.status != "no_data"
    label = outcome_queries.target_label(target)
    assert label == "CSAT at the organization ≥ 50%" or label.startswith("CSAT at the organization ≥ 50")
    expected = {"what": label, "before": was.status_label.lower(), "after": now.status_label.lower(),
                "url": target.get_absolute_url()}
    assert job.status_changes == [expected]  # only the target whose status moved
    sentence = f"{label}: {was.status_label.lower()} → {now.status_label.lower()}"
    assert sentence in job.message

    # the import job page, its API and the CLI's summary say it too
    client.force_login(world.keeper)
    page = client.get(f"/feedback/import/{job.pk}/")
    assert page.status_code == 200 and sentence in page.content.decode()
    api = client.get(f"/api/v1/imports/{job.pk}").json()
    assert api["status_changes"] == [expected] and sentence in api["message"]


def test_an_api_batch_that_moves_a_target_says_which(world):
    """`POST /api/v1/imports/batch` reports the targets whose status it moved, in the same
    `status_changes` field (and shape) as a file import's job; a batch that moves none says []."""
    from cxkeeper.org.actions import create_api_token

    through = clock.data_through()
    csat = MetricDefinition.objects.get(key="csat")
    target = outcome_actions.set_metric_target(
        {"outcome": world.outcomes.loyalty, "metric": csat, "scope": "organization", "value": 50,
         "due": dt.date.today() + dt.timedelta(days=180)}, acting_user=SYSTEM)
    was = outcome_queries.assess(target)
    assert was.status == "no_data"
    token = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(world.keeper, 'batch', acting_user=world.keeper)[1]}"}
    client = Client()
    quiet = [{"external_id": "q1", "received_at": f"{through}T08:00:00Z", "channel": "web", "text": "fine"}]
    answer = client.post("/api/v1/imports/batch?source=CSAT", json.dumps(quiet), content_type="application/json",
                         **token).json()
    assert answer["imported"] == 1 and answer["status_changes"] == []
    items = [{"external_id": f"sat-{i}", "received_at": f"{through - dt.timedelta(days=i)}T08:00:00Z",
              "channel": "web", "text": "all good", "csat": 5} for i in range(40)]
    answer = client.post("/api/v1/imports/batch?source=CSAT", json.dumps(items), content_type="application/json",
                         **token).json()
    now = outcome_queries.assess(target)
    assert answer["imported"] == 40 and now.status != "no_data"
    assert answer["status_changes"] == [{"what": outcome_queries.target_label(target),
                                         "before": was.status_label.lower(), "after": now.status_label.lower(),
                                         "url": target.get_absolute_url()}]
