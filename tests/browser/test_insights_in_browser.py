"""Insight pages in a real Chromium: the Vega charts render under the strict CSP, the
heatmap swaps in place, and a review-queue item is corrected in one click."""

import re

from insights.test_pages import load_feedback  # tests/ is on sys.path (rootdir-relative packages)
from playwright.sync_api import expect

from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback

from .conftest import open_menu


def expect_charts_rendered(page, count):
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(count)
    for i in range(count):
        expect(charts.nth(i).locator("canvas")).to_have_count(1, timeout=15_000)
    assert page.console_errors == [], page.console_errors  # includes CSP violations


def test_heatmap_colours_steps_and_switches_metric(small_org, sign_in, live_server):
    load_feedback(small_org)
    page = sign_in(small_org.keeper)
    page.goto(f"{live_server.url}/journeys/{small_org.journey.slug}/")
    page.get_by_role("link", name="Heatmap").click()
    expect(page.get_by_role("heading", name=re.compile("how customers experience"))).to_be_visible()
    login = page.locator(".heat-card", has_text="Log in to the app")
    expect(login).to_contain_text("20.0")
    expect(login).to_contain_text("n=40")
    expect(page.locator(".heat-card", has_text="Call the helpline")).to_contain_text("too few responses (n=5)")
    expect_charts_rendered(page, 1)

    page.get_by_label("Metric").select_option(label="CES")
    expect(page).to_have_url(re.compile(r"metric=ces"))
    expect(login).to_contain_text("5.00")
    expect_charts_rendered(page, 1)


def test_step_insights_render_every_chart(small_org, sign_in, live_server):
    load_feedback(small_org)
    page = sign_in(small_org.viewer)
    page.goto(f"{live_server.url}/steps/{small_org.login_step.pk}/")
    page.get_by_role("link", name="Insights").click()
    page.goto(page.url + "?min_n=5")  # the fixture has 2–6 answers a week: show the weekly line too
    expect(page.get_by_role("heading", name=re.compile("what customers say"))).to_be_visible()
    expect(page.locator(".tile-current")).to_contain_text("20.0")
    expect_charts_rendered(page, 6)
    expect(page.locator(".verbatim").first).to_be_visible()


def test_review_queue_one_click_correction(small_org, sign_in, live_server):
    load_feedback(small_org)
    page = sign_in(small_org.it_member)
    open_menu(page, "Evidence", "Review queue")
    first = page.locator(".review-item").first
    item_id = int(first.get_attribute("id").removeprefix("fb-"))
    suggestion = first.locator(".suggestions button").first
    step_name = suggestion.inner_text().rsplit(" ", 1)[0].strip()
    suggestion.click()
    expect(page.locator(f"#fb-{item_id}")).to_contain_text(f"Routed to {step_name}")
    expect(page.locator(f"#fb-{item_id}")).to_have_class(re.compile("review-done"))
    item = Feedback.objects.select_related("step").get(pk=item_id)
    assert item.routed_by == RoutedBy.PERSON and item.step.name == step_name
    assert page.console_errors == [], page.console_errors


def test_feedback_text_stays_text(small_org, sign_in, live_server):
    load_feedback(small_org)
    page = sign_in(small_org.viewer)
    page.goto(f"{live_server.url}/feedback/?q=crashed")
    expect(page.locator(".verbatim-text")).to_contain_text("<script>window.pwned=1</script>")
    assert page.evaluate("window.pwned") is None


def test_keeper_retrains_the_router_and_reads_routing_quality(small_org, sign_in, live_server):
    load_feedback(small_org)
    page = sign_in(small_org.keeper)
    page.goto(f"{live_server.url}/feedback/routing/")
    page.get_by_role("button", name="Retrain router").click()
    expect(page.get_by_role("status").first).to_contain_text("Router retrained")
    expect(page.locator(".facts")).to_contain_text("Cross-validated accuracy")
    expect(page.get_by_role("table").last).to_contain_text("Rule")
    assert page.console_errors == [], page.console_errors
