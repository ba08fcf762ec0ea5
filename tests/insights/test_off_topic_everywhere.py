"""Off-topic feedback (spam, chatter a reviewer set aside) stays out of every figure (issue 9,
decision 0013): not in the rollups and therefore not in the metrics of the API, the CLI or a
target — and not in the themes either, which read raw texts and so need their own rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.insights import actions, clock
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.models import Feedback
from cxkeeper.insights.text.router import RouteResult
from cxkeeper.insights.themes import discover_themes

UTC = dt.UTC
AS_OF = dt.date(2026, 5, 28)
SPAM = ["FOLLOW FOR FOLLOW giveaway winner crypto", "follow for follow giveaway winner crypto!!",
        "giveaway winner crypto, follow for follow", "crypto giveaway winner follow for follow"]
PROBLEMS = ["parking at the store is impossible", "no parking at the store on saturdays",
            "could not find parking near the store", "the store parking is always full"]


class NeverRoute:
    threshold = 0.5

    def route(self, texts):
        return [RouteResult(None, 0.1, []) for _ in texts]


def rows(texts, prefix, copies):
    out = []
    for i in range(copies * len(texts)):
        out.append(CanonicalRow(external_id=f"{prefix}{i}", channel="web", row_number=i + 2, nps=0,
                                received_at=dt.datetime.combine(AS_OF - dt.timedelta(days=i % 20), dt.time(9),
                                                                tzinfo=UTC),
                                text=texts[i % len(texts)]))
    return out


@pytest.fixture
def org(small_org):
    cache.clear()
    source = actions.create_source({"name": "Social mentions", "kind": "social"}, acting_user=small_org.keeper)
    actions.ingest_feedback_batch(source, rows(SPAM, "S", 5) + rows(PROBLEMS, "P", 5))
    return small_org


def spam_ids() -> set[int]:
    return set(Feedback.objects.filter(external_id__startswith="S").values_list("pk", flat=True))


def themed_ids(themes) -> set[int]:
    return {pk for theme in themes for pk in theme.feedback_ids}


def test_off_topic_feedback_is_in_no_theme_and_no_figure(org):
    spam = spam_ids()
    assert len(spam) == 20 and not Feedback.objects.filter(pk__in=spam, step__isnull=False).exists()
    before = discover_themes(as_of=AS_OF, router=NeverRoute())
    assert spam & themed_ids(before), "unrouted spam is a theme while nobody has set it aside"
    viewer = Client()
    viewer.force_login(org.viewer)
    api_before = viewer.get("/api/v1/metrics", {"by": "channel"}).json()

    actions.assign_cluster(sorted(spam), actions.OFF_TOPIC, acting_user=org.keeper)
    assert set(Feedback.objects.filter(pk__in=spam).values_list("routed_by", flat=True)) == {RoutedBy.OFF_TOPIC}

    # themes, directly and through the cached query every page uses (all journeys and one)
    after = discover_themes(as_of=AS_OF, router=NeverRoute())
    assert after and not spam & themed_ids(after)
    assert all("crypto" not in theme.keywords and "giveaway" not in theme.label for theme in after)
    cache.clear()
    for journey in (None, org.journey):
        shown = insight_queries.journey_themes(journey, since=None, discover=discover_themes, as_of=AS_OF)
        assert not spam & themed_ids(shown)
    signals = insight_queries.friction_signals(None)
    assert not spam & themed_ids(signals["themes"])

    # figures: the API and the CLI count the spam nowhere, not even as unrouted
    api_after = viewer.get("/api/v1/metrics", {"by": "channel"}).json()
    n = {row["key"]: row["metrics"]["volume"]["n"] for row in api_after["rows"]}
    assert sum(n.values()) == sum(r["metrics"]["volume"]["n"] for r in api_before["rows"]) - len(spam)
    assert n.get("web", 0) == len(PROBLEMS) * 5
    nps = api_after["rows"][0]["metrics"]["nps"]
    assert nps["n"] == len(PROBLEMS) * 5  # the spam's NPS answers count in no score
    result = CliRunner().invoke(app, ["metrics", "--by", "channel", "--json"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    assert cli["rows"] == api_after["rows"] and cli["data_through"] == clock.data_through().isoformat()
    quality = insight_queries.routing_quality()
    assert quality.off_topic == len(spam) and quality.routed.total == len(PROBLEMS) * 5
