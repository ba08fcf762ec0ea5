"""Outcome pages in a real Chromium: the alignment map is one clickable picture, a team
scorecard shows its tension and target status with rendered charts, the target form shows
the picker of its scope — all under the strict CSP (no console errors)."""

import re

import pytest
from playwright.sync_api import expect

from cxkeeper.core.actors import SYSTEM
from cxkeeper.testing.outcomes_builders import build_outcomes

from .conftest import ARTIFACTS, open_menu


@pytest.fixture
def org(small_org):
    small_org.outcomes = build_outcomes(small_org)
    return small_org


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def expect_charts_rendered(page, count):
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(count)
    for i in range(count):
        expect(charts.nth(i).locator("canvas")).to_have_count(1, timeout=15_000)


def test_alignment_map_is_one_picture_and_every_node_opens_its_page(org, sign_in, live_server):
    page = sign_in(org.viewer)
    open_menu(page, "Outcomes", "Alignment map")
    expect(page.get_by_role("heading", name="Alignment map")).to_be_visible()
    svg = page.locator("svg.alignment-svg")
    expect(svg.locator("a.align-node")).to_have_count(9)  # North Star, 2 outcomes, 2 metrics, 2 targets, 2 KPIs
    expect(svg.locator("path.edge-found_tension")).to_have_count(1)
    expect(svg.locator("a.align-node.status-off_track")).to_have_count(1)
    expect(svg.locator("a.align-node.status-tension")).to_contain_text("Average handle time")
    shot(page, "outcomes-alignment-map")
    assert page.console_errors == [], page.console_errors

    svg.locator("a.align-node.node-kpi", has_text="Average handle time").click()
    expect(page).to_have_url(re.compile(rf"/kpis/{org.outcomes.handle_time.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Average handle time")
    expect(page.locator(".finding-undeclared")).to_contain_text("Tension found")
    expect_charts_rendered(page, 1)
    shot(page, "outcomes-kpi")

    page.go_back()
    page.locator("svg.alignment-svg a.align-node.node-target.status-off_track").click()
    expect(page).to_have_url(re.compile(rf"/targets/{org.outcomes.org_target.pk}/$"))
    expect(page.locator(".badge-status").first).to_have_text("Off track")
    expect_charts_rendered(page, 1)
    assert page.console_errors == [], page.console_errors

    # plain words first; the statistics one click away behind "Details"
    card = page.locator(f"#target-{org.outcomes.org_target.pk}")
    expect(card.locator(".plain-verdict")).to_contain_text("Off track: at ")
    statistics = card.locator(".summary-details .explanation")
    expect(statistics).to_be_hidden()
    card.get_by_text("Details", exact=True).click()
    expect(statistics).to_be_visible()
    expect(statistics).to_contain_text("n=")
    shot(page, "outcomes-target-plain-and-details")


def test_team_scorecard_shows_tension_and_target_status(org, sign_in, live_server):
    page = sign_in(org.it_member)
    page.goto(f"{live_server.url}/teams/{org.service.slug}/")
    page.get_by_role("link", name="Scorecard", exact=True).click()
    expect(page.get_by_role("heading", name="Scorecard: Customer service")).to_be_visible()
    targets = page.locator("section", has=page.get_by_role("heading", name="Targets in scope"))
    expect(targets.locator(".badge-status.status-off_track").first).to_be_visible()
    expect(targets).to_contain_text("On track")
    expect(page.locator(".kpi-card-tension")).to_contain_text("Average handle time")
    expect(page.locator(".finding-undeclared")).to_contain_text("Tension found (strong)")
    expect(page.locator("#export-pdf")).to_have_attribute("href", f"/scorecards/{org.service.slug}/export.pdf")
    expect_charts_rendered(page, 1)
    assert page.console_errors == [], page.console_errors
    shot(page, "outcomes-team-scorecard")

    page.get_by_role("combobox", name="Period").select_option("30")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"days=30"))
    expect(page.locator(".period-line")).to_contain_text("30 days")  # swapped in place (HTMX)
    expect(page.locator("[data-chart] canvas")).to_have_count(1, timeout=15_000)  # the chart re-rendered
    expect(page.locator("#export-md")).to_have_attribute("href", f"/scorecards/{org.service.slug}/export.md?days=30")
    assert page.console_errors == [], page.console_errors

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("#export-pdf")).to_be_hidden()
    shot(page, "outcomes-team-scorecard-print")


def test_organization_view_and_outcome_pages_render_their_charts(org, sign_in, live_server):
    page = sign_in(org.viewer)
    page.goto(f"{live_server.url}/scorecards/organization/")
    expect(page.get_by_role("heading", name="Organization view")).to_be_visible()
    expect_charts_rendered(page, 2)
    shot(page, "outcomes-organization-view")
    open_menu(page, "Outcomes", "Shared outcomes")
    expect(page.get_by_role("heading", name="Shared outcomes")).to_be_visible()
    page.get_by_role("link", name="Reduce customer effort").first.click()
    expect_charts_rendered(page, 2)
    shot(page, "outcomes-outcome-detail")
    page.get_by_role("navigation", name="Outcomes").get_by_role("link", name="CX language").click()
    expect(page.locator(".statement")).to_contain_text("Customers sort out their bill without calling us")
    shot(page, "outcomes-language")
    assert page.console_errors == [], page.console_errors


def test_target_form_shows_the_picker_of_the_chosen_scope(org, sign_in, live_server):
    page = sign_in(org.keeper)
    page.goto(f"{live_server.url}/targets/new/?outcome={org.outcomes.effort.pk}")
    expect(page.get_by_label("Step")).to_be_hidden()
    page.get_by_label("Scope").select_option("step")
    expect(page.get_by_label("Step")).to_be_visible()
    expect(page.get_by_label("Journey", exact=True)).to_be_hidden()
    page.get_by_label("Step").select_option(label="Get help › Ask for help › Call the helpline")
    page.get_by_label("Value").fill("5")
    page.get_by_label("Due").fill("2027-06-30")
    shot(page, "outcomes-target-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Target set")
    expect(page.get_by_role("heading", name=re.compile("Call the helpline"))).to_be_visible()
    expect(page.locator(".badge-status").first).to_be_visible()
    assert page.console_errors == [], page.console_errors


def test_alignment_map_stays_readable_with_many_outcomes_and_kpis(org, sign_in, live_server):
    import datetime as dt

    from cxkeeper.outcomes import actions
    from cxkeeper.outcomes.models import MetricDefinition

    metrics = {m.key: m for m in MetricDefinition.objects.all()}
    names = [("Improve trust", "csat"), ("Strengthen retention", "retention"), ("Fewer complaints", "complaints"),
             ("Happier first month", "sentiment")]
    outcomes = [org.outcomes.effort, org.outcomes.loyalty]
    for i, (name, key) in enumerate(names):
        outcome = actions.define_outcome({"name": name}, acting_user=SYSTEM)
        outcome.metrics.set([metrics[key]])
        actions.set_metric_target({"outcome": outcome, "metric": metrics[key], "scope": "journey",
                                   "journey": org.journey, "value": 50 + i, "due": dt.date.today()
                                   + dt.timedelta(days=120)}, acting_user=SYSTEM)
        outcomes.append(outcome)
    for i in range(10):
        team = (org.sales, org.it, org.service)[i % 3]
        kpi = actions.declare_team_kpi({"team": team, "name": f"{team.name} KPI number {i}", "unit": "%",
                                        "direction": "up"}, acting_user=SYSTEM)
        actions.link_kpi_to_outcome(kpi, outcomes[i % len(outcomes)], "tension" if i % 4 == 3 else "supports",
                                    acting_user=SYSTEM)
    page = sign_in(org.viewer)
    page.goto(f"{live_server.url}/alignment/")
    svg = page.locator("svg.alignment-svg")
    expect(svg.locator("a.align-node.node-outcome")).to_have_count(6)
    expect(svg.locator("a.align-node.node-kpi")).to_have_count(12)
    expect(svg.locator("path.edge-tension").first).to_be_visible()
    # No two boxes overlap.
    boxes = [svg.locator("a.align-node rect").nth(i).bounding_box()
             for i in range(svg.locator("a.align-node rect").count())]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                     or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
            assert apart, (a, b)
    shot(page, "outcomes-alignment-map-large")
    svg.locator("a.align-node.node-outcome", has_text="Strengthen retention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengthen retention")
