"""A form saved with the keyboard alone (issue 14): the keeper skips the navigation with the
skip link, tabs through the "New target" form in reading order, chooses with the arrow keys,
types the values and saves with Enter — no mouse, and far fewer than the 34 Tabs it took."""

import datetime as dt

from playwright.sync_api import expect

from cxkeeper.outcomes.models import Target
from cxkeeper.testing.outcomes_builders import build_outcomes

MOST_TABS = 20  # from the skip link to the Save button, filling every field on the way


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        const label = e.labels && e.labels[0] ? e.labels[0].textContent.trim() : '';
        return {tag: e.tagName.toLowerCase(), name: e.name || '', label, text: (e.textContent || '').trim(),
                inMain: !!e.closest('main')}; }""")


def test_a_keeper_sets_a_target_with_the_keyboard_alone(small_org, sign_in, live_server, page):
    build_outcomes(small_org, with_feedback=False)
    before = Target.objects.count()
    sign_in(small_org.keeper)
    page.goto(f"{live_server.url}/targets/new/")

    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to content"
    page.keyboard.press("Enter")

    due = dt.date.today() + dt.timedelta(days=120)
    order, tabs = [], 0
    while tabs < 40:
        page.keyboard.press("Tab")
        tabs += 1
        focus = _focused(page)
        assert focus["inMain"], f"Tab {tabs} left the page's content: {focus}"
        if focus["tag"] in ("input", "select", "textarea"):
            order.append(focus["name"])
        if focus["name"] == "outcome":
            page.keyboard.press("ArrowDown")  # the first outcome
        elif focus["name"] == "metric":
            page.keyboard.press("ArrowDown")
        elif focus["name"] == "value":
            page.keyboard.type("5.8")
        elif focus["name"] == "due":
            page.keyboard.type(due.strftime("%m%d%Y"))
        elif focus["name"] == "note":
            page.keyboard.type("Set from the keyboard")
        elif focus["tag"] == "button" and focus["text"] == "Save":
            break
    assert focus["text"] == "Save", f"no Save button within {tabs} Tabs; fields on the way: {order}"
    assert tabs <= MOST_TABS, f"{tabs} Tabs from the skip link to Save: {order}"
    # Reading order: what to aim at before how to measure it, the note last.
    assert order.index("outcome") < order.index("metric") < order.index("value") < order.index("due") \
        < order.index("note"), order
    # Pickers of other scopes are hidden and out of the tab order.
    assert "stage" not in order and "step" not in order, order

    page.keyboard.press("Enter")
    expect(page.locator("h1")).not_to_contain_text("New target")
    assert Target.objects.count() == before + 1
    target = Target.objects.order_by("-pk").first()
    assert target.value == 5.8 and target.due == due and target.note == "Set from the keyboard"
