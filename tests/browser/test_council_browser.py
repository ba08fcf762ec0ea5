"""The council in a real Chromium: the facilitator opens the next meeting, draws up the agenda
from the data, records attendance, a decision on an agenda item and an action item for IT; a
member of IT marks it done; IT's scorecard shows the commitment done — all under the strict CSP
(no console errors)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions
from cxkeeper.governance.models import ActionItem
from cxkeeper.testing.governance_builders import build_council

from .conftest import ARTIFACTS, open_menu


@pytest.fixture
def w(small_org):
    w = build_council(small_org)
    w.late = actions.raise_action_item(w.council, {"title": "Publish queue times", "owner_team": w.sales,
                                                   "due": dt.date.today() - dt.timedelta(days=4)}, acting_user=SYSTEM)
    return w


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_facilitator_decides_and_assigns_a_member_marks_it_done_and_the_scorecard_shows_it(w, sign_in, live_server,
                                                                                        page):
    sign_in(w.keeper)  # Kim, the facilitator
    open_menu(page, "Council", "Councils")
    page.get_by_role("link", name="CX council").click()
    page.get_by_role("link", name=re.compile(r"UTC")).first.click()  # the next meeting
    expect(page).to_have_url(re.compile(rf"/council/meetings/{w.upcoming.pk}/$"))

    page.get_by_role("button", name="Draw up the agenda from the data").click()
    item = page.locator(".agenda-item").first
    expect(item).to_contain_text("Overdue by 4 days: Publish queue times (Sales)")
    expect(item).to_contain_text("Overdue action item")
    shot(page, "council-agenda")

    attendance = page.locator("#attendance")
    attendance.get_by_label(re.compile(r"Ivan")).check()
    attendance.get_by_label(re.compile(r"Sara")).check()
    attendance.get_by_role("button", name="Record attendance").click()
    expect(page.locator("#attendance")).to_contain_text("2 of 3 member teams present; the quorum is 2 — met.")

    page.locator(".agenda-item").first.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Statement").fill("IT shows queue times in the app")
    page.get_by_label("Options considered").fill("In the app\nOn the website")
    page.get_by_label("Rationale").fill("Customers check the app before calling.")
    page.get_by_label("Review on").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#decisions")).to_contain_text("IT shows queue times in the app")

    page.locator("#decisions").get_by_role("link", name="add an action item").click()
    page.get_by_label("Title").fill("Show queue times on the app's help screen")
    page.get_by_label("Owner team").select_option(label="IT")
    page.get_by_label("Owner", exact=True).select_option(label="Ivan (ivan)")
    page.get_by_label("Due").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#actions")).to_contain_text("Show queue times on the app's help screen")
    assert page.console_errors == [], page.console_errors
    item = ActionItem.objects.get(title="Show queue times on the app's help screen")
    assert item.decision.statement == "IT shows queue times in the app" and item.owner == w.it_member

    page.context.clear_cookies()
    sign_in(w.it_member)
    page.goto(f"{live_server.url}/council/actions/?team={w.it.slug}")
    page.get_by_role("link", name="Show queue times on the app's help screen").click()
    page.get_by_label("Status").select_option(label="done")
    page.get_by_role("button", name="Set status").click()
    expect(page.get_by_text("Marked done.")).to_be_visible()

    page.goto(f"{live_server.url}/scorecards/{w.it.slug}/")
    commitments = page.locator("table.commitments")
    row = commitments.get_by_role("row", name=re.compile("Show queue times on the app's help screen"))
    expect(row).to_contain_text("done")
    shot(page, "council-scorecard-commitments")
    assert page.console_errors == [], page.console_errors
