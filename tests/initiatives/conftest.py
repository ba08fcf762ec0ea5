"""Friction point worlds: the small organization, one friction point raised by an IT member,
and (on request) unrouted feedback in which three planted topics become themes."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import actions
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.text.router import RouteResult

XSS = "<script>window.pwned=1</script>"
TOPICS = {
    "router": (30, ["my router lights are blinking red", "the router lights keep blinking red again",
                    "router lights blinking red since yesterday", "red blinking lights on the router, no internet",
                    "why is the router blinking red all the time"]),
    "invoice": (20, ["my invoice is in the wrong currency", "invoice arrived in the wrong currency again",
                     "the invoice currency is wrong, should be pounds", "wrong currency on the invoice this month"]),
}


class NeverRoute:
    """Leaves every text unrouted, so the planted topics stay unrouted feedback."""

    threshold = 0.5

    def route(self, texts):
        return [RouteResult(None, 0.1, []) for _ in texts]


def plant_themes(*, xss: bool = False) -> None:
    """Fifty unrouted texts of the last four weeks about two topics (the router topic's texts
    carry a script tag when `xss`)."""
    source = insight_actions.create_source({"name": "Web form", "kind": "survey"}, acting_user=SYSTEM)
    rnd = random.Random(3)
    today = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    rows, i = [], 0
    for topic, (count, templates) in TOPICS.items():
        for _ in range(count):
            text = rnd.choice(templates)
            if xss and topic == "router":
                text = f"{text} {XSS}"
            rows.append(CanonicalRow(external_id=f"T{i}", received_at=today - dt.timedelta(days=1 + i % 27),
                                     channel="web", row_number=i + 1, text=text))
            i += 1
    insight_actions.ingest_feedback_batch(source, rows, router=NeverRoute())


def raised_by_it(org):
    return actions.raise_friction_point(
        {"title": "Password reset e-mails arrive late", "description": "Customers wait an hour.",
         "step": org.login_step}, acting_user=org.it_member)


@pytest.fixture
def org(small_org):
    small_org.fp = raised_by_it(small_org)
    return small_org
